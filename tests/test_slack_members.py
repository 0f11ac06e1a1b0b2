"""A Slack member's language, role and name from `users.info` (with `include_locale`), kept for
a few minutes, with the workspace's default language when Slack does not say."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import pytest_asyncio

from bot.app import App, open_app
from bot.clock import ManualClock
from bot.slack_app.frontend import make_client
from bot.slack_app.members import Members
from tests.slack_app_support import slack_settings
from tests.slack_loopback import FakeSlack

pytestmark = pytest.mark.asyncio


@pytest_asyncio.fixture
async def clock() -> ManualClock:
    return ManualClock(datetime(2026, 3, 9, 3, 0, tzinfo=UTC))


@pytest_asyncio.fixture
async def app(fake_slack: FakeSlack, tmp_path: Path, clock: ManualClock) -> AsyncIterator[App]:
    async with open_app(slack_settings(fake_slack, tmp_path / "studybot.db"), clock=clock, load_notes=False) as made:
        yield made


def members_of(fake: FakeSlack, app: App) -> Members:
    return Members(make_client(app.settings), app.study, app.clock)


async def test_a_korean_locale_reads_korean_and_an_admin_is_an_admin(fake_slack: FakeSlack, app: App) -> None:
    fake_slack.add_user("UKO", name="민지", locale="ko-KR", is_admin=True)
    member = await members_of(fake_slack, app).get("T0LOOP", "UKO")
    assert (member.lang, member.is_admin, member.name, member.known) == ("ko", True, "민지", True)
    assert fake_slack.calls_to("users.info")[0]["include_locale"] in (True, "true", "1", "True")


@pytest.mark.parametrize(("admin", "owner", "expected"), [(False, False, False), (False, True, True),
                                                          (True, False, True)])
async def test_admins_and_owners_may_run_the_daily_quiz(fake_slack: FakeSlack, app: App, admin: bool, owner: bool,
                                                        expected: bool) -> None:
    fake_slack.add_user("UX", is_admin=admin, is_owner=owner)
    assert (await members_of(fake_slack, app).get("T0LOOP", "UX")).is_admin is expected


async def test_an_answer_is_kept_for_five_minutes_then_asked_again(fake_slack: FakeSlack, app: App,
                                                                   clock: ManualClock) -> None:
    members = members_of(fake_slack, app)
    fake_slack.add_user("UA", is_admin=True)
    await members.get("T0LOOP", "UA")
    fake_slack.add_user("UA", is_admin=False)  # demoted
    assert (await members.get("T0LOOP", "UA")).is_admin is True
    clock.advance(timedelta(minutes=5, seconds=1))
    assert (await members.get("T0LOOP", "UA")).is_admin is False
    assert len(fake_slack.calls_to("users.info")) == 2


async def test_clicks_of_one_member_at_once_share_one_call(fake_slack: FakeSlack, app: App) -> None:
    members = members_of(fake_slack, app)
    found = await asyncio.gather(*(members.get("T0LOOP", "U2") for _ in range(20)))
    assert {m.user_id for m in found} == {"U2"} and len(fake_slack.calls_to("users.info")) == 1


async def test_no_locale_reads_the_workspace_default_else_english(fake_slack: FakeSlack, app: App) -> None:
    fake_slack.add_user("UN", locale=None)
    members = members_of(fake_slack, app)
    assert (await members.get("T0LOOP", "UN")).lang == "en"
    await members.set_default_lang("T0LOOP", "ko")
    members.forget("T0LOOP", "UN")
    assert (await members.get("T0LOOP", "UN")).lang == "ko"
    assert (await members_of(fake_slack, app).default_lang("T0LOOP")) == "ko"  # kept in the database
    assert (await members.default_lang("T0OTHER")) == "en"


async def test_a_member_slack_cannot_tell_about_is_a_stand_in_that_is_never_an_admin(fake_slack: FakeSlack,
                                                                                      app: App) -> None:
    members = members_of(fake_slack, app)
    await members.set_default_lang("T0LOOP", "ko")
    fake_slack.fail_next("users.info", status=500)
    member = await members.get("T0LOOP", "U1", fallback_name="u1")  # U1 is an admin on the fake
    assert (member.known, member.is_admin, member.lang, member.name) == (False, False, "ko", "u1")
    assert await members.lookup_within("T0LOOP", "UNOBODY") is None  # users.info: user_not_found
