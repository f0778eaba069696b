"""/language: the menu and its answers."""

from __future__ import annotations

from handlers.ui.i18n import NATIVE_NAMES, _


def language_menu(locale: str, in_group: bool) -> str:
    language = NATIVE_NAMES[locale]
    if in_group:
        return _(
            "🌐 This group's language: <b>%(language)s</b>.\n"
            "Pick the language I should use here, for everyone:",
            language=language,
        )
    return _(
        "🌐 Language: <b>%(language)s</b>.\nPick the language I should speak with you:",
        language=language,
    )


def language_set(locale: str, in_group: bool) -> str:
    language = NATIVE_NAMES[locale]
    if in_group:
        return _("✅ This group's language is now <b>%(language)s</b>.", language=language)
    return _("✅ Done: I speak <b>%(language)s</b> with you now.", language=language)


def language_admins_only() -> str:
    return _("Only this group's admins can change its language.")


def language_button(locale: str, selected: bool) -> str:
    # Each language by its own name, whatever the current one: the reader finds theirs.
    return ("✅ " if selected else "") + NATIVE_NAMES[locale]
