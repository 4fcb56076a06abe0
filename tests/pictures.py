"""Pictures with text on them, drawn for the OCR tests (Pillow, the CJK
font `.ci/run` installs: WenQuanYi Zen Hei has Latin, Cyrillic and Chinese)."""

from __future__ import annotations

import io

from PIL import Image, ImageDraw, ImageFont

FONT = "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc"


def text_picture(*lines: str, size: int = 32) -> bytes:
    """A PNG of the lines, dark on a light background, as a screenshot of an
    advert would be."""
    font = ImageFont.truetype(FONT, size)
    width = max(int(font.getlength(line)) for line in lines) + 60
    height = (size + 20) * len(lines) + 40
    image = Image.new("RGB", (width, height), (250, 246, 232))
    draw = ImageDraw.Draw(image)
    for i, line in enumerate(lines):
        draw.text((30, 20 + i * (size + 20)), line, fill=(25, 25, 30), font=font)
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()
