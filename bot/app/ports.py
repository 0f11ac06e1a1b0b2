"""The delivery port: what the daily cycle needs from a chat platform, and what can come back.

A front end implements `DeliveryPort` in a few dozen lines (post a question, draw a reveal on the
posted message, tell a community its schedule paused); the application decides everything else.
Each call returns a typed outcome instead of raising the platform's errors, so the cycle's rules
(pause on a channel lost for good, retry later on anything passing) are written once:

* `Delivered(message_id)`: done; for a post, the platform's id of the new message;
* `Gone(channel=True)`: the channel no longer exists (pause); `Gone(channel=False)`: only the
  message is gone (a reveal that can never be drawn, nothing to pause);
* `Forbidden(missing)`: the bot lost access or a permission it needs there (pause); `missing`
  names the permissions (as `daily.perm.<name>` keys) when the port knows them before sending;
* `TryLater(reason)`: anything else (rate limits, server errors, timeouts): the sweep retries.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from bot.store import Post, PostResults, Schedule


@dataclass(frozen=True, slots=True)
class Delivered:
    message_id: str | None = None


@dataclass(frozen=True, slots=True)
class Gone:
    channel: bool = True


@dataclass(frozen=True, slots=True)
class Forbidden:
    missing: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class TryLater:
    reason: str = ""


DeliveryOutcome = Delivered | Gone | Forbidden | TryLater


@dataclass(frozen=True, slots=True)
class ChoiceResult:
    """One choice of a revealed post: its letter's index, text, answers, share, and whether right."""

    index: int
    text: str
    count: int
    share: float
    correct: bool


@dataclass(frozen=True, slots=True)
class Reveal:
    """A post closed to answers, with its final numbers, for the front end to draw."""

    post: Post
    results: PostResults

    @property
    def shares(self) -> tuple[float, ...]:
        total = self.results.total
        return tuple((n / total if total else 0.0) for n in self.results.counts)

    def choices(self) -> tuple[ChoiceResult, ...]:
        """Every choice of the question with its count and share (0 for a choice nobody took)."""
        question, counts, shares = self.post.question, self.results.counts, self.shares
        return tuple(ChoiceResult(i, text, counts[i] if i < len(counts) else 0, shares[i] if i < len(shares) else 0.0,
                                  i == question.answer) for i, text in enumerate(question.choices))


class DeliveryPort(Protocol):
    """One chat platform's side of the daily quiz."""

    async def wait_ready(self) -> None:
        """Return once the platform connection can deliver (the start-up recovery waits)."""

    async def post_question(self, schedule: Schedule, post: Post) -> DeliveryOutcome:
        """Post a daily question with its answer buttons in the schedule's channel."""

    async def show_reveal(self, reveal: Reveal) -> DeliveryOutcome:
        """Edit the post's message to show the answer and how the community answered."""

    async def announce_pause(self, schedule: Schedule, reason: str) -> None:
        """Tell the community that the schedule paused (best effort, never raises)."""
