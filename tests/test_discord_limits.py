"""`bot.discord_app.limits` fits every text the bot sends to Discord's documented limits."""

from __future__ import annotations

import discord
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.discord_app import limits
from tests.loopback import limits as discord_rules


def problems(*embeds: discord.Embed) -> list[str]:
    return discord_rules.check_embeds([e.to_dict() for e in embeds])


def test_clip_leaves_short_text_alone_and_marks_cut_text_with_an_ellipsis() -> None:
    assert limits.clip("short", 10) == "short"
    cut = limits.clip("a" * 300, 256)
    assert len(cut) == 256 and cut.endswith(limits.ELLIPSIS)
    assert limits.clip("abc", 1) == limits.ELLIPSIS
    assert limits.clip("abc", 0) == ""


def test_one_line_collapses_newlines_for_labels_and_choice_names() -> None:
    assert limits.one_line("Pod\n  Autoscaler\t(HPA)", 100) == "Pod Autoscaler (HPA)"
    assert len(limits.button_label("x" * 200)) == limits.BUTTON_LABEL
    assert limits.button_label("   ") == limits.EMPTY


def test_autocomplete_choices_are_at_most_25_distinct_with_names_of_at_most_100() -> None:
    pairs = [(f"{'term ' * 40}{i}\nsecond line", f"id{i % 30}") for i in range(60)]
    choices = limits.choices(pairs)
    assert len(choices) == 25
    assert len({c.value for c in choices}) == 25
    data = {"choices": [c.to_dict() for c in choices]}
    assert discord_rules.check_autocomplete(data) == []
    assert all("\n" not in c.name and 1 <= len(c.name) <= 100 for c in choices)


def test_custom_ids_are_never_cut_but_refused_past_100_characters() -> None:
    assert limits.custom_id("quiz", "12", "3") == "quiz:12:3"
    assert limits.fits_custom_id("next", "x" * 95)
    assert not limits.fits_custom_id("next", "x" * 96)
    with pytest.raises(ValueError):
        limits.custom_id("next", "x" * 96)


def test_an_oversized_embed_is_fitted_to_every_limit_and_the_6000_total() -> None:
    embed = discord.Embed(title="T" * 400, description="D" * 5000)
    for i in range(30):
        embed.add_field(name=f"name {i} " + "n" * 300, value="v" * 2000)
    embed.set_footer(text="f" * 3000)
    embed.set_author(name="a" * 300)
    limits.fit_embed(embed)
    assert problems(embed) == []
    assert len(embed) <= limits.EMBED_TOTAL
    assert len(embed.fields) <= limits.EMBED_FIELDS
    assert embed.title is not None and embed.title.endswith(limits.ELLIPSIS)


def test_empty_field_names_and_values_get_a_placeholder() -> None:
    embed = discord.Embed(title="x")
    embed.add_field(name="", value="   ")
    limits.fit_embed(embed)
    assert embed.fields[0].name == limits.EMPTY and embed.fields[0].value == limits.EMPTY
    assert problems(embed) == []


def test_several_embeds_share_one_6000_budget_and_at_most_10_are_kept() -> None:
    embeds = [discord.Embed(title=str(i), description="d" * 3000) for i in range(12)]
    fitted = limits.fit_embeds(embeds)
    assert len(fitted) <= limits.EMBEDS
    assert sum(len(e) for e in fitted) <= limits.EMBED_TOTAL
    assert problems(*fitted) == []


def test_user_text_is_one_short_line_with_markdown_made_inert() -> None:
    echoed = limits.user_text("**bold** @everyone\n" + "x" * 200, 50)
    assert "\n" not in echoed and "\\*\\*bold" in echoed
    assert len(limits.display_name("`code` name")) <= 64 + 4


@pytest.mark.parametrize("typed", ["@everyone", "@here", "<@&123456789012345678>", "<@123456789012345678>",
                                   "<@!123456789012345678>"])
def test_echoed_text_can_never_read_as_a_mention(typed: str) -> None:
    assert typed not in limits.user_text(f"look {typed} here") and "@\u200b" in limits.user_text(typed)
    assert typed not in limits.display_name(typed) and typed not in limits.title_text(typed)


def test_echoed_text_loses_direction_overrides_and_invisible_spaces() -> None:
    assert limits.user_text("\u202eAPH\u200b\u2066x\u2069") == "APHx"
    assert limits.display_name("\u202e\u200f") == limits.EMPTY


texts = st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=7000)


@settings(max_examples=60, deadline=None)
@given(title=texts, description=texts, fields=st.lists(st.tuples(texts, texts), max_size=30), footer=texts)
def test_any_embed_fits_after_fit_embed(title: str, description: str, fields: list[tuple[str, str]], footer: str) -> None:
    embed = discord.Embed(title=title or None, description=description or None)
    for name, value in fields:
        embed.add_field(name=name, value=value)
    if footer:
        embed.set_footer(text=footer)
    limits.fit_embed(embed)
    assert problems(embed) == []
