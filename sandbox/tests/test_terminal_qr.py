"""The terminal drawing of a QR picture scans back to the same text."""

from __future__ import annotations

import io
import random
import re
import time
import unicodedata

import pytest
import qrcode
import zxingcpp
from PIL import Image, ImageDraw
from qrcode.constants import ERROR_CORRECT_L

from sandbox.sms4sats.invoices import InvoiceIssuer
from sandbox.terminal_qr import (
    QUIET_ZONE,
    draw_modules,
    drawing_size,
    qr_modules,
    render_qr_png,
    sextant,
)
from sandbox.tests.test_terminal_screen import Screen, screen_picture

_BECH32 = "qpzry9x8gf2tvdw0s3jn54khce6mua7l"


def _invoice(length: int, seed: int) -> str:
    """A BOLT11-like payment request: it only has to look like one to the QR encoder."""
    rng = random.Random(seed)
    body = "".join(rng.choice(_BECH32) for _ in range(length - len("lnbc12340n1")))
    return "LIGHTNING:" + ("lnbc12340n1" + body).upper()


def _qr(
    text: str, *, box_size: int = 10, border: int = 4, version: int | None = None
) -> tuple[qrcode.QRCode, Image.Image]:
    code = qrcode.QRCode(version=version, box_size=box_size, border=border)
    code.add_data(text)
    code.make(fit=version is None)
    image = code.make_image().get_image()
    assert isinstance(image, Image.Image)
    return code, image


def _png(image: Image.Image) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


def _plain_cells(drawing: str) -> list[list[tuple[bool, bool]]]:
    """Each character as (upper module dark, lower module dark); blocks are light modules."""
    meaning = {"█": (False, False), "▀": (False, True), "▄": (True, False), " ": (True, True)}
    return [[meaning[char] for char in line] for line in drawing.split("\n")]


def _ansi_cells(drawing: str) -> list[list[tuple[bool, bool]]]:
    """Upper half blocks painted with an explicit foreground (upper) and background (lower)."""
    rows = []
    for line in drawing.split("\n"):
        cells = []
        upper = lower = False
        for escape, char in re.findall(r"\x1b\[([0-9;]*)m|(.)", line):
            if escape:
                codes = escape.split(";")
                if "0" in codes:
                    continue
                upper = "30" in codes
                lower = "40" in codes
                assert upper or "97" in codes
                assert lower or "107" in codes
            else:
                assert char == "▀"
                cells.append((upper, lower))
        rows.append(cells)
    return rows


def _picture(cells: list[list[tuple[bool, bool]]], scale: int = 4) -> Image.Image:
    """What a camera sees on screen: a square per module, dark modules black."""
    width = len(cells[0])
    assert all(len(row) == width for row in cells)
    image = Image.new("L", (width * scale, len(cells) * 2 * scale), 255)
    draw = ImageDraw.Draw(image)
    for y, row in enumerate(cells):
        for x, (upper, lower) in enumerate(row):
            for half, dark in enumerate((upper, lower)):
                if dark:
                    top = (2 * y + half) * scale
                    draw.rectangle((x * scale, top, (x + 1) * scale - 1, top + scale - 1), fill=0)
    return image


def _decode(image: Image.Image) -> list[str]:
    return [result.text for result in zxingcpp.read_barcodes(image)]


@pytest.mark.parametrize(
    ("text", "box_size", "border", "version"),
    [
        ("hello", 1, 4, None),
        ("hello", 10, 4, 1),
        ("LIGHTNING:LNBC1", 3, 2, 5),
        (_invoice(290, 1), 2, 4, None),
        (_invoice(290, 2), 5, 4, None),
        (_invoice(290, 3), 10, 1, None),
        (_invoice(300, 4), 7, 4, 20),
        ("x" * 1200, 2, 4, None),
    ],
)
@pytest.mark.parametrize("ansi", [False, True])
def test_drawing_scans_to_the_same_text(
    text: str, box_size: int, border: int, version: int | None, ansi: bool
) -> None:
    code, image = _qr(text, box_size=box_size, border=border, version=version)
    drawing = render_qr_png(_png(image), ansi=ansi)
    assert drawing is not None
    cells = _ansi_cells(drawing) if ansi else _plain_cells(drawing)
    size = len(code.modules)
    assert len(cells[0]) == size + 2 * QUIET_ZONE
    assert _decode(_picture(cells)) == [text]


@pytest.mark.parametrize(
    ("factor", "resample"),
    [
        (0.93, Image.Resampling.BILINEAR),
        (1.37, Image.Resampling.BICUBIC),
        (0.71, Image.Resampling.LANCZOS),
        (1.5, Image.Resampling.NEAREST),
    ],
)
def test_resampled_picture_keeps_every_module(factor: float, resample: Image.Resampling) -> None:
    code, image = _qr(_invoice(290, 5), box_size=6)
    scaled = image.convert("L").resize(
        (round(image.width * factor), round(image.height * factor)), resample
    )
    assert qr_modules(_png(scaled)) == [[bool(m) for m in row] for row in code.modules]


def test_colour_and_transparent_pictures() -> None:
    code, image = _qr("LIGHTNING:LNBC42", box_size=4)
    expected = [[bool(m) for m in row] for row in code.modules]
    rgb = image.convert("RGB")
    assert qr_modules(_png(rgb)) == expected
    # Dark modules on a transparent background, as some encoders write them.
    transparent = Image.new("RGBA", image.size, (0, 0, 0, 0))
    transparent.putalpha(image.convert("L").point(lambda value: 255 - value))
    assert qr_modules(_png(transparent)) == expected


def test_drawing_has_two_module_rows_per_line_and_a_quiet_zone() -> None:
    drawing = draw_modules([[True] * 21 for _ in range(21)])
    lines = drawing.split("\n")
    # 21 modules + 2 * 2 quiet = 25 rows: padded to 26 for 13 lines.
    assert len(lines) == 13
    assert all(len(line) == 25 for line in lines)
    assert lines[0] == "█" * 25
    assert lines[1] == "██" + " " * 21 + "██"
    assert lines[-2] == "██" + "▄" * 21 + "██"
    assert lines[-1] == "█" * 25


def _noise(size: int) -> Image.Image:
    rng = random.Random(7)
    image = Image.new("L", (size, size))
    image.putdata([rng.choice((0, 255)) for _ in range(size * size)])
    return image


def _shapes() -> Image.Image:
    image = Image.new("RGB", (200, 200), "white")
    draw = ImageDraw.Draw(image)
    draw.ellipse((20, 20, 180, 180), fill="black")
    draw.rectangle((60, 60, 140, 140), fill="white")
    return image


@pytest.mark.parametrize(
    "png",
    [
        _png(Image.new("L", (100, 100), 255)),
        _png(Image.new("L", (100, 100), 0)),
        _png(Image.linear_gradient("L")),
        _png(_noise(120)),
        _png(_shapes()),
        _png(Image.new("RGB", (300, 100), "black")),
        b"not a picture at all",
        b"",
    ],
    ids=["white", "black", "gradient", "noise", "shapes", "wide", "garbage", "empty"],
)
def test_not_a_qr_code(png: bytes) -> None:
    assert render_qr_png(png) is None


def test_squares_in_place_of_finder_patterns_are_not_a_qr() -> None:
    code, image = _qr("hello", box_size=10)
    broken = image.convert("L")
    draw = ImageDraw.Draw(broken)
    end = (len(code.modules) + 4) * 10
    # Solid 7x7 squares where the finders are: every other module still reads as before.
    for x, y in ((40, 40), (end - 40 - 70, 40), (40, end - 40 - 70)):
        draw.rectangle((x, y, x + 69, y + 69), fill=0)
    assert render_qr_png(_png(broken)) is None


# The compact drawing: sextants, two module columns and three module rows per character cell.


def test_sextants_ink_the_cells_their_names_say() -> None:
    for pattern in range(64):
        cells = [bool(pattern & (1 << bit)) for bit in range(6)]
        char = sextant(cells)
        inked = "".join(str(bit + 1) for bit in range(6) if cells[bit])
        older = {"": " ", "135": "▌", "246": "▐", "123456": "█"}
        if inked in older:
            assert char == older[inked]
        else:
            assert unicodedata.name(char) == f"BLOCK SEXTANT-{inked}"


@pytest.mark.parametrize("size", [21, 25, 53, 57, 177])
@pytest.mark.parametrize("compact", [False, True])
def test_drawing_size_is_what_is_drawn(size: int, compact: bool) -> None:
    modules = [[(row * 7 + col) % 3 == 0 for col in range(size)] for row in range(size)]
    lines = draw_modules(modules, compact=compact).split("\n")
    assert drawing_size(size, compact=compact) == (len(lines[0]), len(lines))
    assert all(len(line) == len(lines[0]) for line in lines)


def _on_screen(drawing: str, columns: int, lines: int) -> Screen:
    """The drawing on a dark terminal, a line per row, with room around it."""
    screen = Screen(columns + 4, lines + 2)
    screen.feed("\r\n".join("  " + line for line in drawing.split("\n")))
    return screen


def _demo_invoice_modules(seed: int) -> tuple[str, list[list[bool]]]:
    """A BOLT11 invoice from the sms4sats sandbox, as the bot draws it (upper case, level L)."""
    issued = InvoiceIssuer(f"{seed + 1:064x}").issue(
        2500 + seed, "sms4sats payment United States wa", time.time(), 900
    )
    text = "LIGHTNING:" + issued.payreq.upper()
    code = qrcode.QRCode(error_correction=ERROR_CORRECT_L, border=4, box_size=11)
    code.add_data(text)
    code.make(fit=True)
    image = code.make_image().get_image()
    assert isinstance(image, Image.Image)
    modules = qr_modules(_png(image))
    assert modules is not None
    return text, modules


@pytest.mark.parametrize("seed", range(3))
@pytest.mark.parametrize("ansi", [False, True])
def test_a_demo_invoice_drawn_compact_fits_80x24_and_scans(seed: int, ansi: bool) -> None:
    text, modules = _demo_invoice_modules(seed)
    # Version 9: 53 modules a side, 29 lines as half blocks even with a quiet zone of 1.
    assert len(modules) == 53
    assert drawing_size(53) == (57, 29)
    assert drawing_size(53, compact=True) == (29, 19)
    drawing = draw_modules(modules, ansi=ansi, compact=True)
    screen = _on_screen(drawing, 29, 19)
    # Cells from 5x12 to 11x22 pixels: modules from a fifth to three fifths taller than wide.
    for cell in [(5, 12), (6, 13), (7, 15), (8, 16), (9, 18), (9, 21), (10, 20), (11, 22)]:
        assert _decode(screen_picture(screen, cell)) == [text], cell


@pytest.mark.parametrize(
    ("text", "version"),
    [("hello", None), ("LIGHTNING:LNBC1", 5), (_invoice(290, 6), None), ("x" * 1200, None)],
)
@pytest.mark.parametrize("ansi", [False, True])
def test_compact_drawing_scans_to_the_same_text(text: str, version: int | None, ansi: bool) -> None:
    code, image = _qr(text, box_size=3, version=version)
    drawing = render_qr_png(_png(image), ansi=ansi, compact=True)
    assert drawing is not None
    columns, lines = drawing_size(len(code.modules), compact=True)
    screen = _on_screen(drawing, columns, lines)
    assert _decode(screen_picture(screen, (8, 17))) == [text]
