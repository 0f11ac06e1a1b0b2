"""The error handler: friendly ephemeral replies for expected errors, a ref for bugs."""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field
from types import SimpleNamespace
from typing import Any

import discord
import pytest
from discord import app_commands

from bot.discord_app.errors import GuardedItem, StudyTree, guard_autocomplete, report_error
from bot.errors import AlreadyAnswered, NothingFound, UnknownTopic

REF = re.compile(r"ref ([0-9A-F]{6})")
COMMAND = SimpleNamespace(name="define")


def invoke_error(error: Exception) -> app_commands.CommandInvokeError:
    """What discord.py hands the tree when a command's callback raised `error`."""
    return app_commands.CommandInvokeError(COMMAND, error)  # type: ignore[arg-type]


@dataclass
class FakeResponse:
    done: bool = False
    sent: list[tuple[str, bool]] = field(default_factory=list)
    choices: list[app_commands.Choice[str]] | None = None
    fail: bool = False

    def is_done(self) -> bool:
        return self.done

    async def send_message(self, content: str, *, ephemeral: bool = False) -> None:
        if self.fail:
            raise discord.NotFound(SimpleNamespace(status=404, reason="Not Found"), "Unknown interaction")
        self.sent.append((content, ephemeral))
        self.done = True

    async def autocomplete(self, choices: list[app_commands.Choice[str]]) -> None:
        self.choices = list(choices)
        self.done = True


@dataclass
class FakeFollowup:
    sent: list[tuple[str, bool]] = field(default_factory=list)

    async def send(self, content: str, *, ephemeral: bool = False) -> None:
        self.sent.append((content, ephemeral))


@dataclass
class FakeInteraction:
    """The attributes the handler reads from a `discord.Interaction`, nothing more."""

    type: discord.InteractionType = discord.InteractionType.application_command
    locale: discord.Locale = discord.Locale.american_english
    response: FakeResponse = field(default_factory=FakeResponse)
    followup: FakeFollowup = field(default_factory=FakeFollowup)
    command: Any = None
    data: dict[str, Any] = field(default_factory=dict)
    user: Any = field(default_factory=lambda: SimpleNamespace(id=42))
    guild_id: int = 7
    extras: dict[str, Any] = field(default_factory=dict)


def only_reply(interaction: FakeInteraction) -> tuple[str, bool]:
    replies = interaction.response.sent + interaction.followup.sent
    assert len(replies) == 1, replies
    return replies[0]


async def test_nothing_found_becomes_an_ephemeral_did_you_mean() -> None:
    interaction = FakeInteraction()
    ref = await report_error(interaction, NothingFound(query="kubernets", suggestions=["Kubernetes", "Kubelet"]))
    text, ephemeral = only_reply(interaction)
    assert ref is None and ephemeral
    assert "kubernets" in text and "Did you mean: Kubernetes, Kubelet?" in text


async def test_expected_errors_reply_in_korean_for_a_korean_client() -> None:
    interaction = FakeInteraction(locale=discord.Locale.korean)
    await report_error(interaction, invoke_error(UnknownTopic(topic="쿠베", suggestions=[])))
    text, ephemeral = only_reply(interaction)
    assert ephemeral and "쿠베" in text and "덱이나 섹션" in text


@pytest.mark.parametrize(
    ("error", "expected"),
    [
        (app_commands.MissingPermissions(["manage_guild"]), "Manage Server"),
        (app_commands.NoPrivateMessage(), "only in a server"),
        (app_commands.CommandOnCooldown(app_commands.Cooldown(1, 10), 4.2), "try again in 4 s"),
        (app_commands.CheckFailure(), "can't use this command"),
        (AlreadyAnswered(choice=2, correct=0), "(C)"),
    ],
)
async def test_expected_app_command_errors_become_friendly_sentences(error: Exception, expected: str) -> None:
    interaction = FakeInteraction()
    assert await report_error(interaction, error) is None
    text, ephemeral = only_reply(interaction)
    assert ephemeral and expected in text and "ref" not in text


async def test_an_unexpected_error_gets_a_ref_and_its_traceback_is_logged_under_it(caplog: pytest.LogCaptureFixture) -> None:
    interaction = FakeInteraction()
    try:
        raise RuntimeError("database on fire")
    except RuntimeError as exc:
        wrapped = invoke_error(exc)
    with caplog.at_level(logging.ERROR, logger="bot.discord_app.errors"):
        ref = await report_error(interaction, wrapped)
    text, ephemeral = only_reply(interaction)
    assert ephemeral and ref and REF.search(text) and REF.search(text).group(1) == ref  # type: ignore[union-attr]
    assert "database on fire" not in text
    (record,) = [r for r in caplog.records if ref in r.getMessage()]
    assert record.exc_info and record.exc_info[0] is RuntimeError


async def test_an_answered_interaction_gets_a_followup_instead() -> None:
    interaction = FakeInteraction(response=FakeResponse(done=True))
    await report_error(interaction, NothingFound(query="x", suggestions=[]))
    assert interaction.response.sent == []
    assert len(interaction.followup.sent) == 1 and interaction.followup.sent[0][1] is True


async def test_autocomplete_gets_an_empty_list_for_expected_and_one_line_for_unexpected_errors() -> None:
    expected = FakeInteraction(type=discord.InteractionType.autocomplete)
    await report_error(expected, NothingFound(query="x", suggestions=[]))
    assert expected.response.choices == []

    unexpected = FakeInteraction(type=discord.InteractionType.autocomplete)
    ref = await report_error(unexpected, KeyError("boom"))
    assert unexpected.response.choices is not None and len(unexpected.response.choices) == 1
    (choice,) = unexpected.response.choices
    assert ref in choice.name and len(choice.name) <= 100 and "\n" not in choice.name


async def test_a_failing_reply_is_logged_not_raised(caplog: pytest.LogCaptureFixture) -> None:
    interaction = FakeInteraction(response=FakeResponse(fail=True))
    with caplog.at_level(logging.WARNING, logger="bot.discord_app.errors"):
        ref = await report_error(interaction, ValueError("bug"))
    assert ref is not None
    assert any("could not send the error reply" in r.getMessage() and ref in r.getMessage() for r in caplog.records)


async def test_tree_on_error_uses_the_handler() -> None:
    client = discord.Client(intents=discord.Intents.none())
    tree = StudyTree(client)
    interaction = FakeInteraction()
    await tree.on_error(interaction, invoke_error(NothingFound(query="q", suggestions=[])))  # type: ignore[arg-type]
    assert "Nothing found" in only_reply(interaction)[0]
    await client.close()


async def test_a_crashing_autocomplete_callback_is_answered_not_swallowed() -> None:
    class Holder:
        @guard_autocomplete
        async def complete(self, interaction: Any, current: str) -> list[app_commands.Choice[str]]:
            raise ZeroDivisionError

        @guard_autocomplete
        async def many(self, interaction: Any, current: str) -> list[app_commands.Choice[str]]:
            return [app_commands.Choice(name=str(i), value=str(i)) for i in range(40)]

    interaction = FakeInteraction(type=discord.InteractionType.autocomplete)
    assert await Holder().complete(interaction, "x") == []
    assert interaction.response.choices and REF.search(interaction.response.choices[0].name)
    assert len(await Holder().many(FakeInteraction(type=discord.InteractionType.autocomplete), "x")) == 25


async def test_a_crashing_button_callback_is_answered_with_a_ref() -> None:
    class Crashing(GuardedItem):
        async def run(self, interaction: Any) -> None:
            raise RuntimeError("click bug")

    interaction = FakeInteraction(type=discord.InteractionType.component, data={"custom_id": "quiz:1:0"})
    await Crashing().callback(interaction)  # type: ignore[arg-type]
    assert REF.search(only_reply(interaction)[0])


def test_the_log_handler_redacts_the_token_in_messages_arguments_and_tracebacks() -> None:
    import io

    from bot.logs import REDACTED, setup_logging

    token = "MTIz.secret-token.value"
    stream = io.StringIO()
    handler = setup_logging("INFO", secrets=[token], stream=stream)
    try:
        log = logging.getLogger("tests.redaction")
        log.info("connecting with %s", token)
        try:
            raise RuntimeError(f"401 for Bot {token}")
        except RuntimeError:
            log.exception("login failed")
    finally:
        logging.getLogger().removeHandler(handler)
    output = stream.getvalue()
    assert token not in output
    assert f"connecting with {REDACTED}" in output and f"RuntimeError: 401 for Bot {REDACTED}" in output


async def test_an_interaction_that_expired_gets_no_second_reply_attempt() -> None:
    # A reply that came after Discord's deadline was refused as Unknown interaction; answering
    # the refusal with an error reply would be a second initial response to a dead interaction.
    interaction = FakeInteraction()
    expired = discord.NotFound(SimpleNamespace(status=404, reason="Not Found"),
                               {"code": 10062, "message": "Unknown interaction"})
    assert await report_error(interaction, expired) is None
    assert interaction.response.sent == [] and interaction.followup.sent == []


async def test_another_not_found_is_still_reported_with_a_ref() -> None:
    interaction = FakeInteraction()
    gone = discord.NotFound(SimpleNamespace(status=404, reason="Not Found"),
                            {"code": 10008, "message": "Unknown Message"})
    ref = await report_error(interaction, gone)
    text, ephemeral = only_reply(interaction)
    assert ref is not None and ref in text and ephemeral
