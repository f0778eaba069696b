"""Draw a QR code PNG in a terminal so a phone camera can scan it off the screen.

The bot sends invoices as QR pictures made with the ``qrcode`` package. Rather than decode and
re-encode them (which would need a QR decoder at run time), the picture's module grid is recovered
from the pixels and drawn with Unicode block characters.

Two drawings: the full one uses half blocks, one character cell holding one module column and two
module rows, which with the usual 1:2 cell shape keeps the modules square. An invoice's code
(version 9, 53 modules a side) then takes 29 lines, more than a default 80x24 terminal has. The
compact one uses sextants (2x3 blocks, Unicode 13), one cell holding two module columns and three
module rows: 19 lines and 29 columns for the same code. Its modules are a third taller than wide;
readers find a QR code through its finder patterns and sample along them, so a stretched code
scans (sandbox/tests/test_terminal_qr.py decodes it drawn on cells from 5x12 to 11x22 pixels).
"""

from __future__ import annotations

import io
import math
from collections.abc import Sequence

from PIL import Image, UnidentifiedImageError

Modules = list[list[bool]]
"""Rows of modules, ``True`` for a dark module."""

QUIET_ZONE = 2
"""Light modules drawn around the code; scanners need some, and the terminal edge is not enough.

The standard asks for 4; readers take 1 or 2 when the code sits on a screen (zxing decodes both),
and every module saved on the quiet zone is a line saved on the screen.
"""

_MIN_CONTRAST = 64
_MIN_FUNCTION_MATCH = 0.95
"""Share of finder, separator and timing modules that must read right for a picture to be a QR."""

_UPPER_HALF = "▀"
_LOWER_HALF = "▄"
_FULL = "█"

# Bright white and black explicitly, so the code is dark-on-light whatever the terminal's theme.
_FG = {False: "97", True: "30"}
_BG = {False: "107", True: "40"}
_RESET = "\x1b[0m"


def render_qr_png(png: bytes, *, ansi: bool = False, compact: bool = False) -> str | None:
    """The QR code in ``png`` drawn as terminal text, or None if the picture is not a QR code.

    Plain text draws light modules as blocks and dark ones as blanks, which reads right on a dark
    terminal; ``ansi`` paints both colours explicitly, which reads right on any terminal.
    """
    modules = qr_modules(png)
    if modules is None:
        return None
    return draw_modules(modules, ansi=ansi, compact=compact)


def drawing_size(size: int, *, compact: bool = False) -> tuple[int, int]:
    """Columns and lines that :func:`draw_modules` takes for a code of ``size`` modules a side."""
    padded = size + 2 * QUIET_ZONE
    if compact:
        return math.ceil(padded / 2), math.ceil(padded / 3)
    return padded, math.ceil(padded / 2)


def qr_modules(png: bytes) -> Modules | None:
    """The module grid of the QR code in ``png`` (quiet zone excluded), or None."""
    gray = _load_gray(png)
    if gray is None:
        return None
    histogram = gray.histogram()
    levels = [level for level, count in enumerate(histogram) if count]
    low, high = levels[0], levels[-1]
    if high - low < _MIN_CONTRAST:
        return None
    threshold = (low + high) // 2
    dark = gray.point(lambda value: 255 if value < threshold else 0)
    bbox = dark.getbbox()
    if bbox is None:
        return None
    left, top, right, bottom = bbox
    width, height = right - left, bottom - top
    if width < 21 or abs(width - height) > max(2, width // 20):
        return None
    estimate = _estimate_size(dark, left, top, right)
    if estimate is None:
        return None
    best: tuple[float, Modules] | None = None
    # The finder run gives the size to within a version or so; the function patterns decide.
    for size in (estimate - 4, estimate, estimate + 4):
        if not 21 <= size <= 177:
            continue
        modules = _sample(gray, bbox, size, threshold)
        score = _function_pattern_score(modules)
        if best is None or score > best[0]:
            best = (score, modules)
    if best is None or best[0] < _MIN_FUNCTION_MATCH:
        return None
    return best[1]


def draw_modules(
    modules: Sequence[Sequence[bool]], *, ansi: bool = False, compact: bool = False
) -> str:
    """Draw a module grid (``True`` dark) with a quiet zone.

    Two module rows per text line, or with ``compact`` three module rows and two module columns
    per character cell. Light modules fill out the last line and column.
    """
    if compact:
        return _draw_sextants(_padded(modules, across=2, down=3), ansi=ansi)
    rows = _padded(modules, across=1, down=2)
    lines = []
    for upper, lower in zip(rows[::2], rows[1::2], strict=True):
        pairs = list(zip(upper, lower, strict=True))
        lines.append(_ansi_line(pairs) if ansi else _plain_line(pairs))
    return "\n".join(lines)


def _padded(modules: Sequence[Sequence[bool]], *, across: int, down: int) -> Modules:
    """The grid with the quiet zone around it, then light modules up to whole character cells."""
    columns, lines = len(modules[0]) if modules else 0, len(modules)
    width = _round_up(columns + 2 * QUIET_ZONE, across)
    height = _round_up(lines + 2 * QUIET_ZONE, down)
    left = [False] * QUIET_ZONE
    right = [False] * (width - columns - QUIET_ZONE)
    rows = [[False] * width for _ in range(QUIET_ZONE)]
    rows += [left + list(row) + right for row in modules]
    rows += [[False] * width for _ in range(height - len(rows))]
    return rows


def _round_up(value: int, step: int) -> int:
    return -(-value // step) * step


def sextant(cells: Sequence[bool]) -> str:
    """The character that inks the given cells of a 2x3 block, row by row: top left, top right,
    middle left, middle right, bottom left, bottom right."""
    pattern = sum(1 << index for index, inked in enumerate(cells) if inked)
    # The four patterns that older blocks already had are not repeated among the sextants.
    if pattern in _OLDER_BLOCKS:
        return _OLDER_BLOCKS[pattern]
    # Sextants U+1FB00..U+1FB3B count the other 60 patterns in order, skipping those four.
    return chr(0x1FB00 + pattern - 1 - (pattern > 21) - (pattern > 42))


_OLDER_BLOCKS = {0: " ", 21: "▌", 42: "▐", 63: _FULL}


def _draw_sextants(rows: Modules, *, ansi: bool) -> str:
    lines = []
    for top in range(0, len(rows), 3):
        band = rows[top : top + 3]
        cells = [
            [band[r][left + c] for r in range(3) for c in range(2)]
            for left in range(0, len(band[0]), 2)
        ]
        if ansi:
            # Black ink on a white ground, set once for the line: dark modules are the ink.
            line = "".join(sextant(cell) for cell in cells)
            lines.append(f"\x1b[{_FG[True]};{_BG[False]}m{line}{_RESET}")
        else:
            # The terminal's own ink is light on a dark theme: light modules are the ink.
            lines.append("".join(sextant([not dark for dark in cell]) for cell in cells))
    return "\n".join(lines)


def _load_gray(png: bytes) -> Image.Image | None:
    image: Image.Image
    try:
        image = Image.open(io.BytesIO(png))
        image.load()
    except (UnidentifiedImageError, OSError, ValueError):
        return None
    if image.mode in ("RGBA", "LA", "PA") or "transparency" in image.info:
        # Transparent parts show as the chat background, which Telegram draws light.
        rgba = image.convert("RGBA")
        backdrop = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
        image = Image.alpha_composite(backdrop, rgba)
    return image.convert("L")


def _estimate_size(dark: Image.Image, left: int, top: int, right: int) -> int | None:
    """Modules per side, from the top-left finder pattern's top edge: a run of 7 dark modules."""
    # Resampling greys the edges, so the bounding box may start a pixel or two off the finder.
    # Within a third of a version 1 module, or three modules of the largest version, rows reach
    # from the left edge across either the whole finder (7 modules) or its left side (1).
    slack = max(1, (right - left) // 63)
    run = max(_dark_run(dark, y, left, left + slack, right) for y in range(top, top + slack))
    if run < 7:
        return None
    versions = round(((right - left) * 7 / run - 17) / 4)
    if not 1 <= versions <= 40:
        return None
    return 17 + 4 * versions


def _dark_run(dark: Image.Image, y: int, left: int, start_by: int, right: int) -> int:
    """Length of the first run of dark pixels in row ``y`` that starts before ``start_by``."""
    x = left
    while x < start_by and not dark.getpixel((x, y)):
        x += 1
    start = x
    while x < right and dark.getpixel((x, y)):
        x += 1
    return x - start


def _sample(
    gray: Image.Image, bbox: tuple[int, int, int, int], size: int, threshold: int
) -> Modules:
    # Averaging each module over 3x3 sub-cells and keeping the centre one reads the middle third of
    # every module, away from edges that resampling blurred.
    cells = gray.resize((size * 3, size * 3), Image.Resampling.BOX, box=bbox)
    pixels = cells.load()
    assert pixels is not None
    modules: Modules = []
    for row in range(size):
        line = []
        for col in range(size):
            value = pixels[col * 3 + 1, row * 3 + 1]
            assert isinstance(value, int)
            line.append(value < threshold)
        modules.append(line)
    return modules


def _function_pattern_score(modules: Modules) -> float:
    size = len(modules)
    expected: list[tuple[int, int, bool]] = []
    for corner_row, corner_col in ((0, 0), (0, size - 7), (size - 7, 0)):
        for r in range(-1, 8):
            for c in range(-1, 8):
                row, col = corner_row + r, corner_col + c
                if 0 <= row < size and 0 <= col < size:
                    expected.append((row, col, _finder_dark(r, c)))
    for i in range(8, size - 8):
        expected.append((6, i, i % 2 == 0))
        expected.append((i, 6, i % 2 == 0))
    matches = sum(modules[row][col] == want for row, col, want in expected)
    return matches / len(expected)


def _finder_dark(r: int, c: int) -> bool:
    """Whether a finder pattern (with its light separator, at -1 and 7) is dark at (r, c)."""
    if not (0 <= r <= 6 and 0 <= c <= 6):
        return False
    ring = min(r, c, 6 - r, 6 - c)
    return ring != 1


def _plain_line(pairs: list[tuple[bool, bool]]) -> str:
    chars = []
    for upper_dark, lower_dark in pairs:
        if upper_dark and lower_dark:
            chars.append(" ")
        elif upper_dark:
            chars.append(_LOWER_HALF)
        elif lower_dark:
            chars.append(_UPPER_HALF)
        else:
            chars.append(_FULL)
    return "".join(chars)


def _ansi_line(pairs: list[tuple[bool, bool]]) -> str:
    parts = []
    current: tuple[bool, bool] | None = None
    for pair in pairs:
        if pair != current:
            upper_dark, lower_dark = pair
            parts.append(f"\x1b[{_FG[upper_dark]};{_BG[lower_dark]}m")
            current = pair
        parts.append(_UPPER_HALF)
    parts.append(_RESET)
    return "".join(parts)
