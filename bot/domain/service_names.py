"""What users see of a sms4sats service: a proper name instead of the raw one sms4sats sends.

sms4sats names services the SMS-Activate way: a short code (`value` of /getnumbersstatus, what
/createorder takes) and a long name (`text`), spelled loosely: "Google,youtube,Gmail", "facebook",
"Instagram+Threads". bot/data/service_names.json has a curated display name for the popular ones,
keyed by code with the raw spellings it renames ("go": "Google,youtube,Gmail" becomes "Google
(YouTube, Gmail)"), and extra search terms ("ChatGPT" for OpenAI). Any other raw name is tidied
without losing anything: first letters capitalised, "a,b,c" becomes "A (B, C)".

The raw name and the code stay searchable (`service_search_terms`, `service_match_tier`); the code
and the raw name are still what the API is given.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import cache, lru_cache
from importlib import resources

from bot.domain.text_search import EXACT, FUZZY, PREFIX, SUBSTRING, Names, fold, query_forms, tier

__all__ = [
    "EXACT",
    "FUZZY",
    "POPULAR_SERVICES",
    "PREFIX",
    "SUBSTRING",
    "CuratedService",
    "curated_services",
    "service_display_name",
    "service_match_tier",
    "service_search_terms",
    "tidy_service_name",
]

_PARTS = re.compile(r"[,+/]")

POPULAR_SERVICES: tuple[str, ...] = (
    "tg", "wa", "go", "ig", "fb", "tw", "ds", "oi", "dr", "am", "ub", "mm", "wx",
)  # fmt: skip
"""The services people buy most, by code: shown first in pickers, kept fresh in the background."""


def _raw_key(raw_name: str) -> str:
    """A raw name's lookup key: folded, and "a, b" the same as "a,b"."""
    return re.sub(r"\s*([,+/])\s*", r"\1", fold(raw_name))


@dataclass(frozen=True, slots=True)
class CuratedService:
    code: str
    name: str
    """The display name."""
    raw: tuple[str, ...]
    """The raw names sms4sats gives this code that the display name replaces."""
    aliases: tuple[str, ...] = ()
    """Extra search terms."""
    local: tuple[str, ...] = ()
    """What people call it in the bot's languages («Телеграм», «Вотсап»): searchable by all."""


@cache
def curated_services() -> tuple[CuratedService, ...]:
    """The curated table, in file order."""
    loaded = json.loads(
        resources.files("bot").joinpath("data/service_names.json").read_text("utf-8")
    )
    assert isinstance(loaded, dict)
    return tuple(
        CuratedService(
            str(code),
            str(entry["name"]),
            tuple(str(raw) for raw in entry.get("raw", [])),
            tuple(str(alias) for alias in entry.get("aliases", [])),
            tuple(str(name) for names in entry.get("local", {}).values() for name in names),
        )
        for code, entry in loaded.items()
    )


@cache
def _by_code() -> dict[str, CuratedService]:
    return {service.code.casefold(): service for service in curated_services()}


@cache
def _by_raw() -> dict[str, CuratedService]:
    index: dict[str, CuratedService] = {}
    for service in curated_services():
        for raw in service.raw:
            index.setdefault(_raw_key(raw), service)
    return index


def _curated(code: str, raw_name: str) -> CuratedService | None:
    """The curated entry whose raw spelling this is; by code only when the raw name says nothing
    more (blank or the code itself), so a name sms4sats changes is never hidden by an old one."""
    raw = _raw_key(raw_name)
    if raw:
        found = _by_raw().get(raw)
        if found is not None or raw != fold(code):
            return found
    return _by_code().get(code.strip().casefold())


def _capitalised(part: str) -> str:
    # Each "+" or "/" segment's first word, and only when it is all lower case: "facebook" ->
    # "Facebook", "any other" -> "Any other", "iCloud" and "1688" stay.
    pieces = re.split(r"( \+ | / )", part)
    for i in range(0, len(pieces), 2):
        first, space, rest = pieces[i].partition(" ")
        if first.islower():
            pieces[i] = first[0].upper() + first[1:] + space + rest
    return "".join(pieces)


def tidy_service_name(raw_name: str) -> str:
    """A raw name made presentable, keeping every part: "google,youtube,gmail" becomes "Google
    (Youtube, Gmail)", "instagram+threads" "Instagram + Threads", "a/b" "A / B"."""
    text = " ".join(raw_name.split())
    text = re.sub(r"\s*\+\s*", " + ", text)
    text = re.sub(r"\s*/\s*", " / ", text)
    parts = [_capitalised(part.strip()) for part in text.split(",") if part.strip()]
    if not parts:
        return ""
    if len(parts) == 1:
        return parts[0]
    return f"{parts[0]} ({', '.join(parts[1:])})"


def service_display_name(code: str, raw_name: str) -> str:
    """The name users see for a service: curated ("Google (YouTube, Gmail)" for "go" /
    "Google,youtube,Gmail"), else the tidied raw name, else the code."""
    curated = _curated(code, raw_name)
    if curated is not None:
        return curated.name
    return tidy_service_name(raw_name) or code.strip()


def service_search_terms(code: str, raw_name: str) -> tuple[str, ...]:
    """Everything a user may type to find the service: display name, raw name and its parts
    ("youtube" of "Google,youtube,Gmail"), curated aliases, and the code. No duplicates (ignoring
    case and accents), display name first, code last."""
    curated = _curated(code, raw_name)
    terms = [
        service_display_name(code, raw_name),
        raw_name,
        *_PARTS.split(raw_name),
        *(curated.aliases if curated else ()),
        code,
    ]
    unique: dict[str, str] = {}
    for term in terms:
        term = " ".join(term.split())
        if term:
            unique.setdefault(fold(term), term)
    return tuple(unique.values())


@lru_cache(maxsize=4096)  # Bounded: sms4sats decides the codes and names.
def _names(code: str, raw_name: str) -> Names:
    curated = _curated(code, raw_name)
    code_key = fold(code)
    names = [name for name in service_search_terms(code, raw_name) if fold(name) != code_key]
    return Names.of((*names, *(curated.local if curated else ())), [code])


def service_match_tier(query: str, code: str, raw_name: str) -> int | None:
    """How well a typed query matches the service: EXACT (a name in any of the bot's languages,
    an alias or the code), PREFIX (of a name or a word in it), SUBSTRING, FUZZY (a near spelling),
    or None. Cyrillic and Latin meet: «телеграм» is an exact "Telegram". The code only counts
    when typed in full, so "g" does not match every code with a g in it. Sort matches by (tier,
    display name)."""
    return tier(query_forms(query), _names(code, raw_name))
