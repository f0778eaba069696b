"""How typed text meets names, the way people type them.

People type a name in their own language and script, often with a slip: «телеграм» for Telegram,
"germaniya" for Германия, "germny" for Germany. Each name and each query is compared in two forms:
folded (case and accents dropped) and transliterated to Latin letters (anyascii: «телеграм"
becomes "telegram", "Германия" becomes "germaniya"), so Cyrillic and Latin spellings meet in the
middle. What still does not match gets a last chance through rapidfuzz's edit-distance ratio
against each name and each word of it, for queries long enough that a slip is not a different
word.

Tiers, best first: EXACT (a whole name, or a code), PREFIX (the start of a name or of a word in
it), SUBSTRING, FUZZY (a near spelling). Sort matches by tier, then by whatever the caller ranks.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from anyascii import anyascii
from rapidfuzz import fuzz

EXACT, PREFIX, SUBSTRING, FUZZY = 0, 1, 2, 3

FUZZY_MIN_LENGTH = 4
"""Shorter queries are prefixes in the making, not misspellings: "germ" must not find "Perm"."""
FUZZY_CUTOFF = 80.0
"""rapidfuzz's ratio (0-100) a near spelling must reach: "germny" ~ "germany" is 92, one wrong
letter in an eight-letter word 88; unrelated names of the same length stay under 60."""

_REGIONAL_INDICATOR_A = 0x1F1E6
_NOT_WORD = re.compile(r"[^0-9a-z]+")


def fold(text: str) -> str:
    """Search form of a text: case and accents dropped ("cote" finds "Côte d’Ivoire"),
    typographic apostrophes made plain, spaces collapsed. Keeps the script (Cyrillic stays)."""
    decomposed = unicodedata.normalize("NFKD", text.replace("’", "'"))
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(stripped.casefold().split())


def latin(text: str) -> str:
    """The text in plain Latin letters and digits, words separated by one space: "Германия" ->
    "germaniya", "Côte d’Ivoire" -> "cote d ivoire"."""
    return " ".join(_NOT_WORD.split(anyascii(fold(text)).casefold())).strip()


def forms(text: str) -> tuple[str, ...]:
    """The forms a name or a query is compared in: folded, and in Latin letters if different."""
    return tuple(form for form in dict.fromkeys((fold(text), latin(text))) if form)


def flag_iso(text: str) -> str | None:
    """The ISO 3166-1 alpha-2 code a typed flag emoji spells ("🇩🇪" -> "DE"), else None."""
    letters = [ch for ch in text.strip() if ch not in "\ufe0f\u200d"]
    if len(letters) != 2:
        return None
    codes = [ord(ch) - _REGIONAL_INDICATOR_A for ch in letters]
    if not all(0 <= code < 26 for code in codes):
        return None
    return "".join(chr(ord("A") + code) for code in codes)


def _word_starts(text: str) -> Iterable[int]:
    for i, ch in enumerate(text):
        if ch.isalnum() and (i == 0 or not text[i - 1].isalnum()):
            yield i


@dataclass(frozen=True, slots=True)
class Names:
    """A thing's searchable names, prepared once: every form of every name, and its codes."""

    texts: tuple[str, ...]
    codes: tuple[str, ...] = ()
    words: tuple[str, ...] = ()

    @classmethod
    def of(cls, names: Iterable[str], codes: Iterable[str] = ()) -> Names:
        texts = tuple(dict.fromkeys(form for name in names if name for form in forms(name)))
        words = tuple(
            dict.fromkeys(word for text in texts for word in text.split() if word not in texts)
        )
        return cls(texts, tuple(dict.fromkeys(f for c in codes for f in forms(c))), words)


def query_forms(query: str) -> tuple[str, ...]:
    return forms(query)


def tier(needles: Sequence[str], names: Names) -> int | None:
    """The best tier any form of the query (`query_forms`) reaches against the names."""
    if not needles:
        return None
    texts = names.texts
    if any(needle in names.codes or needle in texts for needle in needles):
        return EXACT
    for needle in needles:
        if any(text.startswith(needle, start) for text in texts for start in _word_starts(text)):
            return PREFIX
    if any(needle in text for needle in needles for text in texts):
        return SUBSTRING
    for needle in needles:
        if len(needle) < FUZZY_MIN_LENGTH:
            continue
        for text in (*texts, *names.words):
            if fuzz.ratio(needle, text, score_cutoff=FUZZY_CUTOFF):
                return FUZZY
    return None


def match_tier(query: str, texts: Iterable[str], codes: Iterable[str] = ()) -> int | None:
    """How well a query matches some names: EXACT, PREFIX, SUBSTRING, FUZZY or None."""
    return tier(query_forms(query), Names.of(texts, codes))
