"""Spam in pictures, through the console: a newcomer's photo whose text is
an advert is read (Tesseract), removed and explained by /why; a photo of
ordinary text, or a regular's photo, stays. The pictures are drawn here."""

from __future__ import annotations

from pathlib import Path

from tests.pictures import text_picture
from tests.scenarios.test_scenarios import play

AD = ("兼职刷单，日赚五百，加微信私聊", "Earn $500 daily from home, DM me now")
MENU = ("Lunch menu for Friday", "Noodles, rice and soup")


def draw(tmp_path: Path, name: str, lines: tuple[str, ...]) -> Path:
    path = tmp_path / name
    path.write_bytes(text_picture(*lines))
    return path


async def test_a_newcomers_advert_in_a_picture_is_removed_and_explained(tmp_path: Path) -> None:
    ad = draw(tmp_path, "ad.png", AD)
    out = await play(f"# language: en\n!mod mia\n+nick\nnick: [picture {ad}] look\nmia > 2: /why\n")
    text = "\n".join(out)
    assert "[g1] bot deletes #2 (rule: spam)" in out
    assert "[g1] bot mutes nick for 1d (rule: spam)" in out
    why = text[text.index("mia: /why") :]
    assert "text in the picture" in why and "Earn" in why


async def test_ordinary_pictures_and_regulars_pictures_stay(tmp_path: Path) -> None:
    menu = draw(tmp_path, "menu.png", MENU)
    ad = draw(tmp_path, "ad.png", AD)
    out = await play(
        "# language: en\n+nick\n"
        f"nick: [picture {menu}] today\n"
        # Ann was here before the bot: no newcomer, so her pictures are not
        # read (risk.spam.ocr.who: newcomers).
        f"ann: [picture {ad}]\n"
    )
    assert not [line for line in out if "deletes" in line or "mutes" in line]
    # Nick's picture was read (and found harmless); Ann's was not.
    [read] = [line for line in out if "reads the picture" in line]
    assert read.startswith("[g1] bot reads the picture of #2:") and "Lunch" in read
