"""Views shared by the cogs: the base of the answer buttons, pagination, confirmation, listing.

Buttons that must work after a restart are `DynamicItem`s whose custom id carries only ids; all
state lives in the database behind the application. The feature packages (`cogs/quiz`,
`cogs/daily`) define them on `AnswerButton` and register them in `cog_load`. Views sent with them
are only for rendering (stopped at once): clicks are routed by the templates. Pagination and
confirmation views are ordinary timed views that only their owner may use.
"""

from __future__ import annotations

import logging
import re
import secrets
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any, ClassVar, Self

import discord

from bot.app.messages import Lang, letter, tr
from bot.discord_app import limits
from bot.discord_app.errors import GuardedItem, GuardedView, reply
from bot.discord_app.i18n import interaction_lang
from bot.discord_app.identity import community_of, user_of

if TYPE_CHECKING:
    from bot.app.study import StudyService

log = logging.getLogger(__name__)

_ROW_ID = re.compile(r"[0-9]{1,19}")


def parse_post_id(text: str) -> int:
    """A post id from a button's custom id; 0 (which no post has) when it is not a plain number.

    Button templates accept anything between the colons so that a forged or garbled id reaches
    the button and gets a polite "that question no longer exists" rather than no answer at all.
    """
    return int(text) if _ROW_ID.fullmatch(text) else 0


def parse_choice(text: str) -> int:
    """A choice index from a custom id; -1 (never a valid choice) when it is not one digit."""
    return int(text) if len(text) == 1 and "0" <= text <= "9" else -1


def service_of(interaction: discord.Interaction) -> StudyService:
    return interaction.client.study  # type: ignore[attr-defined]


def rendering_view(*items: discord.ui.Item[Any]) -> discord.ui.View:
    """A view that only lays buttons out; it is stopped so discord.py keeps no state for it."""
    view = discord.ui.View(timeout=None)
    for item in items:
        view.add_item(item)
    view.stop()
    return view


# -- answer buttons ---------------------------------------------------------------------------


def answer_template(prefix: str) -> str:
    """The custom-id template of an answer button: `<prefix>:<post>:<choice>`.

    Loose on purpose: a forged or garbled id under our prefix reaches the button and gets a polite
    answer (the application refuses it) instead of matching nothing and leaving the click
    unanswered; see `parse_post_id`.
    """
    return rf"{prefix}:(?P<post>[^:]{{0,90}}):(?P<choice>[^:]{{0,8}})"


class AnswerButton(GuardedItem):
    """What the practice and the daily answer buttons share: one of A–D under a question, whose
    custom id carries only the post and the choice. Subclasses also derive from `DynamicItem`
    with `template=answer_template(prefix)`, set `prefix` and `style`, and write `run`."""

    prefix: ClassVar[str]
    style: ClassVar[discord.ButtonStyle]

    def __init__(self, post_id: int, choice: int) -> None:
        super().__init__(  # type: ignore[call-arg]  # DynamicItem's, next in the subclass's MRO
            discord.ui.Button(
                label=letter(choice),
                style=self.style,
                custom_id=limits.custom_id(self.prefix, str(post_id), str(choice)),
            )
        )
        self.post_id = post_id
        self.choice = choice

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Button[Any], match: Any, /
    ) -> Self:
        return cls(parse_post_id(match["post"]), parse_choice(match["choice"]))


# -- timed views: pagination, confirmation, listing ----------------------------------------------

TOKEN_LIFETIME = 15 * 60.0  # seconds an interaction token may edit its messages (Discord's rule)
TOKEN_MARGIN = 30.0  # an edit is not started this close to the token's end
TIMED_PREFIX = "ui"
_live_ids: dict[str, TimedView] = {}


def _token_seconds_left(interaction: discord.Interaction) -> float:
    age = (discord.utils.utcnow() - interaction.created_at).total_seconds()
    return TOKEN_LIFETIME - max(0.0, age)


class TimedView(GuardedView):
    """An owner-only view that takes its buttons away when it times out.

    The message can only be edited through an interaction token (the ephemeral ones always),
    which lives 15 minutes: the view remembers the newest interaction that showed or edited it
    (`shown_by`), never lets its timeout run past that token's end, and on timeout edits the
    buttons away through it. Its buttons have `ui:` ids: after a restart (or once the view has
    stopped) a click reaches `ExpiredButton`, which says so and removes them, instead of
    "This interaction failed".
    """

    clicks_edit_message: ClassVar[bool] = False  # True: a click's token edits the view's message

    def __init__(self, *, owner_id: int, timeout: float) -> None:
        super().__init__(owner_id=owner_id, timeout=timeout)
        self._base_timeout = timeout
        self._shown: discord.Interaction | None = None
        tag = secrets.token_hex(6)
        for index, item in enumerate(self.children):
            if isinstance(item, discord.ui.Button):
                item.custom_id = f"{TIMED_PREFIX}:{tag}:{index}"
                _live_ids[item.custom_id] = self

    def shown_by(self, interaction: discord.Interaction) -> None:
        """`interaction`'s token can edit the view's message now; the timeout stays within it."""
        self._shown = interaction
        self._cap_timeout()

    def _cap_timeout(self) -> None:
        left = _token_seconds_left(self._shown) - TOKEN_MARGIN if self._shown is not None else self._base_timeout
        self.timeout = max(1.0, min(self._base_timeout, left))

    async def interaction_check(self, interaction: discord.Interaction, /) -> bool:
        allowed = await super().interaction_check(interaction)
        if allowed:
            if self.clicks_edit_message:
                self._shown = interaction
            self._cap_timeout()  # discord.py restarts the timeout after this check
        return allowed

    def stop(self) -> None:
        for item in self.children:
            if isinstance(item, discord.ui.Button) and item.custom_id:
                _live_ids.pop(item.custom_id, None)
        super().stop()

    async def on_timeout(self) -> None:
        self.stop()
        shown = self._shown
        if shown is None or _token_seconds_left(shown) < TOKEN_MARGIN:
            return
        try:
            await shown.edit_original_response(view=None)
        except discord.HTTPException:
            log.debug("could not remove the buttons after the timeout", exc_info=True)


def is_live(custom_id: str) -> bool:
    """A button of a timed view that is still running in this process."""
    return custom_id in _live_ids


class ExpiredButton(GuardedItem, discord.ui.DynamicItem[discord.ui.Button[Any]],
                    template=rf"{TIMED_PREFIX}:(?P<rest>[^\s]{{0,90}})"):
    """A click on a timed view's button that no running view owns (it timed out, or the bot
    restarted): a private "run the command again", and the buttons come off the message."""

    def __init__(self, custom_id: str) -> None:
        super().__init__(discord.ui.Button(label="-", custom_id=custom_id))
        self.custom_id_text = custom_id

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Button[Any], match: Any, /
    ) -> Self:
        return cls(item.custom_id or f"{TIMED_PREFIX}:")

    async def run(self, interaction: discord.Interaction) -> None:
        if is_live(self.custom_id_text):
            return  # the running view answers this click
        lang = interaction_lang(interaction)
        try:
            await interaction.response.edit_message(view=None)
        except discord.HTTPException:
            log.debug("could not remove expired buttons", exc_info=True)
        await reply(interaction, tr(lang, "page.expired"))


Render = Callable[[int], Awaitable[discord.Embed]]


class Paginator(TimedView):
    """Previous/Next over `pages` pages; `render(index)` builds one page. Owner only, 3 minutes
    after the last click (and never past the newest token's 15 minutes)."""

    clicks_edit_message = True

    def __init__(self, *, owner_id: int, pages: int, render: Render, lang: Lang, timeout: float = 180.0) -> None:
        super().__init__(owner_id=owner_id, timeout=timeout)
        self.pages = max(1, pages)
        self.index = 0
        self._render = render
        self.previous.label = limits.button_label(tr(lang, "page.previous"))
        self.next.label = limits.button_label(tr(lang, "page.next"))
        self._refresh()

    def _refresh(self) -> None:
        self.previous.disabled = self.index <= 0
        self.next.disabled = self.index >= self.pages - 1

    async def send(self, interaction: discord.Interaction, *, ephemeral: bool = False) -> None:
        """Answer `interaction` (deferred or not) with the first page and these buttons."""
        embed = await self._render(0)
        await reply(interaction, embed=embed, view=self if self.pages > 1 else None, ephemeral=ephemeral)
        if self.pages <= 1:
            self.stop()
        else:
            self.shown_by(interaction)

    async def _turn(self, interaction: discord.Interaction, step: int) -> None:
        self.index = min(max(self.index + step, 0), self.pages - 1)
        self._refresh()
        await interaction.response.defer()
        embed = await self._render(self.index)
        await interaction.edit_original_response(embed=embed, view=self)

    @discord.ui.button(label="Previous", style=discord.ButtonStyle.secondary)
    async def previous(self, interaction: discord.Interaction, button: discord.ui.Button[Any]) -> None:
        await self._turn(interaction, -1)

    @discord.ui.button(label="Next", style=discord.ButtonStyle.secondary)
    async def next(self, interaction: discord.Interaction, button: discord.ui.Button[Any]) -> None:
        await self._turn(interaction, +1)


Action = Callable[[discord.Interaction], Awaitable[None]]


class ConfirmView(TimedView):
    """A yes/no question for the caller only; `on_yes` runs once, then the buttons go away."""

    def __init__(self, *, owner_id: int, lang: Lang, yes: str, no: str, on_yes: Action, timeout: float = 60.0) -> None:
        super().__init__(owner_id=owner_id, timeout=timeout)
        self._lang = lang
        self._on_yes = on_yes
        self.confirm.label = limits.button_label(yes)
        self.cancel.label = limits.button_label(no)

    @discord.ui.button(label="Yes", style=discord.ButtonStyle.danger)
    async def confirm(self, interaction: discord.Interaction, button: discord.ui.Button[Any]) -> None:
        self.stop()
        await self._on_yes(interaction)

    @discord.ui.button(label="No", style=discord.ButtonStyle.secondary)
    async def cancel(self, interaction: discord.Interaction, button: discord.ui.Button[Any]) -> None:
        self.stop()
        await interaction.response.edit_message(content=tr(self._lang, "admin.reset_cancelled"), view=None)


class ListingView(TimedView):
    """Under one's own `/stats`: hide me from, or show me on, this server's leaderboards."""

    def __init__(self, *, owner_id: int, lang: Lang, timeout: float = 300.0) -> None:
        super().__init__(owner_id=owner_id, timeout=timeout)
        self._lang = lang
        self.hide.label = limits.button_label(tr(lang, "stats.hide"))
        self.show.label = limits.button_label(tr(lang, "stats.show"))

    async def _set(self, interaction: discord.Interaction, public: bool) -> None:
        await interaction.response.defer(ephemeral=True, thinking=True)
        await service_of(interaction).set_public_listing(community_of(interaction), user_of(interaction), public)
        await interaction.followup.send(tr(self._lang, "stats.shown" if public else "stats.hidden"), ephemeral=True)

    @discord.ui.button(label="Hide", style=discord.ButtonStyle.secondary)
    async def hide(self, interaction: discord.Interaction, button: discord.ui.Button[Any]) -> None:
        await self._set(interaction, public=False)

    @discord.ui.button(label="Show", style=discord.ButtonStyle.secondary)
    async def show(self, interaction: discord.Interaction, button: discord.ui.Button[Any]) -> None:
        await self._set(interaction, public=True)
