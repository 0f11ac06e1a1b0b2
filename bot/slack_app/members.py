"""Who is clicking: a Slack member's language, role and name, from `users.info`, cached briefly.

`users.info` with `include_locale` gives the member's Slack locale (Korean for `ko-KR`, else
English), `is_admin` / `is_owner` (who may run `/daily set|now|stop`) and a display name. One
answer is kept for `ttl` (five minutes by default) per workspace and member, so a burst of
clicks costs one call per member, and a demotion takes effect within minutes.

A member whose locale cannot be read (the call failed, was slow, or carries no locale) reads the
workspace's default language: the language of the admin who last set up the workspace's daily
quiz, kept in the application's meta table (`slack.lang:<team>`), else English. Slack has no
API that tells a bot the workspace's configured language, so the admin's choice stands in for it.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.app.messages import Lang, lang_of
from bot.app.study import StudyService
from bot.clock import Clock

log = logging.getLogger(__name__)

DEFAULT_TTL = timedelta(minutes=5)
LANGUAGE_BUDGET = 2.0  # seconds a reply waits for a member's locale before using the default
ROLE_BUDGET = 10.0  # seconds an admin command waits for the member's role (after its ack)


@dataclass(frozen=True, slots=True)
class Member:
    """What the front end needs to know about a member; `known` is False for a stand-in made
    when `users.info` could not be read (its role is then unknown, never admin)."""

    user_id: str
    lang: Lang
    is_admin: bool
    name: str
    known: bool = True


def member_from_user(user: dict[str, object], fallback_lang: Lang) -> Member:
    """A `Member` from the `user` object of `users.info`."""
    profile = user.get("profile") if isinstance(user.get("profile"), dict) else {}
    assert isinstance(profile, dict)
    locale = user.get("locale")
    name = next((str(n) for n in (profile.get("display_name"), profile.get("real_name"), user.get("real_name"),
                                  user.get("name")) if isinstance(n, str) and n.strip()), str(user.get("id", "?")))
    return Member(
        user_id=str(user.get("id", "")),
        lang=lang_of(locale) if isinstance(locale, str) and locale else fallback_lang,
        is_admin=bool(user.get("is_admin")) or bool(user.get("is_owner")) or bool(user.get("is_primary_owner")),
        name=name,
    )


class Members:
    """`users.info` answers per (team, user), kept for `ttl`; the workspace default language."""

    def __init__(self, client: AsyncWebClient, study: StudyService, clock: Clock, *,
                 ttl: timedelta = DEFAULT_TTL) -> None:
        self._client = client
        self._study = study
        self._clock = clock
        self._ttl = ttl
        self._cache: dict[tuple[str, str], tuple[datetime, Member]] = {}
        self._defaults: dict[str, Lang] = {}
        self._pending: dict[tuple[str, str], asyncio.Task[Member | None]] = {}

    async def default_lang(self, team_id: str) -> Lang:
        """The workspace's default language (see the module docstring)."""
        lang = self._defaults.get(team_id)
        if lang is None:
            stored = await self._study.get_meta(f"slack.lang:{team_id}")
            lang = "ko" if stored == "ko" else "en"
            self._defaults[team_id] = lang
        return lang

    async def set_default_lang(self, team_id: str, lang: Lang) -> None:
        self._defaults[team_id] = lang
        await self._study.set_meta(f"slack.lang:{team_id}", lang)

    def cached(self, team_id: str, user_id: str) -> Member | None:
        """The member as last read, if that is recent; never a call (for the hot path of a click)."""
        hit = self._cache.get((team_id, user_id))
        return hit[1] if hit is not None and self._clock.now() - hit[0] < self._ttl else None

    async def lookup_within(self, team_id: str, user_id: str, budget: float = ROLE_BUDGET) -> Member | None:
        """`lookup`, given up after `budget` seconds (None): for the admin check, which must
        know the member's role and may not guess it."""
        try:
            return await asyncio.wait_for(self.lookup(team_id, user_id), budget)
        except asyncio.TimeoutError:
            return None

    def forget(self, team_id: str, user_id: str) -> None:
        self._cache.pop((team_id, user_id), None)

    async def lookup(self, team_id: str, user_id: str) -> Member | None:
        """The member as `users.info` says now (or within `ttl`); None when it cannot be read."""
        key = (team_id, user_id)
        now = self._clock.now()
        hit = self._cache.get(key)
        if hit is not None and now - hit[0] < self._ttl:
            return hit[1]
        task = self._pending.get(key)
        if task is None:  # concurrent clicks of one member share one call
            task = asyncio.ensure_future(self._fetch(team_id, user_id))
            self._pending[key] = task
            task.add_done_callback(lambda _t: self._pending.pop(key, None))
        return await asyncio.shield(task)

    async def _fetch(self, team_id: str, user_id: str) -> Member | None:
        try:
            response = await self._client.users_info(user=user_id, include_locale=True)
        except Exception as exc:  # noqa: BLE001 - any failure reads as "unknown": the default applies
            log.warning("slack: users.info for a member of %s failed: %s", team_id, _reason(exc))
            return None
        user = response.get("user")
        if not isinstance(user, dict):
            return None
        member = member_from_user(user, await self.default_lang(team_id))
        self._cache[(team_id, user_id)] = (self._clock.now(), member)
        return member

    async def get(self, team_id: str, user_id: str, *, fallback_name: str = "",
                  budget: float = LANGUAGE_BUDGET) -> Member:
        """The member, or within `budget` seconds a stand-in in the workspace's default language
        (never an admin) when `users.info` is slow or fails."""
        try:
            member = await asyncio.wait_for(self.lookup(team_id, user_id), budget)
        except asyncio.TimeoutError:
            member = None
        if member is not None:
            return member
        return Member(user_id, await self.default_lang(team_id), False, fallback_name or user_id, known=False)

    async def lang(self, team_id: str, user_id: str) -> Lang:
        return (await self.get(team_id, user_id)).lang


def _reason(exc: BaseException) -> str:
    if isinstance(exc, SlackApiError):
        return str(exc.response.get("error", "error"))
    return type(exc).__name__
