"""Communities: a platform plus its own id, never a bare Discord number, and never shared."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.app.study import StudyService
from bot.cli import main
from bot.clock import ManualClock
from bot.community import Community
from bot.engine.scoring import Board
from bot.errors import QuestionGone
from tests.backends import open_test_store
from tests.conftest import ALIASES_FILE, DEFAULT_NOTES


def test_a_community_names_its_platform_and_its_id() -> None:
    team = Community.of("slack", "T024BE7LD")
    assert (team, team.platform, team.id) == ("slack:T024BE7LD", "slack", "T024BE7LD")
    assert Community.discord(1178) == "discord:1178" and Community.discord(None) == "discord:0"


def test_a_bare_number_means_a_discord_server_for_scripts_written_before_communities() -> None:
    assert Community.parse("1178") == Community.discord(1178)
    assert Community.parse(" slack:T0123 ") == "slack:T0123"


@pytest.mark.parametrize("text", ["T0123", "mastodon:1", "slack:", "discord:1 2", "slack:T0123:x", ""])
def test_anything_else_is_refused(text: str) -> None:
    with pytest.raises(ValueError):
        Community.parse(text)


async def test_the_same_id_on_two_platforms_sees_nothing_of_the_other(store_url: str) -> None:
    clock = ManualClock(datetime(2026, 12, 1, 3, tzinfo=UTC))
    discord, slack = Community.of("discord", "42"), Community.of("slack", "42")
    async with await open_test_store(store_url, clock=clock, default_timezone="Asia/Seoul") as store:
        service = StudyService(notes_path=DEFAULT_NOTES, store=store, clock=clock, aliases_path=ALIASES_FILE)
        asked = await service.next_practice_question(community=discord, user_id="7", display_name="on discord")
        await service.answer(community=discord, post_id=asked.post_id, user_id="7", choice=asked.question.answer,
                             display_name="on discord")
        assert (await service.leaderboard(slack, board="practice", period="all")).rows == ()
        assert await service.export_scores(slack) == []
        assert (await service.stats(slack, "7")).boards[Board.PRACTICE].answered == 0
        assert [r.display_name for r in (await service.leaderboard(discord, board="practice", period="all")).rows] \
            == ["on discord"]
        with pytest.raises(QuestionGone):  # a Slack click cannot answer the Discord post
            await service.answer(community=slack, post_id=asked.post_id, user_id="7", choice=0, display_name="x")


def test_the_leaderboard_command_takes_a_community_or_a_bare_discord_id(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db = str(tmp_path / "s.db")
    assert main(["leaderboard", "--guild", "slack:T0123", "--period", "all", "--json", "--db", db]) == 0
    assert main(["leaderboard", "--guild", "1178", "--period", "all", "--json", "--db", db]) == 0
    assert main(["leaderboard", "--guild", "mastodon:1", "--db", db]) == 2
    assert "not a community" in capsys.readouterr().err



def test_a_direct_message_is_a_personal_community_on_no_servers_board() -> None:
    from types import SimpleNamespace

    from bot.discord_app.identity import community_of

    dm = community_of(SimpleNamespace(guild_id=None, user=SimpleNamespace(id=42)))  # type: ignore[arg-type]
    server = community_of(SimpleNamespace(guild_id=7, user=SimpleNamespace(id=42)))  # type: ignore[arg-type]
    assert dm == Community.discord_dm(42) == "discord:dm.42" and dm.platform == "discord"
    assert server == "discord:7" and dm != Community.discord(0)
