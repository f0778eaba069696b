"""Formatted text as Telegram handles it: HTML parsing into plain text plus entities, explicit
entity lists, trimming, and rendering entities back to HTML for humans reading the sandbox.

Offsets and lengths are in UTF-16 code units, as in the Bot API. The HTML parser follows the
rules and error messages of Telegram's own parser (tdlib's parse_html), so a message the
sandbox accepts is one Telegram accepts too.
"""

import html
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sandbox.telegram.errors import ApiError, bad_request

Entity = dict[str, Any]

_SUPPORTED_TAGS = frozenset(
    {
        "a",
        "b",
        "strong",
        "i",
        "em",
        "s",
        "strike",
        "del",
        "u",
        "ins",
        "tg-spoiler",
        "tg-emoji",
        "span",
        "pre",
        "code",
        "blockquote",
    }
)
_SIMPLE_TAG_TYPES = {
    "b": "bold",
    "strong": "bold",
    "i": "italic",
    "em": "italic",
    "s": "strikethrough",
    "strike": "strikethrough",
    "del": "strikethrough",
    "u": "underline",
    "ins": "underline",
    "tg-spoiler": "spoiler",
    "code": "code",
}
_NAMED_ENTITIES = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}
_ENTITY_REFERENCE = re.compile(r"&(?:#([0-9]{1,8})|#[xX]([0-9a-fA-F]{1,8})|([a-zA-Z]+));")
_SPACES = " \t\r\n\v\f"
_PENDING_LANGUAGE = "_language"

ENTITY_TYPES = frozenset(
    {
        "mention",
        "hashtag",
        "cashtag",
        "bot_command",
        "url",
        "email",
        "phone_number",
        "bold",
        "italic",
        "underline",
        "strikethrough",
        "spoiler",
        "blockquote",
        "expandable_blockquote",
        "code",
        "pre",
        "text_link",
        "text_mention",
        "custom_emoji",
        "date_time",
    }
)

UserLookup = Callable[[int], dict[str, Any] | None]


def utf16_len(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def _parse_error(detail: str) -> ApiError:
    return bad_request(f"can't parse entities: {detail}")


@dataclass
class _OpenTag:
    name: str
    argument: str
    utf16_offset: int
    text_index: int
    byte_offset: int


class _HtmlParser:
    def __init__(self, source: str, lookup_user: UserLookup) -> None:
        self.source = source
        self.lookup_user = lookup_user
        self.pos = 0
        self.out: list[str] = []
        self.out_len = 0
        self.utf16 = 0
        self.entities: list[Entity] = []
        self.open_tags: list[_OpenTag] = []

    def byte_offset(self, index: int) -> int:
        return len(self.source[:index].encode("utf-8"))

    def char(self, index: int) -> str:
        return self.source[index] if index < len(self.source) else ""

    def emit(self, text: str) -> None:
        self.out.append(text)
        self.out_len += len(text)
        self.utf16 += utf16_len(text)

    def decode_reference(self, index: int) -> tuple[str, int] | None:
        """An HTML entity reference at index: its character and the index past it."""
        match = _ENTITY_REFERENCE.match(self.source, index)
        if match is None:
            return None
        decimal, hexadecimal, name = match.groups()
        if name is not None:
            if name not in _NAMED_ENTITIES:
                return None
            return _NAMED_ENTITIES[name], match.end()
        code = int(decimal) if decimal is not None else int(hexadecimal, 16)
        if code == 0 or code > 0x10FFFF or 0xD800 <= code <= 0xDFFF:
            return None
        return chr(code), match.end()

    def parse(self) -> tuple[str, list[Entity]]:
        source = self.source
        while self.pos < len(source):
            c = source[self.pos]
            if c == "&":
                decoded = self.decode_reference(self.pos)
                if decoded is not None:
                    self.emit(decoded[0])
                    self.pos = decoded[1]
                    continue
            if c != "<":
                self.emit(c)
                self.pos += 1
                continue
            if self.char(self.pos + 1) == "/":
                self.parse_end_tag()
            else:
                self.parse_start_tag()
        if self.open_tags:
            raise _parse_error(
                f'Can\'t find end tag corresponding to start tag "{self.open_tags[-1].name}"'
            )
        for entity in self.entities:
            entity.pop(_PENDING_LANGUAGE, None)
        self.entities.sort(key=lambda entity: (entity["offset"], -entity["length"]))
        return "".join(self.out), self.entities

    def parse_start_tag(self) -> None:
        source = self.source
        begin = self.pos
        begin_byte = self.byte_offset(begin)
        i = begin + 1
        while i < len(source) and source[i] not in _SPACES and source[i] != ">":
            i += 1
        if i >= len(source):
            raise _parse_error(f"Unclosed start tag at byte offset {begin_byte}")
        tag = source[begin + 1 : i].lower()
        if tag not in _SUPPORTED_TAGS:
            raise _parse_error(f'Unsupported start tag "{tag}" at byte offset {begin_byte}')
        argument = ""
        while self.char(i) != ">":
            while self.char(i) != "" and self.char(i) in _SPACES:
                i += 1
            if self.char(i) == ">":
                break
            name_begin = i
            while self.char(i) != "" and self.char(i) not in _SPACES and self.char(i) not in "=>":
                i += 1
            attribute = source[name_begin:i]
            if not attribute:
                raise _parse_error(
                    f'Empty attribute name in the tag "{tag}" at byte offset {begin_byte}'
                )
            while self.char(i) != "" and self.char(i) in _SPACES:
                i += 1
            if self.char(i) != "=" and tag == "blockquote" and attribute == "expandable":
                # The one attribute Telegram accepts without a value.
                argument = "expandable"
                continue
            if self.char(i) != "=":
                raise _parse_error(
                    "Expected equal sign in declaration of an attribute of the tag "
                    f'"{tag}" at byte offset {begin_byte}'
                )
            i += 1
            while self.char(i) != "" and self.char(i) in _SPACES:
                i += 1
            if self.char(i) == "":
                raise _parse_error(f'Unclosed start tag "{tag}" at byte offset {begin_byte}')
            value, i = self.parse_attribute_value(i)
            if self.char(i) == "":
                raise _parse_error(f"Unclosed start tag at byte offset {begin_byte}")
            argument = _tag_argument(tag, attribute, value, argument)
        if tag == "span" and argument != "spoiler":
            raise _parse_error(
                f'Tag "span" must have class "tg-spoiler" at byte offset {begin_byte}'
            )
        self.open_tags.append(_OpenTag(tag, argument, self.utf16, self.out_len, begin_byte))
        self.pos = i + 1

    def parse_attribute_value(self, i: int) -> tuple[str, int]:
        source = self.source
        quote = self.char(i)
        if quote not in ("'", '"'):
            token_begin = i
            while self.char(i) != "" and (self.char(i).isalnum() or self.char(i) in ".-"):
                i += 1
            if self.char(i) not in _SPACES and self.char(i) != ">":
                raise _parse_error(
                    f"Unexpected end of name token at byte offset {self.byte_offset(token_begin)}"
                )
            return source[token_begin:i].lower(), i
        i += 1
        value: list[str] = []
        while i < len(source) and source[i] != quote:
            if source[i] == "&":
                decoded = self.decode_reference(i)
                if decoded is not None:
                    value.append(decoded[0])
                    i = decoded[1]
                    continue
            value.append(source[i])
            i += 1
        if self.char(i) == quote:
            i += 1
        return "".join(value), i

    def parse_end_tag(self) -> None:
        source = self.source
        begin = self.pos
        begin_byte = self.byte_offset(begin)
        if not self.open_tags:
            raise _parse_error(f"Unexpected end tag at byte offset {begin_byte}")
        i = begin + 2
        while i < len(source) and source[i] not in _SPACES and source[i] != ">":
            i += 1
        end_name = source[begin + 2 : i].lower()
        while i < len(source) and source[i] in _SPACES:
            i += 1
        if self.char(i) != ">":
            raise _parse_error(f"Unclosed end tag at byte offset {begin_byte}")
        opened = self.open_tags[-1]
        if end_name and end_name != opened.name:
            raise _parse_error(
                f'Unmatched end tag at byte offset {begin_byte}, expected "</{opened.name}>", '
                f'found "</{end_name}>"'
            )
        self.open_tags.pop()
        self.pos = i + 1
        if self.utf16 > opened.utf16_offset:
            self.close_entity(opened)

    def close_entity(self, opened: _OpenTag) -> None:
        offset = opened.utf16_offset
        length = self.utf16 - offset
        tag = opened.name
        entity: Entity
        if tag in _SIMPLE_TAG_TYPES:
            entity = {"type": _SIMPLE_TAG_TYPES[tag], "offset": offset, "length": length}
            if tag == "code" and self._merge_into_pre(offset, length, entity, opened.argument):
                return
        elif tag == "span":
            entity = {"type": "spoiler", "offset": offset, "length": length}
        elif tag == "blockquote":
            kind = "expandable_blockquote" if opened.argument == "expandable" else "blockquote"
            entity = {"type": kind, "offset": offset, "length": length}
        elif tag == "tg-emoji":
            if not opened.argument.isdigit():
                raise _parse_error("Invalid custom emoji identifier specified")
            entity = {
                "type": "custom_emoji",
                "offset": offset,
                "length": length,
                "custom_emoji_id": opened.argument,
            }
        elif tag == "pre":
            entity = {"type": "pre", "offset": offset, "length": length}
            inner = self._same_span_entity(offset, length, "code")
            if inner is not None:
                self.entities.remove(inner)
                if inner.get(_PENDING_LANGUAGE):
                    entity["language"] = inner[_PENDING_LANGUAGE]
        else:
            link = self._link_entity(opened, offset, length)
            if link is None:
                return
            entity = link
        self.entities.append(entity)

    def _same_span_entity(self, offset: int, length: int, kind: str) -> Entity | None:
        for entity in reversed(self.entities):
            if entity["type"] == kind and entity["offset"] == offset and entity["length"] == length:
                return entity
        return None

    def _merge_into_pre(self, offset: int, length: int, entity: Entity, language: str) -> bool:
        """<pre><code class="language-x"> is one pre entity with a language, not two."""
        if language:
            # Kept aside until the enclosing <pre> closes; a lone <code> has no language.
            entity[_PENDING_LANGUAGE] = language
        pre = self._same_span_entity(offset, length, "pre")
        if pre is None:
            return False
        if language:
            pre["language"] = language
        return True

    def _link_entity(self, opened: _OpenTag, offset: int, length: int) -> Entity | None:
        url = opened.argument or "".join(self.out)[opened.text_index :]
        user_id = _link_user_id(url)
        if user_id is not None:
            user = self.lookup_user(user_id)
            if user is not None:
                return {"type": "text_mention", "offset": offset, "length": length, "user": user}
        normalized = normalize_link_url(url)
        if normalized is None:
            # Telegram drops links it can't use instead of refusing the message.
            return None
        return {"type": "text_link", "offset": offset, "length": length, "url": normalized}


def _tag_argument(tag: str, attribute: str, value: str, current: str) -> str:
    if tag == "a" and attribute == "href":
        return value
    if tag == "code" and attribute == "class" and value.startswith("language-"):
        return value[len("language-") :]
    if tag == "span" and attribute == "class" and value.startswith("tg-"):
        return value[len("tg-") :]
    if tag == "tg-emoji" and attribute == "emoji-id":
        return value
    if tag == "blockquote" and attribute == "expandable":
        return "expandable"
    return current


def _link_user_id(url: str) -> int | None:
    match = re.fullmatch(r"tg://user\?id=(\d{1,19})", url.strip(), re.IGNORECASE)
    return int(match.group(1)) if match else None


def normalize_link_url(url: str) -> str | None:
    """The URL Telegram keeps for a text link, or None when it would drop the link."""
    url = url.strip()
    if not url or any(c in _SPACES for c in url):
        return None
    scheme_match = re.match(r"^([A-Za-z][A-Za-z0-9+.-]*):", url)
    if scheme_match is None:
        return "http://" + url
    scheme = scheme_match.group(1).lower()
    if scheme in ("http", "https", "ftp"):
        return url if re.match(r"^[A-Za-z]+://[^/?#\s]+", url) else None
    if scheme in ("tg", "ton", "tonsite"):
        return url
    return None


def parse_html(source: str, lookup_user: UserLookup) -> tuple[str, list[Entity]]:
    """Plain text and entities of Telegram-flavoured HTML; ApiError 400 when it's malformed."""
    return _HtmlParser(source, lookup_user).parse()


def check_entities(raw: object, text: str) -> list[Entity]:
    """Validates an explicit `entities`/`caption_entities` list against its text."""
    if not isinstance(raw, list):
        raise _parse_error("entities must be an Array")
    total = utf16_len(text)
    checked: list[Entity] = []
    for item in raw:
        if not isinstance(item, dict):
            raise _parse_error("entity must be an Object")
        kind = item.get("type")
        offset = item.get("offset")
        length = item.get("length")
        if kind not in ENTITY_TYPES:
            raise _parse_error(f'Unsupported entity type "{kind}"')
        if not isinstance(offset, int) or not isinstance(length, int):
            raise _parse_error("entity offset and length must be Integers")
        start = max(offset, 0)
        end = min(offset + length, total)
        if end <= start:
            continue
        entity: Entity = {"type": kind, "offset": start, "length": end - start}
        if kind == "text_link":
            url = normalize_link_url(str(item.get("url", "")))
            if url is None:
                raise bad_request("can't parse entities: wrong url of a text link")
            entity["url"] = url
        elif kind == "text_mention":
            user = item.get("user")
            if not isinstance(user, dict) or not isinstance(user.get("id"), int):
                raise _parse_error('Field "user" must be of type Object')
            entity["user"] = user
        elif kind == "pre" and isinstance(item.get("language"), str) and item["language"]:
            entity["language"] = item["language"]
        elif kind == "custom_emoji":
            emoji_id = item.get("custom_emoji_id")
            if not isinstance(emoji_id, str) or not emoji_id.isdigit():
                raise _parse_error("Invalid custom emoji identifier specified")
            entity["custom_emoji_id"] = emoji_id
        checked.append(entity)
    checked.sort(key=lambda entity: (entity["offset"], -entity["length"]))
    return checked


def strip_text(text: str, entities: list[Entity]) -> tuple[str, list[Entity]]:
    """Telegram trims whitespace around a message and shifts or cuts entities to match."""
    stripped = text.strip()
    if stripped == text:
        return text, entities
    lead = utf16_len(text[: len(text) - len(text.lstrip())])
    total = utf16_len(stripped)
    kept: list[Entity] = []
    for entity in entities:
        start = max(entity["offset"] - lead, 0)
        end = min(entity["offset"] + entity["length"] - lead, total)
        if end > start:
            kept.append({**entity, "offset": start, "length": end - start})
    return stripped, kept


def format_text(
    text: str,
    parse_mode: str | None,
    explicit_entities: object | None,
    lookup_user: UserLookup,
) -> tuple[str, list[Entity]]:
    """The text and entities Telegram stores for a text or caption as the bot sent it."""
    if explicit_entities is not None:
        plain, entities = text, check_entities(explicit_entities, text)
    elif parse_mode is None or parse_mode == "":
        plain, entities = text, []
    elif parse_mode.lower() == "html":
        plain, entities = parse_html(text, lookup_user)
    elif parse_mode.lower() in ("markdown", "markdownv2"):
        raise bad_request(
            f"can't parse entities: parse_mode {parse_mode} is not supported by the sandbox; "
            "it implements HTML"
        )
    else:
        raise bad_request(f"unsupported parse_mode {parse_mode!r}")
    return strip_text(plain, entities)


_RENDERED_TYPES = frozenset(
    {
        "bold",
        "italic",
        "underline",
        "strikethrough",
        "spoiler",
        "code",
        "pre",
        "text_link",
        "text_mention",
        "custom_emoji",
        "blockquote",
        "expandable_blockquote",
    }
)


def _open_close(entity: Entity) -> tuple[str, str]:
    kind = entity["type"]
    simple = {
        "bold": "b",
        "italic": "i",
        "underline": "u",
        "strikethrough": "s",
        "spoiler": "tg-spoiler",
        "code": "code",
        "blockquote": "blockquote",
    }
    if kind in simple:
        return f"<{simple[kind]}>", f"</{simple[kind]}>"
    if kind == "expandable_blockquote":
        return "<blockquote expandable>", "</blockquote>"
    if kind == "pre":
        language = entity.get("language")
        if language:
            return f'<pre><code class="language-{html.escape(language)}">', "</code></pre>"
        return "<pre>", "</pre>"
    if kind == "text_link":
        return f'<a href="{html.escape(str(entity["url"]))}">', "</a>"
    if kind == "text_mention":
        return f'<a href="tg://user?id={entity["user"]["id"]}">', "</a>"
    return f'<tg-emoji emoji-id="{html.escape(str(entity["custom_emoji_id"]))}">', "</tg-emoji>"


def render_html(text: str, entities: list[Entity]) -> str:
    """Telegram-flavoured HTML for a text and its entities (for people reading the sandbox)."""
    data = text.encode("utf-16-le")
    spans = sorted(
        (entity for entity in entities if entity["type"] in _RENDERED_TYPES),
        key=lambda entity: (entity["offset"], -entity["length"]),
    )

    def plain(start: int, end: int) -> str:
        return html.escape(data[2 * start : 2 * end].decode("utf-16-le", "replace"), quote=False)

    def render(start: int, end: int, items: list[Entity]) -> str:
        parts: list[str] = []
        position = start
        index = 0
        while index < len(items):
            entity = items[index]
            entity_start = max(entity["offset"], position)
            entity_end = min(entity["offset"] + entity["length"], end)
            index += 1
            children: list[Entity] = []
            while index < len(items) and items[index]["offset"] < entity_end:
                children.append(items[index])
                index += 1
            if entity_end <= entity_start:
                continue
            opening, closing = _open_close(entity)
            parts.append(plain(position, entity_start))
            parts.append(opening + render(entity_start, entity_end, children) + closing)
            position = entity_end
        parts.append(plain(position, end))
        return "".join(parts)

    return render(0, len(data) // 2, spans)
