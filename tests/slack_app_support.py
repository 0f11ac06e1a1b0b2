"""In-process Slack front end on the loopback Slack, for the tests of commands, clicks and the
daily quiz: a real application (default deck, a temporary SQLite file), the real Bolt `AsyncApp`
from `create_slack_app`'s front end, connected over Socket Mode to `fake_slack`.

`slack_front` (fixture) yields a `SlackRig`; `rig.slash(...)` runs a command and returns the
ack and the one reply the member saw.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest_asyncio

from bot.app import App, open_app
from bot.clock import Clock
from bot.community import Community
from bot.config import Settings
from bot.slack_app.frontend import SlackFrontEnd, make_client
from tests.conftest import ALIASES_FILE, DEFAULT_NOTES
from tests.slack_loopback import Ack, FakeSlack, Posted
from tests.slack_loopback.client import bolt_in_process

COMMUNITY = Community.of("slack", "T0LOOP")


def slack_settings(fake: FakeSlack, db: Path, **changes: Any) -> Settings:
    return Settings(notes=DEFAULT_NOTES, db=db, aliases=ALIASES_FILE, timezone="UTC",
                    slack_bot_token=fake.bot_token, slack_app_token=fake.app_token, slack_api_url=fake.api_url,
                    **changes)


@dataclass
class SlackRig:
    fake: FakeSlack
    app: App
    front: SlackFrontEnd

    async def slash(self, command: str, text: str = "", *, user: str = "U1", channel: str = "C1") -> tuple[Ack, Posted]:
        ack = await self.fake.slash(command, text, user=user, channel=channel)
        return ack, await self.fake.wait_reply(ack)

    async def click(self, target: str | Posted, action_id: str, *, user: str = "U1",
                    **kwargs: Any) -> tuple[Ack, Posted]:
        ack = await self.fake.click(target, action_id, user=user, **kwargs)
        return ack, await self.fake.wait_reply(ack)


@asynccontextmanager
async def slack_rig(fake: FakeSlack, db: Path, *, clock: Clock | None = None) -> AsyncIterator[SlackRig]:
    """The application on `db` and its Slack front end, connected to `fake` until the block ends."""
    settings = slack_settings(fake, db)
    async with open_app(settings, clock=clock) as app:
        front = SlackFrontEnd(app, settings, make_client(settings))
        try:
            async with bolt_in_process(fake, front.bolt):
                yield SlackRig(fake, app, front)
        finally:
            await front.stop()


@pytest_asyncio.fixture
async def slack_front(fake_slack: FakeSlack, tmp_path: Path) -> AsyncIterator[SlackRig]:
    async with slack_rig(fake_slack, tmp_path / "studybot.db") as rig:
        yield rig
