"""A terminal chat with the bot through the local Telegram sandbox, as one user in a private chat.

Bot messages are followed through the sandbox's event stream and printed as they arrive: text with
its formatting, QR pictures drawn in the terminal, inline buttons as numbered choices. A typed line
goes to the bot as a message, a bare number presses a button of the latest message with buttons,
``#M N`` button N of message M. Input is read on a thread so that the same code serves a person at
a terminal and a script piped into stdin.

On a terminal, text is wrapped at word boundaries to its width (a word wider than the terminal, such
as an invoice, is left for the terminal to wrap, so that it still copies as one line), and a QR code
is drawn small enough to fit its height, with the message's buttons, when it can.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import math
import os
import re
import shutil
import sys
import threading
import time
import unicodedata
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from itertools import pairwise
from typing import Any, TextIO

import httpx

from sandbox.telegram.client import (
    Button,
    ChatMessage,
    SandboxEvent,
    SandboxRequestError,
    TelegramSandboxClient,
)
from sandbox.terminal_qr import Modules, draw_modules, drawing_size, qr_modules

DEFAULT_USER_ID = 10001
DEFAULT_FIRST_NAME = "Alice"
DEFAULT_USERNAME = "alice"

_LONG_POLL_SECONDS = 10.0
# A piped script waits this long for the bot's first reaction to a line, then for this much quiet.
_REPLY_TIMEOUT = 15.0
_REPLY_QUIET = 0.4
_PRESS_REACTION = 2.0

_ANSI_CODES = {
    "bold": "1",
    "italic": "3",
    "underline": "4",
    "strikethrough": "9",
    "spoiler": "2",
    "code": "36",
    "pre": "36",
    "text_link": "4;34",
    "url": "4;34",
    "blockquote": "3",
}
_PLAIN_MARKS = {"code": "`", "pre": "```"}

_ESCAPE = re.compile(r"\x1b\[[0-?]*[ -/]*[@-~]")
"""A control sequence (CSI), such as an SGR style: zero columns wide, and never to be split."""
_RESET = "\x1b[0m"
_TEXT_ATOM = re.compile(r"(\x1b\[[0-?]*[ -/]*[@-~])|( )|([^ \x1b]+|\x1b)")
_COPY_TEXT_SHOWN = 32
"""Copy buttons show this much of what they copy (an invoice would take five lines)."""
_PRESS_MESSAGE = re.compile(r"#(\d{1,9})(?:\s+(\d{1,3}))?")


@dataclass(frozen=True, slots=True)
class ChatKey:
    """An extra ``:key`` of the chat's own, such as the demo's ``:pay``."""

    name: str
    """The key as typed, then optionally a placeholder for its argument: ``":code [C]"``."""
    help: str
    action: Callable[[str], Awaitable[str]]
    """Does the thing with the rest of the line (maybe empty) and returns a line to show."""

    @property
    def word(self) -> str:
        return self.name.split()[0]


def render_text(text: str, entities: Sequence[Mapping[str, Any]], *, ansi: bool) -> str:
    """Telegram text with its entities as terminal text: ANSI styles, or plain with code marked."""
    units = text.encode("utf-16-le")
    length = len(units) // 2
    spans: list[tuple[int, int, Mapping[str, Any]]] = []
    for entity in entities:
        start = max(0, min(length, int(entity.get("offset", 0))))
        end = max(start, min(length, start + int(entity.get("length", 0))))
        if end > start:
            spans.append((start, end, entity))
    if not spans:
        return text
    out: list[str] = []
    styled = False
    boundaries = sorted({0, length, *(s for s, _, _ in spans), *(e for _, e, _ in spans)})
    for here, after in pairwise(boundaries):
        closing = sorted((s for s in spans if s[1] == here), key=lambda s: -s[0])
        opening = sorted((s for s in spans if s[0] == here), key=lambda s: -s[1])
        out.extend(_close_mark(span[2], ansi=ansi) for span in closing)
        if ansi:
            codes = [_ANSI_CODES.get(str(e.get("type")), "") for s, f, e in spans if s <= here < f]
            codes = [code for code in codes if code]
            if styled or codes:
                out.append("\x1b[0m" + (f"\x1b[{';'.join(codes)}m" if codes else ""))
            styled = bool(codes)
        else:
            out.extend(_PLAIN_MARKS.get(str(span[2].get("type")), "") for span in opening)
        out.append(units[here * 2 : after * 2].decode("utf-16-le", errors="replace"))
    out.extend(
        _close_mark(s[2], ansi=ansi) for s in sorted(spans, key=lambda s: -s[0]) if s[1] == length
    )
    if ansi and styled:
        out.append("\x1b[0m")
    return "".join(out)


def _close_mark(entity: Mapping[str, Any], *, ansi: bool) -> str:
    kind = str(entity.get("type"))
    if kind == "text_link" and entity.get("url"):
        # The link target is part of what the message says; a terminal cannot hide it in a word.
        return f" ({entity['url']})"
    return "" if ansi else _PLAIN_MARKS.get(kind, "")


def display_width(text: str) -> int:
    """Columns that ``text`` (no escape sequences) takes in a terminal; a guess on the wide side.

    Wide and full-width characters (most emoji) take two columns, combining marks and format
    characters none. An emoji presentation selector (U+FE0F) widens the character before it to
    two, as most terminals draw it: guessing too wide only wraps a line a word early, guessing too
    narrow lets the terminal break a word.
    """
    width = 0
    previous = 0
    for char in text:
        if char == "\ufe0f":
            if previous == 1:
                width += 1
                previous = 2
            continue
        previous = _char_width(char)
        width += previous
    return width


def _char_width(char: str) -> int:
    if unicodedata.combining(char) or unicodedata.category(char) in ("Mn", "Me", "Cf", "Cc"):
        return 0
    return 2 if unicodedata.east_asian_width(char) in ("W", "F") else 1


def strip_escapes(text: str) -> str:
    return _ESCAPE.sub("", text)


def wrap_text(text: str, width: int, *, indent: str = "") -> str:
    """Wrap ``text`` at spaces so that no line is wider than ``width`` columns.

    Escape sequences are never split and take no room; styles in force at a break are ended before
    it and started again after it, so each line carries its own. A word wider than ``width`` gets
    a line of its own and is left whole for the terminal to wrap: an invoice or a link then copies
    as one piece. Lines that are continued start with ``indent``. Existing line breaks stay.
    """
    if width < 2:
        return text
    active: list[str] = []
    lines = []
    for line in text.expandtabs().split("\n"):
        wrapped, active = _wrap_line(line, width, indent, active)
        lines.append(wrapped)
    return "\n".join(lines)


def _wrap_line(line: str, width: int, indent: str, active: list[str]) -> tuple[str, list[str]]:
    out: list[str] = []
    column = 0
    gap: list[str] = []
    gap_width = 0
    indent_width = display_width(indent)

    def emit(parts: Sequence[str]) -> int:
        """Write parts, following the styles they set; returns their width."""
        nonlocal active
        shown = 0
        for part in parts:
            if part.startswith("\x1b["):
                active = [] if part in (_RESET, "\x1b[m") else [*active, part]
            else:
                shown += display_width(part)
            out.append(part)
        return shown

    for kind, parts, parts_width in _segments(line):
        if kind == "gap":
            gap, gap_width = parts, parts_width
            continue
        if (column == 0 and not out) or column + gap_width + parts_width <= width:
            # At the start of a line (where a gap is an indentation) or where the word fits.
            column += emit(gap) + emit(parts)
        else:
            # A break instead of the gap: its styles still count.
            emit([part for part in gap if part.startswith("\x1b[")])
            out.append((_RESET if active else "") + "\n" + "".join(active) + indent)
            column = indent_width + emit(parts)
        if column > width:
            # A word too long for a line, wrapped by the terminal: where its last row ends.
            column = (column % width) or width
        gap, gap_width = [], 0
    # Trailing spaces could only push the cursor onto a line of their own.
    emit([part for part in gap if part.startswith("\x1b[")])
    return "".join(out), active


def _segments(line: str) -> list[tuple[str, list[str], int]]:
    """The line as alternating gaps (spaces) and words, each with its parts and its width.

    An escape sequence joins the segment it is found in; parts are whole escape sequences, runs
    of spaces and runs of other characters.
    """
    segments: list[tuple[str, list[str], int]] = []
    for escape, space, other in _TEXT_ATOM.findall(line):
        kind = "gap" if space else "word" if other else (segments[-1][0] if segments else "gap")
        part = escape or space or other
        if not segments or segments[-1][0] != kind:
            segments.append((kind, [], 0))
        last_kind, parts, shown = segments[-1]
        segments[-1] = (last_kind, [*parts, part], shown + (0 if escape else display_width(part)))
    return segments


def screen_lines(text: str, width: int) -> int:
    """How many terminal lines ``text`` fills when the terminal wraps its long lines."""
    return sum(
        max(1, math.ceil(display_width(strip_escapes(line)) / width)) for line in text.split("\n")
    )


def _shortened(text: str, limit: int = _COPY_TEXT_SHOWN) -> str:
    if len(text) <= limit:
        return text
    tail = limit // 4
    return f"{text[: limit - tail - 1]}…{text[-tail:]}"


def numbered_buttons(buttons: Sequence[Button]) -> list[Button]:
    """Buttons in reading order, row by row: button N of a message is element N - 1."""
    return sorted(buttons, key=lambda b: (b.row, b.col))


def format_buttons(buttons: Sequence[Button], *, ansi: bool, width: int | None = None) -> str:
    """Numbered choices, one text line per keyboard row.

    With a ``width``, a row too wide for it goes on as many lines as it needs, breaking between
    choices where it can, and a choice that goes on is indented under its label.
    """
    lines: list[str] = []
    current_row: int | None = None
    for number, button in enumerate(numbered_buttons(buttons), start=1):
        label = f"[{number}]"
        if ansi:
            label = f"\x1b[1;33m{label}\x1b[0m"
        choice = f"{label} {button.text}"
        if button.url:
            choice += f" → {button.url}"
        elif button.copy_text:
            choice += f" (copy: {_shortened(button.copy_text)})"
        joined = f"{lines[-1]}  {choice}" if lines else choice
        if button.row != current_row or (
            width is not None and display_width(strip_escapes(joined)) > width
        ):
            lines.append(choice)
            current_row = button.row
        else:
            lines[-1] = joined
    if width is not None:
        lines = [wrap_text(line, width, indent="    ") for line in lines]
    return "\n".join(lines)


class TerminalChat:
    """One user's side of a private chat with the bot, printed to ``output``."""

    def __init__(
        self,
        client: TelegramSandboxClient,
        output: TextIO,
        *,
        user_id: int,
        ansi: bool,
        interactive: bool,
        echo_input: bool,
        keys: Sequence[ChatKey] = (),
    ) -> None:
        self.client = client
        self.output = output
        self.user_id = user_id
        self.chat_id = user_id  # a private chat's id is the user's id
        self.ansi = ansi
        self.interactive = interactive
        self.echo_input = echo_input
        self.keys = {key.word: key for key in keys}
        self.terminal = _is_tty(output)
        """Output goes to a terminal: wrap text to its width, fit QR codes to its height."""
        self.messages: dict[int, ChatMessage] = {}
        # When each message was last sent or edited: a bare number presses the buttons the
        # person saw last (a card edited to "Done" after the code message, say), not the ones
        # of the highest message id.
        self._shown_at: dict[int, int] = {}
        self._shows = 0
        self.deleted: set[int] = set()
        self.activity = 0
        """Bot messages shown, edited or deleted so far: lets a script wait for the reply."""
        self.last_activity = time.monotonic()
        self._shown_photos: dict[int, str] = {}
        self._qr_codes: dict[str, Modules | None] = {}

    # Output

    def screen(self) -> tuple[int, int] | None:
        """The terminal's columns and lines now (it may have been resized); None off a terminal."""
        if not self.terminal:
            return None
        size = shutil.get_terminal_size()
        return size.columns, size.lines

    def fit(self, text: str, *, indent: str = "") -> str:
        """``text`` wrapped to the terminal's width (off a terminal, as it is)."""
        screen = self.screen()
        return text if screen is None else wrap_text(text, screen[0], indent=indent)

    def write(self, block: str, *, prompt: bool = True) -> None:
        """Print a block of lines, keeping the prompt at the bottom of an interactive terminal."""
        if self.interactive:
            block = "\r\x1b[K" + block + ("\n› " if prompt else "\n")
        else:
            block += "\n"
        self.output.write(block)
        self.output.flush()

    def note(self, line: str, *, prompt: bool = True) -> None:
        self.write(self.fit(f"\x1b[2m{line}\x1b[0m" if self.ansi else line), prompt=prompt)

    def header(self, message: ChatMessage, *, edited: bool) -> str:
        when = datetime.now() if edited else _as_datetime(message.date)
        title = f"── Bot · #{message.message_id}"
        if edited:
            title += " (edited)"
        title += f" · {when:%H:%M:%S} "
        width = min(72, shutil.get_terminal_size((72, 24)).columns)
        title += "─" * max(3, width - len(title))
        return f"\x1b[1;36m{title}\x1b[0m" if self.ansi else title

    async def show(
        self, message: ChatMessage, *, edited: bool = False, again: bool = False
    ) -> None:
        """Print a message; ``again`` redraws its picture even if it was drawn before."""
        if again:
            self._shown_photos.pop(message.message_id, None)
        parts = [self.header(message, edited=edited)]
        body = message.body or ""
        if body:
            parts.append(self.fit(render_text(body, message.entities or [], ansi=self.ansi)))
        screen = self.screen()
        buttons = ""
        if message.buttons:
            width = None if screen is None else screen[0]
            buttons = format_buttons(message.buttons, ansi=self.ansi, width=width)
        if message.photo_file_id:
            # What must fit under the top of the picture: its label, the buttons, the prompt.
            below = 2 + (screen_lines(buttons, screen[0]) if buttons and screen else 0)
            parts.append(await self._photo(message, below))
        if buttons:
            parts.append(buttons)
        self.write("\n".join(parts))

    async def _photo(self, message: ChatMessage, below: int = 2) -> str:
        file_id = message.photo_file_id
        assert file_id is not None
        if self._shown_photos.get(message.message_id) == file_id:
            # A caption or keyboard edit keeps the picture; drawing a QR again would bury the text.
            return f"[same picture as above: #{message.message_id} draws it again]"
        self._shown_photos[message.message_id] = file_id
        if file_id not in self._qr_codes:
            try:
                png = await self.client.file_bytes(file_id)
            except (httpx.HTTPError, SandboxRequestError):
                png = b""
            self._qr_codes[file_id] = qr_modules(png)
        modules = self._qr_codes[file_id]
        if modules is None:
            return "[photo]"
        return f"[QR code]\n{self._draw_qr(modules, below)}"

    def _draw_qr(self, modules: Modules, below: int) -> str:
        """The code drawn to fit the terminal with ``below`` more lines: a camera needs all of it.

        The full drawing (square modules) where it fits, else the compact one (two thirds of the
        lines); if even that is cut off or wrapped, a hint says how big the terminal must be.
        """
        screen = self.screen()
        if screen is None:
            return draw_modules(modules, ansi=self.ansi)
        columns, lines = screen
        for compact in (False, True):
            width, height = drawing_size(len(modules), compact=compact)
            if width <= columns and height + below <= lines:
                return draw_modules(modules, ansi=self.ansi, compact=compact)
        drawing = draw_modules(modules, ansi=self.ansi, compact=True)
        width, height = drawing_size(len(modules), compact=True)
        # The label above and the prompt below; the buttons may scroll the top of it away.
        needed_lines = height + 2
        if width > columns or needed_lines > lines:
            drawing += (
                f"\n(the QR code needs a terminal of {width} columns and {needed_lines} lines;"
                f" this one has {columns} and {lines}: enlarge it)"
            )
        return drawing

    # Following the bot

    async def follow(self, after: int) -> None:
        """Show the bot's messages, edits and deletions in this chat as they happen, forever."""
        failures = 0
        while True:
            try:
                events = await self.client.events(after=after, timeout=_LONG_POLL_SECONDS)
            except (httpx.HTTPError, SandboxRequestError) as error:
                failures += 1
                if failures == 3:
                    self.note(f"(lost the Telegram sandbox: {error!r}; still trying)")
                await asyncio.sleep(min(5.0, 0.2 * failures))
                continue
            failures = 0
            for event in events:
                after = max(after, event.seq)
                await self.handle_event(event)

    async def handle_event(self, event: SandboxEvent) -> None:
        if event.chat_id != self.chat_id:
            return
        message = event.message
        if event.type in ("sent", "edited") and message is not None:
            self.messages[message.message_id] = message
            self._shows += 1
            self._shown_at[message.message_id] = self._shows
            if message.from_bot:
                await self.show(message, edited=event.type == "edited")
                self._mark_activity()
        elif event.type == "deleted" and event.message_id is not None:
            gone = self.messages.pop(event.message_id, None)
            self.deleted.add(event.message_id)
            whose = "your " if gone is not None and not gone.from_bot else ""
            self.note(f"── Bot deleted {whose}message #{event.message_id}")
            self._mark_activity()

    def _mark_activity(self) -> None:
        self.activity += 1
        self.last_activity = time.monotonic()

    async def settle(self, since: int, within: float = _REPLY_TIMEOUT) -> None:
        """Wait for the bot to react to something done at activity ``since``, then to go quiet."""
        deadline = time.monotonic() + within
        while time.monotonic() < deadline:
            quiet_for = time.monotonic() - self.last_activity
            if self.activity > since and quiet_for >= _REPLY_QUIET:
                return
            await asyncio.sleep(0.05)

    async def load_history(self) -> None:
        """Remember the chat's messages so far, so that numbers press buttons of a chat resumed."""
        try:
            earlier = await self.client.messages(self.chat_id)
        except SandboxRequestError as error:
            if error.status == 404:
                return  # the private chat starts with the user's first message
            raise
        self.messages.update((m.message_id, m) for m in earlier if not m.deleted)

    # Acting as the user

    def latest_with_buttons(self) -> ChatMessage | None:
        """The bot message with buttons that was sent or edited last (newest id on a tie)."""
        candidates = [m for m in self.messages.values() if m.from_bot and m.buttons]
        return max(
            candidates,
            key=lambda m: (self._shown_at.get(m.message_id, 0), m.message_id),
            default=None,
        )

    async def handle_line(self, line: str) -> float | None:
        """Act on one line of input.

        Returns how long the bot may take to react (0 when nothing is expected of it), or None
        when the user leaves.
        """
        text = line.strip()
        if not text:
            return 0.0
        if text in ("/quit", ":quit", ":q"):
            return None
        if self.echo_input:
            self.note(f"› {text}")
        try:
            if text.isascii() and text.isdigit() and len(text) < 4:
                return await self.press(int(text))
            if text.isascii() and (match := _PRESS_MESSAGE.fullmatch(text)):
                message_id = int(match[1])
                if match[2] is None:
                    await self.show_again(message_id)
                    return 0.0
                return await self.press(int(match[2]), message_id)
            if text.startswith(":"):
                await self.chat_key(text)
                return 0.0
            sent = await self.client.send(self.user_id, text, chat_id=self.chat_id)
            # The sandbox has no event for the user's own messages; their numbers count too.
            self.messages.setdefault(sent.message_id, sent)
        except (httpx.HTTPError, SandboxRequestError) as error:
            self.note(f"(the Telegram sandbox did not take that: {error})")
            return 0.0
        return _REPLY_TIMEOUT

    def message_with_buttons(self, message_id: int) -> ChatMessage | None:
        """Message ``message_id`` if it has buttons; else None, and a note that says why."""
        message = self.messages.get(message_id)
        if message is None:
            self.note(self._missing(message_id))
        elif not message.from_bot:
            self.note(f"(message #{message_id} is yours: only the bot's messages have buttons)")
        elif not message.buttons:
            self.note(f"(message #{message_id} has no buttons)")
        else:
            return message
        return None

    def _missing(self, message_id: int) -> str:
        """Why there is no message ``message_id`` to show or press, and which ones there are."""
        if message_id in self.deleted:
            return f"(message #{message_id} was deleted)"
        shown = sorted(m.message_id for m in self.messages.values() if m.from_bot and m.buttons)
        if not shown:
            return f"(there is no message #{message_id} in this chat, and none with buttons yet)"
        listed = ", ".join(f"#{number}" for number in shown[-5:])
        return f"(there is no message #{message_id} in this chat; messages with buttons: {listed})"

    async def show_again(self, message_id: int) -> None:
        message = self.messages.get(message_id)
        if message is None:
            self.note(self._missing(message_id))
        elif not message.from_bot:
            self.note(f"(message #{message_id} is one of yours: {message.body or ''})")
        else:
            await self.show(message, again=True)

    async def press(self, number: int, message_id: int | None = None) -> float:
        """Press button ``number`` of message ``message_id`` (by default the latest one with
        buttons); returns how long the bot may take to react."""
        if message_id is None:
            message = self.latest_with_buttons()
            if message is None:
                self.note("(no message with buttons yet: type a message, or :help)")
                return 0.0
        elif (message := self.message_with_buttons(message_id)) is None:
            return 0.0
        buttons = numbered_buttons(message.buttons)
        if not 1 <= number <= len(buttons):
            self.note(f"(message #{message.message_id} has buttons 1 to {len(buttons)})")
            return 0.0
        button = buttons[number - 1]
        self.note(f"› pressed [{number}] {button.text} on message #{message.message_id}")
        if button.url:
            self.note(f"  it is a link: {button.url}")
            return 0.0
        if button.copy_text is not None:
            self.note(f"  copied: {button.copy_text}")
            return 0.0
        if button.callback_data is None:
            self.note("  (this kind of button does nothing in the terminal)")
            return 0.0
        answer = await self.client.press_data(
            self.user_id, self.chat_id, message.message_id, button.callback_data
        )
        if not answer.answered:
            self.note("  (the bot did not answer the press)")
        elif answer.text:
            self.note(f"  ⚠ alert: {answer.text}" if answer.show_alert else f"  ↳ {answer.text}")
        if answer.url:
            self.note(f"  ↳ the bot opens {answer.url}")
        # The press is answered by now; an edit or a new message, if any, comes with the answer.
        return _PRESS_REACTION

    async def chat_key(self, text: str) -> None:
        name, _, argument = text.partition(" ")
        if name == ":help":
            self.write(self.help_text(await self.bot_commands()))
        elif name == ":buttons":
            message = self.latest_with_buttons()
            if message is None:
                self.note("(no message with buttons yet)")
            else:
                await self.show(message, again=True)
        elif name == ":wait":
            try:
                seconds = float(argument or "1")
            except ValueError:
                self.note("(:wait takes seconds, like :wait 5)")
                return
            await asyncio.sleep(max(0.0, min(seconds, 600.0)))
        elif name in self.keys:
            self.note(await self.keys[name].action(argument.strip()))
        else:
            self.note(f"(unknown key {name}; :help lists them)")

    async def bot_commands(self) -> list[dict[str, str]]:
        """The command menu Telegram would show this user: the most specific scope set wins."""
        scopes: list[dict[str, Any]] = [
            {"type": "chat", "chat_id": self.chat_id},
            {"type": "all_private_chats"},
            {"type": "default"},
        ]
        for scope in scopes:
            for language in ("en", ""):
                commands = await self.client.commands(scope, language)
                if commands:
                    return commands
        return []

    def help_text(self, bot_commands: Sequence[Mapping[str, str]] = ()) -> str:
        rows = [
            ("text", "sent to the bot as a message (commands too, like /start)"),
            ("N", "press button N of the latest message with buttons"),
            (
                "#M N",
                "press button N of message M, an older one too (its header shows its number:"
                " ── Bot · #M); #24 2 presses button 2 of message 24",
            ),
            ("#M", "show message M again"),
            (":buttons", "show the latest message with buttons again"),
            (":wait S", "wait S seconds (for scripts piped into the chat)"),
            *((key.name, key.help) for key in self.keys.values()),
            (":help", "this list"),
            ("/quit", "leave (Ctrl-D too)"),
        ]
        column = max(9, *(len(key) for key, _ in rows))
        indent = " " * (column + 3)
        lines = ["Keys of this terminal chat:"]
        lines += [self.fit(f"  {key:<{column}} {meaning}", indent=indent) for key, meaning in rows]
        if bot_commands:
            lines.append("The bot's commands:")
            lines += [
                self.fit(
                    f"  /{c.get('command', ''):<8} {c.get('description', '')}", indent=" " * 12
                )
                for c in bot_commands
            ]
        return "\n".join(lines)


def _as_datetime(value: object) -> datetime:
    if isinstance(value, datetime):
        return value.astimezone()
    if isinstance(value, int | float):
        return datetime.fromtimestamp(value).astimezone()
    return datetime.now().astimezone()


async def _read_lines(stream: TextIO, queue: asyncio.Queue[str | None]) -> None:
    """Feed ``queue`` with lines from ``stream`` on a thread, then None at end of input."""
    loop = asyncio.get_running_loop()

    def reader() -> None:
        try:
            for line in iter(stream.readline, ""):
                loop.call_soon_threadsafe(queue.put_nowait, line)
        except (OSError, ValueError):
            pass  # the stream was closed under us: that is the end of input too
        with contextlib.suppress(RuntimeError):
            loop.call_soon_threadsafe(queue.put_nowait, None)

    # A daemon thread: a blocked read on a terminal must not keep the process alive after /quit.
    threading.Thread(target=reader, name="chat-input", daemon=True).start()


def _is_tty(stream: TextIO) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False


async def run_chat(
    telegram_url: str,
    user_id: int = DEFAULT_USER_ID,
    first_name: str = DEFAULT_FIRST_NAME,
    *,
    username: str | None = DEFAULT_USERNAME,
    input_stream: TextIO | None = None,
    output: TextIO | None = None,
    ansi: bool | None = None,
    wait_for_replies: bool | None = None,
    keys: Sequence[ChatKey] = (),
    language_code: str | None = "en",
) -> None:
    """Chat with the bot until /quit or end of input, as a user whose Telegram app has the
    language `language_code`.

    ``ansi`` defaults to styling when ``output`` is a terminal (and NO_COLOR is unset).
    ``wait_for_replies``, on by default when input is not a terminal, makes each line wait for the
    bot's answer to the one before, so that a piped script presses buttons that exist.
    """
    input_stream = sys.stdin if input_stream is None else input_stream
    output = sys.stdout if output is None else output
    interactive = _is_tty(input_stream) and _is_tty(output)
    if ansi is None:
        ansi = _is_tty(output) and not os.environ.get("NO_COLOR")
    if wait_for_replies is None:
        wait_for_replies = not _is_tty(input_stream)
    timeout = httpx.Timeout(_LONG_POLL_SECONDS + 20.0, connect=5.0)
    # trust_env=False: the sandbox is local, whatever proxy the environment names.
    async with httpx.AsyncClient(timeout=timeout, trust_env=False) as http:
        client = TelegramSandboxClient(telegram_url, http)
        await client.create_user(
            user_id, first_name, username=username, language_code=language_code
        )
        chat = TerminalChat(
            client,
            output,
            user_id=user_id,
            ansi=ansi,
            interactive=interactive,
            echo_input=not _is_tty(input_stream),
            keys=keys,
        )
        start = await client.events(after=0, timeout=0.0)
        await chat.load_history()
        chat.note(
            f"Chatting with the bot as {first_name} (user {user_id}). "
            "Type a message, a number to press a button (#M N: button N of message M), "
            ":help for keys, /quit to leave. "
            f"Your Telegram app's language: {language_code or 'none'}."
        )
        follower = asyncio.create_task(chat.follow(max((e.seq for e in start), default=0)))
        lines: asyncio.Queue[str | None] = asyncio.Queue()
        await _read_lines(input_stream, lines)
        try:
            while (line := await lines.get()) is not None:
                before = chat.activity
                reaction = await chat.handle_line(line)
                if reaction is None:
                    break
                if wait_for_replies and reaction:
                    await chat.settle(before, reaction)
        finally:
            follower.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await follower
        chat.note("Bye.", prompt=False)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m sandbox.chat", description="Chat with the bot through the Telegram sandbox."
    )
    parser.add_argument("--telegram-url", required=True, help="the Telegram sandbox's base URL")
    parser.add_argument("--user-id", type=int, default=DEFAULT_USER_ID)
    parser.add_argument("--first-name", default=DEFAULT_FIRST_NAME)
    args = parser.parse_args(argv)
    try:
        asyncio.run(run_chat(args.telegram_url, args.user_id, args.first_name))
    except KeyboardInterrupt:
        return 130
    except (httpx.HTTPError, SandboxRequestError) as error:
        print(f"Cannot reach the Telegram sandbox at {args.telegram_url}: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
