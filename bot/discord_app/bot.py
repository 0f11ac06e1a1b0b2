"""`StudyBot`: the discord.py bot, handed its settings, the application's services and the clock by the launcher.

`setup_hook` installs the Korean translator, loads each cog from `cogs/` one at a time (a cog
that fails is logged and skipped), then syncs the commands only if they changed since the last
sync (or when forced). No privileged intents; `allowed_mentions` is none for every message.

`ShardedStudyBot` is the same bot over some of the bot's shards (`studybot run --shards 0-3/8`):
discord.py's `AutoShardedBot` with `shard_ids` and `shard_count`, identifying its shards as fast
as Discord's `max_concurrency` allows (one IDENTIFY per rate-limit bucket every 5 s).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from typing import Any

import discord
from discord.ext import commands

from bot.app.daily import DailyCycle
from bot.app.study import StudyService
from bot.clock import Clock
from bot.config import Settings
from bot.present.worker import Presenter
from bot.discord_app.errors import StudyTree
from bot.discord_app.i18n import StudyTranslator
from bot.discord_app.pacing import SendPacer
from bot.discord_app.sync import SyncOutcome, sync_commands
from bot.discord_app.views import ExpiredButton
from bot.shards import ShardRange

log = logging.getLogger(__name__)

INITIAL_EXTENSIONS: tuple[str, ...] = ("cogs.glossary", "cogs.quiz", "cogs.scores", "cogs.admin", "cogs.daily",
                                          "cogs.review")


def intents() -> discord.Intents:
    """Guilds only: slash commands and buttons arrive as interactions and need nothing more."""
    wanted = discord.Intents.none()
    wanted.guilds = True
    return wanted


class StudyBot(commands.Bot):
    """The bot. Cogs reach the application only through `bot.study` and `bot.daily` (and draw
    pictures and exports through `bot.present`)."""

    def __init__(
        self,
        *,
        settings: Settings,
        study: StudyService,
        daily: DailyCycle,
        clock: Clock,
        present: Presenter | None = None,
        extensions: Sequence[str] = INITIAL_EXTENSIONS,
        sync: bool = True,
        force_sync: bool = False,
        pacer: SendPacer | None = None,
        **options: Any,
    ) -> None:
        super().__init__(
            command_prefix=commands.when_mentioned,
            help_command=None,
            intents=intents(),
            allowed_mentions=discord.AllowedMentions.none(),
            tree_cls=StudyTree,
            # A rate-limit wait longer than this (discord.py's least: 30 s) raises RateLimited:
            # the daily sweep retries later instead of a send sleeping it out.
            max_ratelimit_timeout=30.0,
            **options,
        )
        self.settings = settings
        self.study = study
        self.daily = daily
        self.clock = clock
        # Daily posts, reveal edits and notices take turns here (bot/discord_app/pacing.py).
        self.pacer = pacer or SendPacer.for_share(1.0)
        self.present = present or Presenter()  # pictures and exports, drawn in a worker process
        self.initial_extensions = tuple(extensions)
        self.failed_extensions: dict[str, BaseException] = {}
        self._sync = sync
        self._force_sync = force_sync
        self.sync_outcome: SyncOutcome | None = None
        self.sync_error: BaseException | None = None

    async def setup_hook(self) -> None:
        await self.tree.set_translator(StudyTranslator())
        self.add_dynamic_items(ExpiredButton)  # clicks on timed views' buttons nobody runs any more
        for name in self.initial_extensions:
            await self._load(name)
        if self._sync:
            await self.sync_commands(force=self._force_sync)

    async def _load(self, name: str) -> None:
        try:
            await self.load_extension(name)
        except Exception as exc:
            self.failed_extensions[name] = exc
            quiet = isinstance(exc, commands.ExtensionNotFound)
            log.error("could not load extension %s: %s", name, exc, exc_info=None if quiet else exc)
        else:
            log.info("loaded extension %s", name)

    async def sync_commands(self, *, force: bool = False) -> SyncOutcome | None:
        """Sync when the tree changed (or `force`); a failure is logged and kept, not raised."""
        try:
            self.sync_outcome = await sync_commands(
                self.tree,
                self.study,
                dev_guild_id=self.settings.discord_dev_guild,
                force=force,
            )
        except (discord.HTTPException, discord.RateLimited) as exc:  # RateLimited: a wait over max_ratelimit_timeout
            self.sync_error = exc
            log.error("command sync failed: %s", exc)
        return self.sync_outcome

    async def on_ready(self) -> None:
        user = self.user
        log.info("connected as %s (id %s) to %d servers", user, user.id if user else "?", len(self.guilds))


IDENTIFY_INTERVAL = 5.0  # Discord: one IDENTIFY per rate-limit bucket per 5 seconds


class ShardedStudyBot(StudyBot, commands.AutoShardedBot):
    """`StudyBot` over shards `shards.ids` of `shards.count` (see the module docstring).

    Each shard is its own gateway connection; Discord sends a server's events and interactions
    only to the shard `(guild_id >> 22) % count`, and direct messages to shard 0.
    """

    def __init__(self, *, shards: ShardRange, **options: Any) -> None:
        super().__init__(shard_ids=list(shards.ids), shard_count=shards.count, **options)
        self.shard_range = shards
        self._max_concurrency: int | None = None
        self._identified: dict[int, float] = {}  # rate-limit bucket -> loop time of its last IDENTIFY

    async def before_identify_hook(self, shard_id: int | None, *, initial: bool = False) -> None:
        """Wait until the shard's bucket (`shard_id % max_concurrency`, from `GET /gateway/bot`)
        may IDENTIFY again, instead of discord.py's flat 5 s before every shard but the first."""
        if self._max_concurrency is None:
            try:
                limits = await self.fetch_session_start_limits()
                self._max_concurrency = max(1, int(limits.max_concurrency))
            except (discord.HTTPException, discord.GatewayNotFound) as exc:
                log.warning("could not read the session start limits (%s); identifying one shard per 5 s", exc)
                self._max_concurrency = 1
        bucket = (shard_id or 0) % self._max_concurrency
        loop = asyncio.get_running_loop()
        last = self._identified.get(bucket)
        if last is not None and (wait := last + IDENTIFY_INTERVAL - loop.time()) > 0:
            await asyncio.sleep(wait)
        self._identified[bucket] = loop.time()

    async def on_ready(self) -> None:
        user = self.user
        log.info("connected as %s (id %s) to %d servers on shards %s", user, user.id if user else "?",
                 len(self.guilds), self.shard_range)
