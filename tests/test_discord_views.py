"""Timed views and the 15-minute interaction token: the timeout never runs past the newest
token that can edit the message, and no edit is started through a token about to expire."""

from __future__ import annotations

from datetime import timedelta
from types import SimpleNamespace
from typing import Any

import discord

from bot.discord_app.views import TOKEN_LIFETIME, TOKEN_MARGIN, ListingView, Paginator, is_live


class Origin:
    """The attributes a timed view reads from the interaction that showed it."""

    def __init__(self, age_seconds: float) -> None:
        self.created_at = discord.utils.utcnow() - timedelta(seconds=age_seconds)
        self.edits: list[dict[str, Any]] = []

    async def edit_original_response(self, **kwargs: Any) -> None:
        self.edits.append(kwargs)


async def render(index: int) -> discord.Embed:
    return discord.Embed(title=str(index))


async def test_the_timeout_stays_within_the_showing_tokens_life() -> None:
    view = ListingView(owner_id=1, lang="en", timeout=300.0)
    view.shown_by(Origin(age_seconds=TOKEN_LIFETIME - 100))  # type: ignore[arg-type]
    assert view.timeout is not None and view.timeout <= 100 - TOKEN_MARGIN + 1e-6
    fresh = ListingView(owner_id=1, lang="en", timeout=300.0)
    fresh.shown_by(Origin(age_seconds=0))  # type: ignore[arg-type]
    assert fresh.timeout == 300.0


async def test_on_timeout_edits_the_buttons_away_but_never_through_an_expiring_token() -> None:
    alive, old = Origin(age_seconds=10), Origin(age_seconds=TOKEN_LIFETIME - 5)
    for origin, edited in ((alive, True), (old, False)):
        view = Paginator(owner_id=1, pages=3, render=render, lang="en")
        ids = [c.custom_id for c in view.children if isinstance(c, discord.ui.Button)]
        assert all(is_live(i) for i in ids if i)
        view.shown_by(origin)  # type: ignore[arg-type]
        await view.on_timeout()
        assert (origin.edits == [{"view": None}]) is edited
        assert not any(is_live(i) for i in ids if i)  # a later click gets "these buttons expired"


async def test_a_paginator_click_moves_the_edit_token_to_the_click() -> None:
    view = Paginator(owner_id=1, pages=3, render=render, lang="en")
    view.shown_by(Origin(age_seconds=TOKEN_LIFETIME - 60))  # type: ignore[arg-type]
    click = SimpleNamespace(user=SimpleNamespace(id=1), created_at=discord.utils.utcnow())
    assert await view.interaction_check(click)  # type: ignore[arg-type]
    assert view._shown is click and view.timeout == 180.0
