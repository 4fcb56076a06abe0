"""Members' own data as a feature: `/mydata` and `/forgetme`."""

from __future__ import annotations

from bot.core.feature import Base
from bot.core.kit import Kit
from bot.features.mydata import commands
from bot.features.mydata.service import MyData


class MyDataFeature(Base):
    name = "mydata"

    def __init__(self, kit: Kit, data: MyData) -> None:
        self.kit = kit
        self.data = data
        self.commands = commands.commands.bind(data)
