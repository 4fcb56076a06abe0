"""A gateway may keep its handlers in mixins by concern (the Discord gateway
does): `@handles` marks anywhere in its classes make its table, and the most
derived class's mark wins."""

from __future__ import annotations

from adapters.gateway import Gateway, handles
from bot.core.actions import DeleteMessage, PinMessage, SendMessage


class Posting:
    @handles(SendMessage, op="send")
    async def _send(self, a: SendMessage) -> None: ...

    @handles(PinMessage)
    async def _pin(self, a: PinMessage) -> None: ...


class Tidying:
    @handles(DeleteMessage)
    async def _delete(self, a: DeleteMessage) -> None: ...


class MixedGateway(Posting, Tidying, Gateway):
    @handles(PinMessage, op="pin-here")
    async def _pin_here(self, a: PinMessage) -> None: ...


def test_marks_in_mixins_make_the_table() -> None:
    routes = MixedGateway.routes
    assert set(routes) == {SendMessage, PinMessage, DeleteMessage}
    assert routes[SendMessage].handler is Posting._send and routes[SendMessage].op == "send"
    assert routes[DeleteMessage].handler is Tidying._delete
    assert routes[PinMessage].handler is MixedGateway._pin_here
    assert routes[PinMessage].op == "pin-here"


def test_the_base_keeps_no_routes_of_its_subclasses() -> None:
    assert Gateway.routes == {}
