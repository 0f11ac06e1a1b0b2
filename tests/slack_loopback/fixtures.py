"""pytest fixture `fake_slack`: a started `FakeSlack` per test, checked clean at teardown.

Registered for the whole suite in tests/conftest.py (`pytest_plugins`). A test that provokes
violations on purpose calls `fake_slack.expect_violations()` (and asserts on what it returns).
`@pytest.mark.slack_loopback(**kwargs)` passes keyword arguments to `FakeSlack(...)`, e.g.
`@pytest.mark.slack_loopback(rate_limits=SlackRateLimits(special_burst=1))`.
"""

from __future__ import annotations

from typing import Any, AsyncIterator

import pytest
import pytest_asyncio

from .server import FakeSlack


def fake_slack_settings(request: pytest.FixtureRequest) -> dict[str, Any]:
    marker = request.node.get_closest_marker("slack_loopback")
    if marker is None:
        return {}
    if marker.args:
        raise TypeError("@pytest.mark.slack_loopback takes keyword arguments of FakeSlack only")
    return dict(marker.kwargs)


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "slack_loopback(**settings): FakeSlack keyword arguments for fake_slack")


@pytest_asyncio.fixture
async def fake_slack(request: pytest.FixtureRequest) -> AsyncIterator[FakeSlack]:
    """A started FakeSlack on a free 127.0.0.1 port; fails the test at teardown when the bot
    broke one of Slack's rules (unless the test called `expect_violations()`)."""
    async with FakeSlack(**fake_slack_settings(request)) as fake:
        yield fake
    fake.assert_clean()
