"""Discord's side of the two languages: which language an interaction gets, and the Korean
descriptions handed to Discord's command picker.

Every sentence lives in `bot.app.messages`. Command and option names stay English; their
descriptions are `locale_str`s whose English text is the key into `COMMAND_TEXTS_KO`, which
`StudyTranslator` hands Discord when it syncs. Replies follow `interaction.locale`: Korean for
`ko`, English for everything else.
"""

from __future__ import annotations

import discord
from discord import app_commands

from bot.app.messages import COMMAND_TEXTS_KO, Lang
from bot.app.messages import lang_of as _lang_of_code

_NAME_LOCATIONS = frozenset({
    app_commands.TranslationContextLocation.command_name,
    app_commands.TranslationContextLocation.group_name,
    app_commands.TranslationContextLocation.parameter_name,
})


def lang_of(locale: discord.Locale | str | None) -> Lang:
    """Korean for the `ko` locale, English for everything else (and for no locale)."""
    return _lang_of_code(locale.value if isinstance(locale, discord.Locale) else locale)


def interaction_lang(interaction: discord.Interaction) -> Lang:
    """The reply language for an interaction: the user's client locale."""
    return lang_of(getattr(interaction, "locale", None))


class StudyTranslator(app_commands.Translator):
    """Gives Discord the Korean for every `locale_str` description and choice name."""

    async def translate(
        self,
        string: app_commands.locale_str,
        locale: discord.Locale,
        context: app_commands.TranslationContextTypes,
    ) -> str | None:
        if locale is not discord.Locale.korean or context.location in _NAME_LOCATIONS:
            return None  # names stay English; "daily" the group is not "daily" the board choice
        return COMMAND_TEXTS_KO.get(string.message)
