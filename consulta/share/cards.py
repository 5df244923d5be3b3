"""Preview images (Open Graph / Twitter cards) drawn with Pillow: 1200×630 PNG, the site's colours, the
bundled DejaVu Sans subset (fonts/, with its licence).

Work is bounded whatever the data: texts are cut before measuring (MAX_TITLE, MAX_EXCERPT characters), the
title takes at most three lines (the font shrinks, then an ellipsis), characters the font lacks are
dropped, and a card is drawn once per content: its digest (of everything drawn) keys the shared cache and
is the ETag and the `v` of the image URL.
"""

from __future__ import annotations

import hashlib
import io
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

WIDTH, HEIGHT = 1200, 630
MARGIN = 72
MAX_TITLE = 180
MAX_EXCERPT = 240
CARD_VERSION = "1"  # bump when the drawing changes: every digest (and cached image) changes with it
FONTS = Path(__file__).parent / "fonts"
BLUE, BLUE_DARKER, TEXT, MUTED, LIGHT = "#1351b4", "#071d41", "#333333", "#555555", "#dbe8fb"
# What the bundled subset can draw (see fonts/LICENSE).
_DRAWABLE = {*range(0x20, 0x7F), *range(0xA0, 0x100), 0x152, 0x153, 0x2013, 0x2014, *range(0x2018, 0x201F),
             0x2022, 0x2026, 0x2192}


@dataclass(frozen=True)
class Card:
    """What one preview image shows."""

    kicker: str  # a small line above the title
    title: str
    excerpt: str
    counts: tuple[tuple[str, str], ...]  # (formatted number, label)
    footer: str

    @property
    def digest(self) -> str:
        """A short hash of everything drawn: the image's ETag and the `v` of its URL."""
        data = repr((CARD_VERSION, self.kicker, self.title, self.excerpt, self.counts, self.footer))
        return hashlib.sha256(data.encode("utf-8")).hexdigest()[:16]


def drawable(text: str, limit: int) -> str:
    """`text` cut to `limit` characters, on one line, without characters the font cannot draw."""
    text = " ".join(unicodedata.normalize("NFC", text[: limit * 2]).split())
    kept = []
    for char in text:
        if ord(char) in _DRAWABLE:
            kept.append(char)
        else:  # "ő" -> "o"; anything without a drawable base letter is dropped
            base = unicodedata.normalize("NFKD", char)[:1]
            if base and ord(base) in _DRAWABLE:
                kept.append(base)
    text = "".join(kept)
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


@lru_cache(maxsize=16)
def _font(size: int, bold: bool = False) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(str(FONTS / ("DejaVuSans-Bold.ttf" if bold else "DejaVuSans.ttf")), size)


def _wrap(text: str, font: ImageFont.FreeTypeFont, width: int, max_lines: int) -> list[str]:
    """Greedy word wrap to `width` pixels; the last line ends in "…" when the text does not fit."""
    lines: list[str] = []
    line = ""
    for word in text.split():
        while font.getlength(word) > width and len(word) > 1:  # one very long word
            word = word[:-2] + "…"
        candidate = f"{line} {word}" if line else word
        if font.getlength(candidate) <= width:
            line = candidate
            continue
        lines.append(line)
        line = word
        if len(lines) == max_lines:
            last = lines[-1]
            while font.getlength(last + " …") > width and " " in last:
                last = last.rsplit(" ", 1)[0]
            lines[-1] = last + " …"
            return lines
    if line:
        lines.append(line)
    return lines


def render(card: Card) -> bytes:
    """The card as PNG bytes."""
    image = Image.new("RGB", (WIDTH, HEIGHT), "white")
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, 0, WIDTH, 14), fill=BLUE)
    draw.ellipse((MARGIN, 48, MARGIN + 56, 104), fill=BLUE)
    draw.text((MARGIN + 28, 76), "C", font=_font(34, True), fill="white", anchor="mm")
    draw.text((MARGIN + 76, 58), "Consulta", font=_font(30, True), fill=BLUE_DARKER)
    draw.text((MARGIN + 76, 92), drawable(card.footer, 60), font=_font(20), fill=MUTED)

    width = WIDTH - 2 * MARGIN
    y = 150
    if card.kicker:
        draw.text((MARGIN, y), drawable(card.kicker, 90), font=_font(26), fill=BLUE)
        y += 46
    title = drawable(card.title, MAX_TITLE)
    for size in (60, 52, 44):
        lines = _wrap(title, _font(size, True), width, 3)
        if not lines[-1].endswith("…"):
            break
    for line in lines:
        draw.text((MARGIN, y), line, font=_font(size, True), fill=BLUE_DARKER)
        y += int(size * 1.22)
    if card.excerpt and y < 400:
        y += 10
        for line in _wrap(drawable(card.excerpt, MAX_EXCERPT), _font(28), width, 2 if y < 340 else 1):
            draw.text((MARGIN, y), line, font=_font(28), fill=TEXT)
            y += 38

    x, top = MARGIN, HEIGHT - 126
    for number, label in card.counts[:4]:
        number, label = drawable(number, 14), drawable(label, 24)
        box = max(_font(40, True).getlength(number), _font(22).getlength(label)) + 40
        if x + box > WIDTH - MARGIN:
            break
        draw.rounded_rectangle((x, top, x + box, top + 92), radius=10, fill=LIGHT)
        draw.text((x + 20, top + 10), number, font=_font(40, True), fill=BLUE_DARKER)
        draw.text((x + 20, top + 58), label, font=_font(22), fill=TEXT)
        x += box + 20
    buffer = io.BytesIO()
    image.save(buffer, "PNG", optimize=False, compress_level=6)
    return buffer.getvalue()
