"""A loopback Slack (Web API + Socket Mode + response_url) for tests of the Slack front end.

`FakeSlack` (server.py) serves it on 127.0.0.1; `limits.py` holds Slack's limits on what a bot
sends, `ratelimits.py` the Web API tiers, `records.py` what the fake keeps, `fixtures.py` the
`fake_slack` pytest fixture. See tests/slack_loopback/README.md.
"""

from .limits import check_message, check_options, check_view
from .ratelimits import METHOD_TIERS, SlackRateLimits
from .records import Ack, Channel, Ephemeral, Message, Posted, Response, ResponseUrl, UploadedFile, User, View
from .server import ACK_DEADLINE, ClickRefused, FakeSlack, FaultRule, NoAck, SocketConnection, readable

__all__ = [
    "ACK_DEADLINE",
    "METHOD_TIERS",
    "Ack",
    "Channel",
    "ClickRefused",
    "Ephemeral",
    "FakeSlack",
    "FaultRule",
    "Message",
    "NoAck",
    "Posted",
    "Response",
    "ResponseUrl",
    "SlackRateLimits",
    "SocketConnection",
    "UploadedFile",
    "User",
    "View",
    "check_message",
    "check_options",
    "check_view",
    "readable",
]
