"""A small terminal emulator and a pty driver, so tests see the terminal chat as a person would.

``Screen`` keeps what an 80x24 terminal shows: it wraps at the last column as terminals do (and
remembers which rows it wrapped), scrolls, erases, and follows SGR styles and colours. Character
widths are those of a common terminal (wide East Asian characters and most emoji take two columns;
an emoji presentation selector changes nothing, as in VTE). ``screen_picture`` paints the screen as
pixels, block characters exactly and other characters as a blot of ink, for a QR reader to decode.

``PtyProcess`` runs a command on a pseudo-terminal of a given size and feeds its output to a
``Screen``; tests wait on output, not on time.
"""

from __future__ import annotations

import asyncio
import codecs
import contextlib
import fcntl
import os
import pty
import re
import struct
import subprocess
import termios
import time
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from PIL import Image, ImageDraw

Style = tuple[frozenset[str], str | None, str | None]
"""SGR attributes (bold 1, dim 2...), foreground and background colour codes (None: default)."""

_PLAIN: Style = (frozenset(), None, None)
_CSI = re.compile(r"\x1b\[([0-?]*)([ -/]*)([@-~])")


@dataclass
class Cell:
    char: str = " "
    style: Style = _PLAIN


def char_width(char: str) -> int:
    if unicodedata.combining(char) or unicodedata.category(char) in ("Mn", "Me", "Cf"):
        return 0
    return 2 if unicodedata.east_asian_width(char) in ("W", "F") else 1


@dataclass
class Screen:
    columns: int = 80
    lines: int = 24
    rows: list[list[Cell]] = field(default_factory=list)
    wrapped: list[bool] = field(default_factory=list)
    """Row i ran on into row i + 1 because it was full (not because of a line feed)."""
    x: int = 0
    y: int = 0
    style: Style = _PLAIN
    _pending: str = ""

    def __post_init__(self) -> None:
        self.rows = [self._blank() for _ in range(self.lines)]
        self.wrapped = [False] * self.lines

    def _blank(self) -> list[Cell]:
        return [Cell() for _ in range(self.columns)]

    def feed(self, text: str) -> None:
        text = self._pending + text
        self._pending = ""
        i = 0
        while i < len(text):
            char = text[i]
            if char == "\x1b":
                match = _CSI.match(text, i)
                if match is None:
                    if len(text) - i < 32 and "\n" not in text[i:]:
                        self._pending = text[i:]  # an escape cut in two by a read
                        return
                    i += 2
                    continue
                self._control(match[1], match[3])
                i = match.end()
                continue
            if char == "\r":
                self.x = 0
            elif char == "\n":
                self._line_feed()
            elif char == "\b":
                self.x = max(0, min(self.x, self.columns - 1) - 1)
            elif ord(char) >= 32:
                self._put(char)
            i += 1

    def _line_feed(self) -> None:
        if self.y == self.lines - 1:
            self.rows = [*self.rows[1:], self._blank()]
            self.wrapped = [*self.wrapped[1:], False]
        else:
            self.y += 1

    def _put(self, char: str) -> None:
        width = char_width(char)
        if width == 0:
            # Combining marks and selectors join the character before them.
            row = self.rows[self.y]
            before = next(
                (x for x in range(min(self.x, self.columns) - 1, -1, -1) if row[x].char), None
            )
            if before is not None:
                row[before].char += char
            return
        if self.x + width > self.columns:
            self.wrapped[self.y] = True
            self.x = 0
            self._line_feed()
        self.rows[self.y][self.x] = Cell(char, self.style)
        if width == 2:
            self.rows[self.y][self.x + 1] = Cell("", self.style)
        # x may reach the width: the next character wraps (xterm's pending wrap).
        self.x += width

    def _control(self, params: str, final: str) -> None:
        if final == "m":
            self._sgr(params)
        elif final == "K" and params in ("", "0"):
            for x in range(min(self.x, self.columns), self.columns):
                self.rows[self.y][x] = Cell(" ", (frozenset(), None, self.style[2]))

    def _sgr(self, params: str) -> None:
        attrs, fg, bg = self.style
        for code in params.split(";") if params else ["0"]:
            number = int(code or "0")
            if number == 0:
                attrs, fg, bg = frozenset(), None, None
            elif 30 <= number <= 37 or 90 <= number <= 97:
                fg = code
            elif number == 39:
                fg = None
            elif 40 <= number <= 47 or 100 <= number <= 107:
                bg = code
            elif number == 49:
                bg = None
            else:
                attrs = attrs | {str(number)}
        self.style = (attrs, fg, bg)

    def text(self, row: int) -> str:
        return "".join(cell.char for cell in self.rows[row]).rstrip()

    def texts(self) -> list[str]:
        return [self.text(row) for row in range(self.lines)]

    def dump(self) -> str:
        return "\n".join(
            f"{'↩' if wrapped else ' '}|{line}"
            for line, wrapped in zip(self.texts(), self.wrapped, strict=True)
        )


# Painting the screen, as a camera would see it.

_GREY = {"30": 0, "90": 90, "37": 200, "97": 255, "40": 0, "100": 90, "47": 200, "107": 255}
DEFAULT_FG = 210
DEFAULT_BG = 20
"""A dark theme: light grey text on a near-black background."""


def _shade(code: str | None, default: int) -> int:
    return default if code is None else _GREY.get(code, 150)


def ink_boxes(char: str) -> list[tuple[float, float, float, float]] | None:
    """The inked parts of a block character as fractions of its cell, or None for other text."""
    if char in (" ", ""):
        return []
    if char == "█":
        return [(0, 0, 1, 1)]
    halves = {"▀": (0, 0, 1, 0.5), "▄": (0, 0.5, 1, 1), "▌": (0, 0, 0.5, 1), "▐": (0.5, 0, 1, 1)}
    if char in halves:
        return [halves[char]]
    index = ord(char[0]) - 0x1FB00 if len(char) == 1 else -1
    if 0 <= index < 60:
        pattern = index + 1 + (index >= 20) + (index >= 40)
        return [
            ((bit % 2) / 2, (bit // 2) / 3, (bit % 2 + 1) / 2, (bit // 2 + 1) / 3)
            for bit in range(6)
            if pattern & (1 << bit)
        ]
    return None


def screen_picture(screen: Screen, cell: tuple[int, int] = (8, 16)) -> Image.Image:
    """The screen in pixels: ``cell`` is a character cell's width and height."""
    width, height = cell
    image = Image.new("L", (screen.columns * width, screen.lines * height), DEFAULT_BG)
    draw = ImageDraw.Draw(image)
    for y, row in enumerate(screen.rows):
        for x, item in enumerate(row):
            attrs, fg_code, bg_code = item.style
            fg, bg = _shade(fg_code, DEFAULT_FG), _shade(bg_code, DEFAULT_BG)
            if "7" in attrs:
                fg, bg = bg, fg
            left, top = x * width, y * height
            draw.rectangle((left, top, left + width - 1, top + height - 1), fill=bg)
            boxes = ink_boxes(item.char)
            if boxes is None:
                # Text: some ink in the middle of the cell.
                boxes = [(0.2, 0.3, 0.8, 0.8)]
            for x0, y0, x1, y1 in boxes:
                draw.rectangle(
                    (
                        left + round(x0 * width),
                        top + round(y0 * height),
                        left + round(x1 * width) - 1,
                        top + round(y1 * height) - 1,
                    ),
                    fill=fg,
                )
    return image


# A process on a pseudo-terminal.


class PtyProcess:
    """``argv`` on a pty of the given size; its output goes to ``screen`` and ``output``."""

    def __init__(
        self, argv: Sequence[str], env: dict[str, str], *, columns: int = 80, lines: int = 24
    ) -> None:
        self.screen = Screen(columns, lines)
        self.output = ""
        self._decoder = codecs.getincrementaldecoder("utf-8")(errors="replace")
        self._changed = asyncio.Event()
        self.closed = False
        master, slave = pty.openpty()
        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", lines, columns, 0, 0))
        self._master = master
        try:
            self.process = subprocess.Popen(
                list(argv), stdin=slave, stdout=slave, stderr=slave, env=env, start_new_session=True
            )
        finally:
            os.close(slave)
        os.set_blocking(master, False)
        asyncio.get_running_loop().add_reader(master, self._read)

    def _read(self) -> None:
        try:
            data = os.read(self._master, 65536)
        except BlockingIOError:
            return
        except OSError:
            data = b""  # EIO: the other side is closed
        if not data:
            self._stop_reading()
            return
        text = self._decoder.decode(data)
        self.output += text
        self.screen.feed(text)
        self._changed.set()

    def _stop_reading(self) -> None:
        if not self.closed:
            self.closed = True
            asyncio.get_running_loop().remove_reader(self._master)
            self._changed.set()

    async def wait_for(self, ready: Callable[[], bool], timeout: float = 15.0) -> None:
        """Until ``ready()``, checked after each piece of output; fails with the screen shown."""
        deadline = time.monotonic() + timeout
        while not ready():
            left = deadline - time.monotonic()
            if left <= 0 or self.closed:
                raise AssertionError(f"not seen in time; the screen:\n{self.screen.dump()}")
            self._changed.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._changed.wait(), left)

    async def wait_for_text(self, text: str, start: int = 0, timeout: float = 15.0) -> int:
        """Until ``text`` is in the output after ``start``; returns where it ends."""
        await self.wait_for(lambda: self.output.find(text, start) >= 0, timeout)
        return self.output.find(text, start) + len(text)

    def type(self, line: str) -> int:
        """Type a line and Enter; returns where in the output its answer starts."""
        mark = len(self.output)
        os.write(self._master, line.encode() + b"\r")
        return mark

    async def close(self, timeout: float = 10.0) -> int:
        with contextlib.suppress(OSError):
            os.write(self._master, b"\x04")  # Ctrl-D: end of input
        try:
            code = await asyncio.wait_for(asyncio.to_thread(self.process.wait), timeout)
        except TimeoutError:
            self.process.kill()
            code = await asyncio.to_thread(self.process.wait)
        # Whatever is left in the pty, then the end.
        self._read()
        self._stop_reading()
        os.close(self._master)
        return code


# The emulator's own behaviour, which the chat's tests rely on.


def test_screen_wraps_at_the_last_column_and_marks_the_row() -> None:
    screen = Screen(10, 3)
    screen.feed("0123456789")
    assert screen.texts() == ["0123456789", "", ""]
    assert screen.wrapped == [False, False, False]  # a full row wraps only on the next character
    screen.feed("ab\r\ncd")
    assert screen.texts() == ["0123456789", "ab", "cd"]
    assert screen.wrapped == [True, False, False]
    screen.feed("\r\nend")
    assert screen.texts() == ["ab", "cd", "end"]
    assert screen.wrapped == [False, False, False]


def test_screen_wide_characters_styles_and_erase() -> None:
    screen = Screen(6, 2)
    screen.feed("abcde🧾")
    assert screen.texts() == ["abcde", "🧾"]
    assert screen.wrapped[0]
    screen.feed("\x1b[1;30;107mX\x1b[0mY\rZZ\x1b[K")
    assert screen.texts()[1] == "ZZ"
    screen.feed("\r\x1b[1mB\x1b[0m\x1b[36mC")
    row = screen.rows[1]
    assert row[0].style == (frozenset({"1"}), None, None)
    assert row[1].style == (frozenset(), "36", None)


def test_screen_keeps_an_escape_cut_between_two_reads() -> None:
    screen = Screen(10, 2)
    screen.feed("a\x1b[1")
    screen.feed(";36mb")
    assert screen.texts()[0] == "ab"
    assert screen.rows[0][1].style == (frozenset({"1"}), "36", None)


def test_picture_inks_blocks_and_sextants_exactly() -> None:
    screen = Screen(2, 1)
    screen.feed("\x1b[30;107m▀\U0001fb00\x1b[0m")  # upper half; sextant 1 (top left)
    picture = screen_picture(screen, (6, 12))
    assert picture.getpixel((3, 2)) == 0 and picture.getpixel((3, 9)) == 255
    assert picture.getpixel((7, 1)) == 0 and picture.getpixel((10, 1)) == 255
    assert picture.getpixel((7, 5)) == 255
