"""The bot's country list agrees with the one the sms4sats stand-in serves.

The stand-in keeps its own copy (it plays sms4sats, which shares no code with the bot), so the
two can drift apart; this is where that shows, as a difference in a code, a spelling or an ISO
code, rather than passing every test by construction.
"""

from __future__ import annotations

from bot.domain import countries as bot_countries
from sandbox.sms4sats import countries as standin


def test_every_code_the_standin_serves_is_the_bots_with_the_same_spellings() -> None:
    served = {c.code: (c.name, c.aliases, c.iso) for c in standin.all_countries()}
    known = {c.code: (c.name, c.aliases, c.iso) for c in bot_countries.all_countries()}
    assert served == known


def test_the_standin_resolves_what_the_bot_sends() -> None:
    # The bot sends codes; sms4sats also takes any listed spelling in any case.
    for country in bot_countries.all_countries():
        for spelling in (country.name, *country.aliases, str(country.code)):
            found = standin.resolve_country(spelling.upper())
            assert found is not None and found.code == country.code, spelling
    assert standin.AUTO_SELECT == bot_countries.AUTO_SELECT
