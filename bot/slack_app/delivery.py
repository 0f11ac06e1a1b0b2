"""The Slack side of the daily quiz's delivery port, and of the review reminders.

A daily post is `chat.postMessage` (Block Kit with its answer buttons) in the schedule's channel;
its message id in the store is the message's `ts`. A reveal is `chat.update` of that message
(the answers drawn, the buttons gone). The application claims every post in the store before it
is sent (`bot.app.daily`), so one slot is posted once, however many sweeps or processes race.

Rate limits: the Web API client carries slack-sdk's `AsyncRateLimitErrorRetryHandler`, which
waits `Retry-After` (plus a little) before it tries again, never earlier; a 429 that outlasts its
retries, a server error or a timeout is `TryLater` (the sweep retries). A post is never retried
by the client on a connection error, which could have posted already.

Slack's errors become the port's outcomes here and nowhere else: `channel_not_found` and
`is_archived` are `Gone(channel=True)`, `message_not_found` and `cant_update_message`
`Gone(channel=False)`, `not_in_channel` and the access errors `Forbidden` (the schedule pauses).
"""

from __future__ import annotations

import logging

from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.app.messages import pause_reason, tr
from bot.app.ports import Delivered, DeliveryOutcome, Forbidden, Gone, Reveal, TryLater
from bot.app.records import Post, Reminder, Schedule
from bot.app.review import ReviewStatus
from bot.slack_app import blocks as bk
from bot.slack_app import limits
from bot.slack_app.members import Members

log = logging.getLogger(__name__)

CHANNEL_GONE = frozenset({"channel_not_found", "is_archived", "user_not_found", "team_access_not_granted"})
MESSAGE_GONE = frozenset({"message_not_found", "cant_update_message", "edit_window_closed"})
NO_ACCESS = frozenset({
    "not_in_channel", "restricted_action", "restricted_action_read_only_channel", "restricted_action_thread_only_channel",
    "restricted_action_non_threadable_channel", "access_denied", "missing_scope", "not_allowed_token_type",
    "ekm_access_denied", "cannot_dm_bot", "messages_tab_disabled", "account_inactive", "invalid_auth", "not_authed",
    "token_revoked", "channel_type_not_supported", "is_inactive",
})
# Unfurls would add previews of links a note happens to contain; link_names stays off (no pings).
SEND_OPTIONS: dict[str, bool] = {"unfurl_links": False, "unfurl_media": False, "link_names": False}


def outcome_of(exc: BaseException, *, editing: bool = False) -> DeliveryOutcome:
    """What a failed Web API call means for the daily cycle."""
    if not isinstance(exc, SlackApiError):
        return TryLater(type(exc).__name__)
    error = str(exc.response.get("error", ""))
    if error in CHANNEL_GONE:
        return Gone(channel=True)
    if editing and error in MESSAGE_GONE:
        return Gone(channel=False)
    if error in NO_ACCESS:
        return Forbidden()
    status = getattr(exc.response, "status_code", 0)
    return TryLater(f"{error or 'error'} (HTTP {status})")


class SlackDelivery:
    """`bot.app.ports.DeliveryPort` and `bot.app.reminders.ReminderPort` over the Web API."""

    def __init__(self, client: AsyncWebClient, members: Members) -> None:
        self._client = client
        self._members = members

    async def wait_ready(self) -> None:
        """The Web API needs no connection of its own: posts can go out at once."""

    async def post_question(self, schedule: Schedule, post: Post) -> DeliveryOutcome:
        lang = await self._members.default_lang(schedule.community.id)
        try:
            response = await self._client.chat_postMessage(
                channel=schedule.channel_id, text=limits.message_text(bk.daily_post_text(post, lang)),
                blocks=bk.to_dicts(bk.daily_post_blocks(post, lang, schedule.timezone)), **SEND_OPTIONS)
        except Exception as exc:  # noqa: BLE001 - every failure is an outcome for the cycle
            return outcome_of(exc)
        ts = response.get("ts")
        return Delivered(str(ts)) if ts else TryLater("no ts in the reply")

    async def show_reveal(self, reveal: Reveal) -> DeliveryOutcome:
        post = reveal.post
        assert post.message_id is not None and post.channel_id is not None
        lang = await self._members.default_lang(post.community.id)
        try:
            await self._client.chat_update(
                channel=post.channel_id, ts=post.message_id, text=limits.message_text(bk.daily_reveal_text(reveal, lang)),
                blocks=bk.to_dicts(bk.daily_reveal_blocks(reveal, lang)), link_names=False)
        except Exception as exc:  # noqa: BLE001
            return outcome_of(exc, editing=True)
        return Delivered(post.message_id)

    async def announce_pause(self, schedule: Schedule, reason: str) -> None:
        """A notice in the schedule's own channel, where that still works (a topic without
        questions); a channel that is gone or closed to the bot hears nothing, and the log says why."""
        lang = await self._members.default_lang(schedule.community.id)
        text = tr(lang, "daily.paused_notice", channel=bk.channel_ref(schedule.channel_id),
                  reason=pause_reason(reason, lang, quote=limits.user_text)).replace("/dailyadmin set", "/daily set")
        try:
            await self._client.chat_postMessage(channel=schedule.channel_id, text=limits.message_text(text),
                                                **SEND_OPTIONS)
        except Exception as exc:  # noqa: BLE001 - best effort
            log.info("daily quiz: could not tell %s about the pause: %s", schedule.community, outcome_of(exc))

    async def send_reminder(self, reminder: Reminder, status: ReviewStatus) -> DeliveryOutcome:
        """The reminder as a message from the app to the member (its Messages tab)."""
        lang = "ko" if reminder.lang == "ko" else "en"
        try:
            await self._client.chat_postMessage(
                channel=reminder.user_id, text=limits.message_text(tr(lang, "slack.reminder_dm", due=status.due_now)),
                **SEND_OPTIONS)
        except Exception as exc:  # noqa: BLE001
            return outcome_of(exc)
        return Delivered()
