"""Shard ranges (`bot/shards.py`), who owns a community (`bot/app/ownership.py`), the send pacer,
and the `--shards` setting: spellings, refusals in one line, Discord's formula, Slack's hash."""

from __future__ import annotations

import hashlib
import random

import pytest

from bot.app.ownership import Ownership, owner_slot
from bot.cli import main
from bot.community import Community
from bot.config import ConfigError, load_settings
from bot.discord_app.pacing import SendPacer
from bot.shards import ShardRange, parse_shards


@pytest.mark.parametrize(("text", "first", "last", "count"), [
    ("0-3/8", 0, 3, 8), ("1/2", 1, 1, 2), (" 4 - 7 / 8 ", 4, 7, 8), ("0/1", 0, 0, 1), ("0-4095/4096", 0, 4095, 4096),
])
def test_a_shard_range_is_read_from_first_last_and_count(text: str, first: int, last: int, count: int) -> None:
    shards = parse_shards(text)
    assert (shards.first, shards.last, shards.count) == (first, last, count)
    assert parse_shards(str(shards)) == shards


@pytest.mark.parametrize(("text", "words"), [
    ("", "is not a shard range"),
    ("3", "is not a shard range"),
    ("a-b/c", "is not a shard range"),
    ("0-3/", "is not a shard range"),
    ("-1/2", "is not a shard range"),
    ("2/2", "not within 0-1 of 2 shards"),
    ("0-8/8", "not within 0-7 of 8 shards"),
    ("3-1/4", "the first shard 3 comes after the last one 1"),
    ("0/0", "the shard count must be between 1 and 4096"),
    ("0/5000", "the shard count must be between 1 and 4096"),
])
def test_a_bad_shard_range_is_refused_in_one_sentence_with_an_example(text: str, words: str) -> None:
    with pytest.raises(ValueError) as caught:
        parse_shards(text)
    message = str(caught.value)
    assert words in message and "0-3/8" in message and "\n" not in message


def test_the_setting_names_the_variable_and_the_flag() -> None:
    with pytest.raises(ConfigError) as caught:
        load_settings(shards="9/4")
    assert str(caught.value).startswith("STUDYBOT_SHARDS (--shards) is invalid: '9/4'")
    assert load_settings(shards="0-1/4").shard_range == ShardRange(0, 1, 4)
    assert load_settings(shards=" ").shards is None
    assert load_settings().shard_range == ShardRange.everything()


def test_studybot_run_with_a_bad_range_exits_2_with_one_line(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["run", "--shards", "5-2/8"]) == 2
    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 0 and "the first shard 5 comes after the last one 2" in err


@pytest.mark.parametrize(("a", "b", "overlap"), [
    ("0/2", "1/2", False),
    ("0-1/4", "2-3/4", False),
    ("0-1/4", "1/2", True),     # shard 1 of 4 is part of shard 1 of 2
    ("0/4", "0/2", True),
    ("1/4", "0/2", False),      # odd guild shards of 4 are never even shards of 2
    ("0/3", "1/2", True),       # gcd 1: every pair of shards shares guilds
    ("0/1", "5/8", True),       # a process running everything overlaps any range
    ("2-3/8", "2-3/8", True),
])
def test_two_ranges_overlap_exactly_when_some_guild_would_have_two_owners(a: str, b: str, overlap: bool) -> None:
    left, right = parse_shards(a), parse_shards(b)
    assert left.overlaps(right) is overlap and right.overlaps(left) is overlap
    # The claim checked by brute force over guild ids: ids that differ in their shard bits.
    rng = random.Random(7)
    shared = any(((g := rng.getrandbits(40)) % left.count) in left and (g % right.count) in right
                 for _ in range(20_000))
    assert shared is overlap


def test_a_discord_server_belongs_to_the_shard_discord_sends_its_events_to() -> None:
    guild_id = 1178466421230071808  # a real-shaped snowflake
    expected = (guild_id >> 22) % 8
    assert owner_slot(Community.discord(guild_id), 8) == expected
    owner = Ownership(ShardRange(expected, expected, 8))
    others = Ownership(ShardRange((expected + 1) % 8, (expected + 1) % 8, 8))
    assert owner.owns(Community.discord(guild_id)) and not others.owns(Community.discord(guild_id))


def test_a_slack_workspace_belongs_to_a_stable_hash_of_its_team_id() -> None:
    team = "T024BE7LD"
    expected = int(hashlib.sha256(b"slack:T024BE7LD").hexdigest()[:8], 16) % 8
    assert owner_slot(Community.of("slack", team), 8) == expected
    assert owner_slot(Community.of("slack", team), 1) == 0


def test_slack_workspaces_spread_evenly_over_the_shards() -> None:
    rng = random.Random(3)
    teams = [f"T{rng.getrandbits(40):010X}" for _ in range(8000)]
    counts = [0] * 4
    for team in teams:
        counts[owner_slot(Community.of("slack", team), 4)] += 1
    assert min(counts) > 1800 and max(counts) < 2200  # 2,000 each, give or take the noise


@pytest.mark.parametrize("community", ["discord:dm.1178466421230071808", "console:local", "discord:0"])
def test_communities_without_a_server_belong_to_shard_zero(community: str) -> None:
    assert owner_slot(Community(community), 8) == 0


def test_every_community_has_exactly_one_owner_among_ranges_that_cover_the_shards() -> None:
    ranges = [Ownership(parse_shards(s)) for s in ("0-2/8", "3/8", "4-7/8")]
    rng = random.Random(11)
    communities = [Community.discord(rng.getrandbits(60)) for _ in range(500)] + \
                  [Community.of("slack", f"T{rng.getrandbits(32):08X}") for _ in range(500)]
    for community in communities:
        assert sum(o.owns(community) for o in ranges) == 1


async def test_the_pacer_spaces_sends_evenly_at_its_rate() -> None:
    now = [100.0]
    slept: list[float] = []

    async def sleep(seconds: float) -> None:
        slept.append(seconds)

    pacer = SendPacer(20.0, monotonic=lambda: now[0], sleep=sleep)
    for _ in range(5):
        await pacer.turn()
    assert slept == pytest.approx([0.05, 0.10, 0.15, 0.20])  # the first goes at once
    now[0] += 10.0  # idle: no burst is saved up
    await pacer.turn()
    await pacer.turn()
    assert slept[4:] == pytest.approx([0.05])


def test_processes_of_one_bot_share_discords_global_limit_by_their_shards() -> None:
    halves = [SendPacer.for_share(parse_shards(s).share).rate for s in ("0/2", "1/2")]
    assert halves == [24.0, 24.0]
    # Spaced turns put at most rate + 1 sends into any second: 2 x 25 = 50, Discord's global limit.
    assert sum(r + 1 for r in halves) <= 50
    assert SendPacer.for_share(1.0).rate == 49.0
    assert SendPacer.for_share(1 / 64).rate == 1.0  # never stalled


def test_compose_runs_two_bots_on_one_postgresql_whose_shards_cover_every_guild_once() -> None:
    import yaml

    from tests.conftest import REPO_ROOT

    services = yaml.safe_load((REPO_ROOT / "compose.yaml").read_text(encoding="utf-8"))["services"]
    bots = {name: svc for name, svc in services.items() if name.startswith("bot-")}
    assert len(bots) == 2 and services["postgres"]["image"].startswith("postgres:")
    urls = {svc["environment"]["STUDYBOT_DB"] for svc in bots.values()}
    assert len(urls) == 1 and next(iter(urls)).startswith("postgresql://") and "@postgres:" in next(iter(urls))
    ranges = [parse_shards(svc["environment"]["STUDYBOT_SHARDS"]) for svc in bots.values()]
    assert not ranges[0].overlaps(ranges[1]) and sum(r.share for r in ranges) == 1
    assert all(svc["restart"] == "unless-stopped" for svc in bots.values())
