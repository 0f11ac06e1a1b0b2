"""Notes change, cards follow: an edited definition makes its cards due again (state kept), a
removed entry stops being reviewed but keeps its history, and a reload reports what changed."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.app.study import StudyService
from bot.clock import ManualClock
from bot.community import Community
from bot.discord_app.embeds import reload_embed
from bot.engine.cards import Rating
from bot.store import Store

GUILD, ALICE = Community.discord(10), "1001"
NOTE = """---
title: "Mini"
---

## Basics

- **Alpha**: the first letter of the Greek alphabet.
- **Beta**: the second letter of the Greek alphabet.
- **Gamma**: the third letter of the Greek alphabet.
"""


@pytest.fixture
async def world(tmp_path: Path):
    notes = tmp_path / "notes"
    notes.mkdir()
    (notes / "mini.md").write_text(NOTE, encoding="utf-8")
    clock = ManualClock(datetime(2026, 11, 27, 3, 0, tzinfo=UTC))
    store = await Store.open(tmp_path / "s.db", clock=clock)
    try:
        yield notes / "mini.md", clock, store, StudyService(notes_path=notes, store=store, clock=clock)
    finally:
        await store.close()


async def study_all(service: StudyService) -> None:
    for _ in service.notes.entries:
        item = await service.review.next_item(community=GUILD, user_id=ALICE, display_name="A", mode="flashcard")
        await service.review.rate(community=GUILD, post_id=item.post_id, user_id=ALICE, rating=Rating.EASY,
                                  display_name="A")


async def test_a_changed_definition_makes_its_cards_due_a_removed_entry_keeps_its_history(world) -> None:
    path, clock, store, service = world
    await study_all(service)
    ids = {e.term: e.id for e in service.notes.entries}
    before = await service.member_cards(GUILD, ALICE)
    assert all(c.due > clock.now() + timedelta(days=1) for c in before.values())

    clock.advance(timedelta(hours=2))
    path.write_text(NOTE.replace("the first letter", "the FIRST letter, written α,")
                    .replace("- **Gamma**: the third letter of the Greek alphabet.\n",
                             "- **Delta**: the fourth letter of the Greek alphabet.\n"), encoding="utf-8")
    report = await service.reload_notes()
    assert (report.added, report.removed, report.changed) == (("Delta",), ("Gamma",), ("Alpha",))
    assert report.due_again == 1

    after = await service.member_cards(GUILD, ALICE)
    alpha = after[ids["Alpha"]]
    assert alpha.due == clock.now()  # shortened to now, memory kept
    assert (alpha.stability, alpha.reps) == (before[ids["Alpha"]].stability, before[ids["Alpha"]].reps)
    assert after[ids["Beta"]] == before[ids["Beta"]]
    assert ids["Gamma"] in after  # history stays
    found = await service.review.next_entry(GUILD, ALICE)
    assert found == (ids["Alpha"], False)
    item = await service.review.next_item(community=GUILD, user_id=ALICE, display_name="A", mode="flashcard")
    assert "FIRST" in item.question.explanation
    await service.review.rate(community=GUILD, post_id=item.post_id, user_id=ALICE, rating=Rating.GOOD,
                              display_name="A")
    # Reviewed on the new wording: a second reload moves nothing.
    again = await service.reload_notes()
    assert again.changed == () and again.due_again == 0
    nxt = await service.review.next_item(community=GUILD, user_id=ALICE, display_name="A", mode="flashcard")
    assert nxt.question.term == "Delta" and nxt.is_new  # Gamma is never offered again


async def test_edits_made_while_the_bot_was_down_are_caught_at_start_up(world) -> None:
    path, clock, store, service = world
    await study_all(service)
    path.write_text(NOTE.replace("the second letter", "the 2nd letter"), encoding="utf-8")
    restarted = StudyService(notes_path=path.parent, store=store, clock=clock)
    assert await restarted.reconcile_cards() == 1


def test_the_reload_report_lists_the_terms_in_both_languages() -> None:
    embed = reload_embed(3, 6, [], "en", changes=(("Delta",), ("Gamma",), ("Alpha",)), due_again=4)
    fields = {f.name: f.value for f in embed.fields}
    assert fields["Added (1)"] == "Delta" and fields["Changed (1)"] == "Alpha"
    assert any(name.startswith("Removed (1)") for name in fields)
    assert any("4 cards" in v for v in fields.values())
    korean = reload_embed(3, 6, [], "ko", changes=(("Delta",), (), ()))
    assert korean.fields[0].name == "추가됨 (1)"
