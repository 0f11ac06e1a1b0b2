"""The tree-level error handler, and the same handling for buttons and autocomplete.

Expected errors (nothing found, a missing permission, a cooldown, a bad argument, ...) become a
friendly ephemeral reply in the user's language. Anything else becomes an ephemeral
"something went wrong (ref XXXXXX)" while the traceback is logged under that ref. A reply that was
already sent or deferred gets a followup instead; autocomplete gets an empty or one-line list.

`StudyTree.on_error` covers slash commands; `GuardedView.on_error` covers plain views;
`GuardedItem` covers `DynamicItem` callbacks (discord.py only logs those); `guard_autocomplete`
covers autocomplete callbacks (discord.py swallows those).
"""

from __future__ import annotations

import functools
import logging
import secrets
from collections.abc import Awaitable, Callable
from typing import Any

import discord
from discord import app_commands

from bot.app.messages import Lang, error_message, tr
from bot.discord_app import limits
from bot.discord_app.i18n import interaction_lang
from bot.errors import StudyError

log = logging.getLogger(__name__)

UNKNOWN_INTERACTION = 10062  # Discord's code for an interaction (or token) that expired


def new_ref() -> str:
    """A short reference a user can quote and an operator can grep the log for."""
    return secrets.token_hex(3).upper()


def unwrap(error: BaseException) -> BaseException:
    """The error a handler actually raised, without discord.py's wrappers."""
    while isinstance(error, app_commands.CommandInvokeError):
        error = error.original
    return error


def channel_ref(channel_id: int | str) -> str:
    """A channel as Discord shows it to a reader: a link with its name."""
    return f"<#{channel_id}>"


def study_error_text(error: StudyError, lang: Lang) -> str:
    """An expected application error as one reply, in the catalogue's wording."""
    return limits.content(error_message(error, lang, quote=limits.user_text, channel=channel_ref))


def friendly_text(error: BaseException, lang: Lang) -> str | None:
    """The reply for an expected error, or None when the error is a bug."""
    if isinstance(error, StudyError):
        return study_error_text(error, lang)
    if isinstance(error, (app_commands.MissingPermissions, app_commands.BotMissingPermissions)):
        return tr(lang, "error.missing_permissions")
    if isinstance(error, app_commands.NoPrivateMessage):
        return tr(lang, "error.guild_only")
    if isinstance(error, app_commands.CommandOnCooldown):
        return tr(lang, "error.cooldown", seconds=max(1, round(error.retry_after)))
    if isinstance(error, app_commands.TransformerError):
        return tr(lang, "error.bad_argument", param=limits.user_text(str(error.value), 50))
    if isinstance(error, app_commands.CheckFailure):
        return tr(lang, "error.check_failed")
    return None


def _where(interaction: discord.Interaction) -> str:
    command = interaction.command.qualified_name if interaction.command else None
    custom_id = (interaction.data or {}).get("custom_id") if interaction.data else None
    what = f"/{command}" if command else f"component {custom_id!r}" if custom_id else interaction.type.name
    return f"{what} (guild {interaction.guild_id}, user {interaction.user.id})"


# Keys in `Interaction.extras`: how the interaction was deferred ("public"/"private"), and whether
# a followup has completed that deferral. On Discord the first followup after a "thinking…"
# deferral replaces the loading message and keeps the deferral's visibility, whatever its own
# ephemeral flag says; later followups are new messages with their own visibility.
DEFERRAL = "studybot.deferral"
COMPLETED = "studybot.deferral_completed"


async def defer(interaction: discord.Interaction, *, ephemeral: bool, thinking: bool = True) -> None:
    """Defer the response ("thinking…" when `thinking`), remembering its visibility for `reply`."""
    await interaction.response.defer(ephemeral=ephemeral, thinking=thinking)
    if thinking:
        interaction.extras[DEFERRAL] = "private" if ephemeral else "public"


def awaits_public_completion(interaction: discord.Interaction) -> bool:
    """True while a public "thinking…" deferral waits for its first followup: a followup now
    would be shown to everyone, whatever its ephemeral flag."""
    return interaction.extras.get(DEFERRAL) == "public" and not interaction.extras.get(COMPLETED)


async def reply(interaction: discord.Interaction, text: str | None = None, *,
                embed: discord.Embed | None = None, view: discord.ui.View | None = None,
                ephemeral: bool = True, file: discord.File | None = None) -> None:
    """Answer an interaction (ephemeral by default), or follow up when it was answered or deferred.

    A private followup after a public deferral that nothing completed yet removes the public
    "thinking…" message first: otherwise Discord would show the private text to everyone.
    """
    kwargs: dict[str, Any] = {"ephemeral": ephemeral}
    if text is not None:
        kwargs["content"] = limits.content(text)
    if embed is not None:
        kwargs["embed"] = embed
    if view is not None:
        kwargs["view"] = view
    if file is not None:
        kwargs["file"] = file
    if interaction.response.is_done():
        if ephemeral and awaits_public_completion(interaction):
            # A private answer after a public deferral: the public "thinking…" message goes
            # first, so the followup is a new message and keeps its ephemeral flag.
            await interaction.delete_original_response()
            interaction.extras[COMPLETED] = True
        await interaction.followup.send(**kwargs)
        interaction.extras[COMPLETED] = True
    else:
        await interaction.response.send_message(**kwargs)


async def send_ephemeral(interaction: discord.Interaction, text: str) -> None:
    """An ephemeral reply, or an ephemeral followup when the interaction was answered already."""
    await reply(interaction, text)


async def report_error(interaction: discord.Interaction, error: BaseException) -> str | None:
    """Tell the user what went wrong; returns the ref when the error was unexpected.

    Never raises: a failure to reply (an expired token, say) is logged with the same ref.
    """
    original = unwrap(error)
    if isinstance(original, discord.NotFound) and original.code == UNKNOWN_INTERACTION:
        # The interaction expired (3 s for the first response, 15 min for its token) before the
        # bot answered: Discord takes no reply to it any more, so trying again only doubles the
        # refusal. The work done before the reply (an answer stored, say) stands.
        log.warning("%s expired before the bot could answer it", _where(interaction))
        return None
    lang = interaction_lang(interaction)
    text = friendly_text(original, lang)
    ref: str | None = None
    if text is None:
        ref = new_ref()
        log.error("unexpected error (ref %s) in %s", ref, _where(interaction), exc_info=original)
        text = tr(lang, "error.unexpected", ref=ref)
    else:
        log.info("expected error in %s: %r", _where(interaction), original)
    try:
        if interaction.type is discord.InteractionType.autocomplete:
            if not interaction.response.is_done():
                one_line = [limits.choice(text.replace("*", ""), ref)] if ref else []
                await interaction.response.autocomplete(one_line)
        else:
            await send_ephemeral(interaction, text)
    except Exception:
        log.warning("could not send the error reply (ref %s) for %s", ref, _where(interaction), exc_info=True)
    return ref


class StudyTree(app_commands.CommandTree):
    """The command tree; its `on_error` is the one place slash-command errors are answered."""

    async def on_error(self, interaction: discord.Interaction, error: app_commands.AppCommandError, /) -> None:
        await report_error(interaction, error)


class GuardedView(discord.ui.View):
    """A view whose failing callbacks answer like commands do; optionally only for one user."""

    def __init__(self, *, owner_id: int | None = None, timeout: float | None = 180.0) -> None:
        super().__init__(timeout=timeout)
        self.owner_id = owner_id

    async def interaction_check(self, interaction: discord.Interaction, /) -> bool:
        if self.owner_id is None or interaction.user.id == self.owner_id:
            return True
        await send_ephemeral(interaction, tr(interaction_lang(interaction), "page.not_yours"))
        return False

    async def on_error(self, interaction: discord.Interaction, error: Exception, item: discord.ui.Item[Any], /) -> None:
        await report_error(interaction, error)


class GuardedItem:
    """Mixin for `DynamicItem`s: subclasses write `run`; any error it raises is reported.

    List it before `DynamicItem` in the bases so its `callback` is the one discord.py calls.
    """

    async def run(self, interaction: discord.Interaction) -> None:
        raise TypeError(f"{type(self).__name__} must define run()")

    async def callback(self, interaction: discord.Interaction) -> None:
        try:
            await self.run(interaction)
        except Exception as exc:
            await report_error(interaction, exc)


def guard_autocomplete(
    func: Callable[..., Awaitable[list[app_commands.Choice[str]]]],
) -> Callable[..., Awaitable[list[app_commands.Choice[str]]]]:
    """Wrap an autocomplete callback: at most 25 choices, and an error answered, not swallowed."""

    @functools.wraps(func)
    async def wrapper(*args: Any) -> list[app_commands.Choice[str]]:
        interaction = args[-2]  # (self,) interaction, current
        try:
            return (await func(*args))[: limits.CHOICES]
        except Exception as exc:
            await report_error(interaction, exc)
            return []

    return wrapper
