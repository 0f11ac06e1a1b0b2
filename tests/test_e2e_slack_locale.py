"""End-to-end: the language of every reply follows the member's Slack locale (`users.info` with
`include_locale`): Korean for ko-KR, English for en-US; a member whose locale cannot be read (no
locale, or users.info failing) reads the workspace default, which is English until an admin
with a Korean locale sets up the daily quiz. Verdicts start with ✅ / ❌ in both languages."""

from __future__ import annotations

from typing import Any

import pytest

from tests.slack_e2e_support import (
    daily_actions,
    daily_post,
    reply,
    set_daily,
    slack_studybot,  # noqa: F401 - fixture
)
from tests.slack_loopback import FakeSlack

pytestmark = pytest.mark.e2e

KOREAN_SOURCE = "출처"  # the Korean label of a definition's source
ENGLISH_SOURCE = "Source"


async def test_a_korean_member_reads_korean_and_an_english_member_english(
        fake_slack: FakeSlack, slack_studybot: Any) -> None:
    fake_slack.add_user("UKO", name="민지", locale="ko-KR")
    fake_slack.add_user("UEN", name="sam", locale="en-US")
    proc = await slack_studybot()
    korean = await reply(fake_slack, await fake_slack.slash("/define", "HPA", user="UKO"))
    english = await reply(fake_slack, await fake_slack.slash("/define", "HPA", user="UEN"))
    assert KOREAN_SOURCE in korean and ENGLISH_SOURCE not in korean
    assert ENGLISH_SOURCE in english and KOREAN_SOURCE not in english

    post = await daily_post(fake_slack)
    buttons = daily_actions(post)
    for user in ("UKO", "UEN"):
        verdict = await reply(fake_slack, await fake_slack.click(post, buttons[0], user=user))
        assert verdict[:1] in ("✅", "❌")
    ko_again = await reply(fake_slack, await fake_slack.click(post, buttons[1], user="UKO"))
    en_again = await reply(fake_slack, await fake_slack.click(post, buttons[1], user="UEN"))
    assert "이미 답했" in ko_again and "already answered" in en_again
    assert await proc.stop() == 0


async def test_a_member_without_a_readable_locale_reads_the_workspace_default(
        fake_slack: FakeSlack, slack_studybot: Any) -> None:
    fake_slack.add_user("UNONE", locale=None)
    proc = await slack_studybot()
    before = await reply(fake_slack, await fake_slack.slash("/define", "HPA", user="UNONE"))
    assert ENGLISH_SOURCE in before  # no admin has chosen a language: English

    fake_slack.add_user("UKOADMIN", name="관리자", locale="ko-KR", is_admin=True)
    await fake_slack.wait_reply(await set_daily(fake_slack, admin="UKOADMIN"))
    fake_slack.add_user("UNONE2", locale=None)
    after = await reply(fake_slack, await fake_slack.slash("/define", "HPA", user="UNONE2"))
    assert KOREAN_SOURCE in after  # the Korean admin's language is the workspace default now

    fake_slack.add_user("UFAIL", locale="en-US")
    fake_slack.fail_next("users.info", status=500)
    failed = await reply(fake_slack, await fake_slack.slash("/define", "HPA", user="UFAIL"))
    assert KOREAN_SOURCE in failed  # users.info failed: the workspace default, not a guess
    assert await proc.stop() == 0
