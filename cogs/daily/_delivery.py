"""The Discord side of the daily quiz's delivery port: send a post, draw a reveal, tell a server.

Discord's errors become the port's typed outcomes here and nowhere else: Unknown Channel (or any
404 on a new post) is `Gone(channel=True)`, a 404 on an edit of a message that is gone is
`Gone(channel=False)`, 403 is `Forbidden`, anything else `TryLater`, and so is a rate-limit wait
longer than the client's `max_ratelimit_timeout` (discord.py raises `RateLimited` instead of
sleeping: the sweep retries, nothing waits).

Before every post and reveal edit the bot's permissions in the channel are read from the cache
(no request): Discord accepts a post or an edit without Embed Links and drops its embed, so a
missing permission is `Forbidden(missing)` before anything is sent, and the schedule pauses.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable

import discord

from bot.app.daily import delivery_nonce
from bot.app.messages import Lang, pause_reason, tr
from bot.app.ports import Delivered, DeliveryOutcome, Forbidden, Gone, Reveal, TryLater
from bot.app.records import Post, Schedule
from bot.community import Community
from bot.discord_app import limits
from bot.discord_app.bot import StudyBot
from bot.discord_app.errors import channel_ref
from bot.discord_app.i18n import lang_of
from cogs.daily._views import (
    NEEDED_PERMISSIONS,
    missing_permissions,
    post_embed,
    post_view,
    reveal_embed,
    reveal_view,
)

log = logging.getLogger(__name__)

UNKNOWN_CHANNEL = 10003
EDIT_PERMISSIONS = ("view_channel", "embed_links")  # editing one's own message needs no Send Messages


class DiscordDelivery:
    """`bot.app.ports.DeliveryPort` over discord.py."""

    def __init__(self, bot: StudyBot) -> None:
        self._bot = bot

    async def wait_ready(self) -> None:
        await self._bot.wait_until_ready()

    def _lang(self, community: Community) -> Lang:
        guild = self._bot.get_guild(int(community.id))
        return lang_of(guild.preferred_locale) if guild is not None else "en"

    def _missing(self, community: Community, channel_id: str, needed: tuple[str, ...]) -> tuple[str, ...]:
        """Permissions in `needed` the bot lacks in the channel, from the cache; () when the cache
        does not know the channel (Discord's answer to the request decides then)."""
        guild = self._bot.get_guild(int(community.id))
        channel = guild.get_channel(int(channel_id)) if guild is not None else None
        if guild is None or channel is None or guild.me is None:
            return ()
        have = channel.permissions_for(guild.me)
        return tuple(name for name in needed if not getattr(have, name))

    async def post_question(self, schedule: Schedule, post: Post) -> DeliveryOutcome:
        missing = self._missing(schedule.community, schedule.channel_id, NEEDED_PERMISSIONS)
        if missing:
            return Forbidden(missing)
        channel = self._bot.get_partial_messageable(int(schedule.channel_id), guild_id=int(schedule.community.id))
        lang = self._lang(schedule.community)
        # The nonce (with discord.py's enforce_nonce) makes a repeated send of this post, e.g.
        # after a crash before its message id was stored, return the message made then.
        await self._bot.pacer.turn()
        sending = channel.send(embed=post_embed(post, lang), view=post_view(post), nonce=delivery_nonce(post),
                               allowed_mentions=discord.AllowedMentions.none())
        return await _outcome(sending, missing_channel=lambda _: True)

    async def show_reveal(self, reveal: Reveal) -> DeliveryOutcome:
        post = reveal.post
        assert post.message_id is not None and post.channel_id is not None
        missing = self._missing(post.community, post.channel_id, EDIT_PERMISSIONS)
        if missing:
            return Forbidden(missing)
        message = self._bot.get_partial_messageable(int(post.channel_id), guild_id=int(post.community.id)) \
            .get_partial_message(int(post.message_id))
        await self._bot.pacer.turn()
        editing = message.edit(embed=reveal_embed(reveal, self._lang(post.community)), view=reveal_view(post),
                               allowed_mentions=discord.AllowedMentions.none())
        return await _outcome(editing, missing_channel=lambda exc: exc.code == UNKNOWN_CHANNEL)

    async def announce_pause(self, schedule: Schedule, reason: str) -> None:
        """A notice in the server's system channel, when there is one the bot may write in."""
        guild = self._bot.get_guild(int(schedule.community.id))
        target = guild.system_channel if guild is not None else None
        if guild is None or target is None or str(target.id) == schedule.channel_id or guild.me is None:
            return
        if missing_permissions(target.permissions_for(guild.me)):
            return
        lang = lang_of(guild.preferred_locale)
        text = tr(lang, "daily.paused_notice", channel=channel_ref(schedule.channel_id),
                  reason=pause_reason(reason, lang, quote=limits.user_text))
        try:
            await self._bot.pacer.turn()
            await target.send(limits.content(text), allowed_mentions=discord.AllowedMentions.none())
        except (discord.HTTPException, discord.RateLimited) as exc:
            log.warning("daily quiz: could not tell %s about the pause: %s", schedule.community, exc)


async def _outcome(request: Awaitable[discord.Message | None], *,
                   missing_channel: Callable[[discord.NotFound], bool]) -> DeliveryOutcome:
    try:
        message = await request
    except discord.RateLimited as exc:
        return TryLater(f"rate limited for {exc.retry_after:.0f} s")
    except discord.NotFound as exc:
        return Gone(channel=missing_channel(exc))
    except discord.Forbidden:
        return Forbidden()
    except discord.HTTPException as exc:
        return TryLater(str(exc))
    return Delivered(str(message.id) if message is not None else None)
