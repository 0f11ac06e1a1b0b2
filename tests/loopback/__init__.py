"""A loopback stand-in of Discord (REST + gateway) for end-to-end tests of the bot.

`FakeDiscord` serves both on 127.0.0.1; `run_in_process` and `BotProcess` run a bot against it;
`fixtures` has the pytest fixtures; `RateLimits` (ratelimits.py) turns on Discord-like 429s.
See tests/loopback/README.md for a walk-through.
"""

from .client import BotProcess, drain_handler_tasks, python_argv, run_in_process
from .driver import InteractionHandle, InteractionResult, RecordedRequest, Violation
from .payloads import (
    ADMIN_PERMISSIONS,
    BOT_PERMISSIONS,
    EVERYONE_PERMISSIONS,
    FakeChannel,
    FakeGuild,
    FakeMember,
    FakeRole,
    FakeUser,
    InteractionBuildError,
    StoredMessage,
)
from .ratelimits import RateLimits, RouteLimit
from .server import FailureRule, FakeDiscord, GatewaySession, HoldRule, ShareFailureRule, shard_of

__all__ = [
    "ADMIN_PERMISSIONS",
    "BOT_PERMISSIONS",
    "EVERYONE_PERMISSIONS",
    "BotProcess",
    "FailureRule",
    "HoldRule",
    "FakeChannel",
    "FakeDiscord",
    "FakeGuild",
    "FakeMember",
    "FakeRole",
    "FakeUser",
    "GatewaySession",
    "InteractionBuildError",
    "InteractionHandle",
    "InteractionResult",
    "RateLimits",
    "RecordedRequest",
    "RouteLimit",
    "ShareFailureRule",
    "StoredMessage",
    "Violation",
    "drain_handler_tasks",
    "python_argv",
    "run_in_process",
    "shard_of",
]
