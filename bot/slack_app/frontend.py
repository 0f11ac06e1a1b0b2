"""The Slack front end: Bolt listeners over the application, thin and quick to acknowledge.

`create_slack_app(application, settings, client=...)` returns the Bolt `AsyncApp`;
`SlackFrontEnd` is the object behind it (the runner starts and stops it). Every listener:

* acknowledges within Slack's 3 s: a slash command at once, before any work; a click that
  records an answer once the answer is committed or after `ACK_BUDGET` seconds, whichever comes
  first, the reply following when the work is done; an answer not committed by then is
  journaled to disk before the ack (`bot.app.ledger`), so an acknowledged click is never lost;
* calls the application (`app.study`, `app.daily`), never the store;
* replies exactly once, privately: through the request's `response_url` (`response_type`
  ephemeral, `replace_original` false, so a channel post is never replaced), falling back to
  `chat.postEphemeral` when that URL is used up or expired;
* words everything from `bot.app.messages` in the member's language (`members.py`) and draws
  it with `blocks.py`.

A button's value carries only ids; a value that does not parse (forged) or names something that
is gone (stale) is acknowledged, answered politely, and records nothing. The first answer per
member and post is final: a second click is told "already answered".
"""

from __future__ import annotations

import asyncio
import json
import logging
import re
import uuid
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from slack_bolt.async_app import AsyncApp
from slack_sdk.http_retry.builtin_async_handlers import AsyncRateLimitErrorRetryHandler
from slack_sdk.models.blocks import Block, ImageBlock
from slack_sdk.web.async_client import AsyncWebClient
from slack_sdk.webhook.async_client import AsyncWebhookClient

from bot.app import App
from bot.app.daily import PLATFORM_SLACK, NoSchedule
from bot.app.messages import Lang, error_message, letter, tr, wall_time
from bot.app.review import ReviewMode
from bot.app.study import BOARDS, PERIODS
from bot.community import Community
from bot.config import Settings
from bot.engine import typed
from bot.engine.scoring import Board
from bot.errors import AnswersClosed, NothingFound, StudyError, TypedAnswerRefused
from bot.present import leaderboard_card, member_chart
from bot.present.records import Picture
from bot.slack_app import blocks as bk
from bot.slack_app import limits
from bot.slack_app.delivery import SlackDelivery
from bot.slack_app.members import Member, Members

log = logging.getLogger(__name__)

ACK_BUDGET = 2.0  # seconds a click waits for its answer to be committed before it is acknowledged anyway
MODAL_LANG_BUDGET = 0.8  # a trigger_id lives 3 s: the language of a modal may not wait longer than this
SEARCH_HITS = 25
RATE_LIMIT_RETRIES = 3
REMINDER_SWEEP_SECONDS = 60
_CHANNEL = re.compile(r"^<#([A-Z0-9]{2,})(?:\|[^>]*)?>$")
_USER = re.compile(r"^<@([A-Z0-9]{2,})(?:\|[^>]*)?>$")
_INDEX = re.compile(r":(\d{1,2})$")


def make_client(settings: Settings) -> AsyncWebClient:
    """The Web API client: SLACK_API_URL, the bot token, and 429s retried after Retry-After
    (slack-sdk's handler sleeps Retry-After plus a little, never less). No retry on connection
    errors: a post that may have gone out must not go out twice."""
    token = settings.slack_bot_token.get_secret_value() if settings.slack_bot_token else None
    return AsyncWebClient(token=token, base_url=settings.slack_api_url,
                          retry_handlers=[AsyncRateLimitErrorRetryHandler(max_retry_count=RATE_LIMIT_RETRIES)])


@dataclass(frozen=True, slots=True)
class Caller:
    """Who sent a command or click, and where."""

    team_id: str
    user_id: str
    user_name: str
    channel_id: str | None
    response_url: str | None = None

    @property
    def community(self) -> Community:
        return Community.of("slack", self.team_id)


def caller_of(body: dict[str, Any]) -> Caller | None:
    """The caller of a slash command, block action, suggestion or view submission; None when
    the payload names no valid workspace or user (never from Slack itself)."""
    user = body.get("user") if isinstance(body.get("user"), dict) else {}
    team = body.get("team") if isinstance(body.get("team"), dict) else {}
    channel = body.get("channel") if isinstance(body.get("channel"), dict) else {}
    container = body.get("container") if isinstance(body.get("container"), dict) else {}
    team_id = body.get("team_id") or team.get("id") or user.get("team_id")
    user_id = body.get("user_id") or user.get("id")
    if not isinstance(team_id, str) or not isinstance(user_id, str):
        return None
    try:
        Community.of("slack", team_id)
    except ValueError:
        return None
    name = body.get("user_name") or user.get("name") or user.get("username") or user_id
    channel_id = body.get("channel_id") or channel.get("id") or container.get("channel_id")
    url = body.get("response_url")
    return Caller(team_id, user_id, str(name), channel_id if isinstance(channel_id, str) else None,
                  url if isinstance(url, str) else None)


@dataclass(frozen=True)
class Reply:
    """One private reply: the notification text and the blocks (None: the text as one section);
    `fallback`, blocks to send instead when Slack refuses these (an image it cannot show yet)."""

    text: str
    blocks: Sequence[Block] | None = None
    fallback: Sequence[Block] | None = None


class Expired(Exception):
    """A button whose value does not parse: forged, or from a layout that no longer exists."""


Render = Callable[[Lang], Reply]


@dataclass
class SlackFrontEnd:
    """The Slack front end over one application; `bolt` is its Bolt app."""

    application: App
    settings: Settings
    client: AsyncWebClient
    bolt: AsyncApp = field(init=False)
    members: Members = field(init=False)
    delivery: SlackDelivery = field(init=False)

    def __post_init__(self) -> None:
        self.study = self.application.study
        self.daily = self.application.daily
        self.clock = self.application.clock
        self.members = Members(self.client, self.study, self.clock)
        self.delivery = SlackDelivery(self.client, self.members)
        secret = self.settings.slack_signing_secret
        self.bolt = AsyncApp(client=self.client, signing_secret=secret.get_secret_value() if secret else "",
                             request_verification_enabled=secret is not None, process_before_response=False,
                             raise_error_for_unhandled_request=False)
        self._attached = False
        self._attaching: asyncio.Lock | None = None
        self._background: set[asyncio.Task[Any]] = set()
        self._register()

    # -- life cycle --------------------------------------------------------------------------

    async def start(self) -> None:
        """Deliver the daily quiz's Slack posts (starts its jobs and recovery) and the reminders."""
        await self.ensure_attached()
        self._spawn(self._reminder_loop(), "slack-reminders")

    async def ensure_attached(self) -> None:
        if self._attached:
            return
        self._attaching = self._attaching or asyncio.Lock()
        async with self._attaching:
            if not self._attached:
                await self.daily.attach(PLATFORM_SLACK, self.delivery)
                self._attached = True

    async def stop(self) -> None:
        for task in list(self._background):
            task.cancel()
        await asyncio.gather(*self._background, return_exceptions=True)
        if self._attached:
            await self.daily.detach(PLATFORM_SLACK)
            self._attached = False

    def _spawn(self, work: Awaitable[Any], name: str) -> None:
        task = asyncio.ensure_future(work)
        task.set_name(name)
        self._background.add(task)
        task.add_done_callback(self._background.discard)

    async def _reminder_loop(self) -> None:
        while True:
            try:
                await self.study.reminders.sweep(self.delivery, platform=PLATFORM_SLACK, owns=self.daily.owns)
            except asyncio.CancelledError:
                raise
            except Exception:  # one failed sweep must not end the loop
                log.exception("slack: the reminder sweep failed")
            await asyncio.sleep(REMINDER_SWEEP_SECONDS)

    # -- wiring ------------------------------------------------------------------------------

    def _register(self) -> None:
        bolt = self.bolt

        async def attach_first(next: Callable[[], Awaitable[None]]) -> None:  # noqa: A002 - Bolt's name
            await self.ensure_attached()
            await next()

        bolt.use(attach_first)
        bolt.command("/define")(self._command(self.define))
        bolt.command("/search")(self._command(self.search))
        bolt.command("/quiz")(self._command(self.quiz))
        bolt.command("/stats")(self._command(self.stats))
        bolt.command("/leaderboard")(self._command(self.leaderboard))
        bolt.command("/daily")(self._command(self.daily_command))
        bolt.command("/review")(self._command(self.review))
        bolt.action(re.compile(r"^daily_answer:\d{1,2}$"))(self._click(self.daily_answer))
        bolt.action(re.compile(r"^quiz_answer:\d{1,2}$"))(self._click(self.quiz_answer))
        bolt.action("quiz_next")(self._click(self.quiz_next))
        bolt.action("quiz_entry")(self._click(self.quiz_entry))
        bolt.action(re.compile(r"^define_pick:\d{1,2}$"))(self._click(self.define_pick))
        bolt.action(re.compile(r"^search_page:\d{1,4}$"))(self._click(self.search_page))
        bolt.action("stats_listing")(self._click(self.stats_listing))
        bolt.action(re.compile(r"^review_answer:\d{1,2}$"))(self._click(self.review_answer))
        bolt.action("review_show")(self._click(self.review_show))
        bolt.action(re.compile(r"^review_rate:(again|hard|good|easy)$"))(self._click(self.review_rate))
        bolt.action("review_next")(self._click(self.review_next))
        bolt.action("review_type")(self.open_typed)
        bolt.action("lookup_open")(self.open_lookup)
        bolt.shortcut("lookup")(self.open_lookup)
        bolt.options("lookup_select")(self.lookup_suggest)
        bolt.action("lookup_select")(self._ack_only)
        bolt.view(bk.LOOKUP_CALLBACK)(self.lookup_submit)
        bolt.view(bk.TYPED_CALLBACK)(self.typed_submit)
        bolt.action(re.compile(r".*"))(self._click(self.unknown_action))  # last: anything else is stale

    @staticmethod
    async def _ack_only(ack: Callable[..., Awaitable[None]]) -> None:
        await ack()

    # -- replies -----------------------------------------------------------------------------

    async def _reply(self, respond: Any, caller: Caller | None, reply: Reply) -> None:
        """The one private reply: `response_url` first, `chat.postEphemeral` when that fails;
        the reply's `fallback` blocks when Slack refuses its blocks."""
        text = limits.message_text(reply.text)
        tries = [reply.blocks if reply.blocks is not None else bk.text_blocks(reply.text)]
        if reply.fallback is not None:
            tries.append(reply.fallback)
        if respond is not None and caller is not None and caller.response_url:
            for blocks in tries:
                try:
                    sent = await respond(text=text, blocks=bk.to_dicts(blocks), response_type="ephemeral",
                                         replace_original=False)
                except Exception as exc:  # noqa: BLE001 - fall back below
                    log.info("slack: response_url failed: %s", type(exc).__name__)
                    break
                status = getattr(sent, "status_code", 200)
                if status == 200:
                    return
                log.info("slack: response_url refused the reply (HTTP %s)", status)
                if status != 400:  # used up or expired: chat.postEphemeral below
                    break
        if caller is None or caller.channel_id is None:
            return
        for blocks in tries:
            try:
                await self.client.chat_postEphemeral(channel=caller.channel_id, user=caller.user_id, text=text,
                                                     blocks=bk.to_dicts(blocks), link_names=False)
                return
            except Exception as exc:  # noqa: BLE001 - nothing more can be done
                log.warning("slack: could not reply to a member of %s: %s", caller.team_id, type(exc).__name__)

    def _failure(self, exc: BaseException, lang: Lang) -> Reply:
        if isinstance(exc, Expired):
            return Reply(tr(lang, "slack.expired"))
        if isinstance(exc, NoSchedule):
            return Reply(tr(lang, "slack.no_schedule"))
        if isinstance(exc, StudyError):
            return Reply(error_message(exc, lang, quote=limits.user_text, channel=bk.channel_ref))
        ref = uuid.uuid4().hex[:8]
        log.error("slack: a request failed (ref %s)", ref, exc_info=exc)
        return Reply(tr(lang, "error.unexpected", ref=ref))

    def _name(self, caller: Caller) -> str:
        cached = self.members.cached(caller.team_id, caller.user_id)
        return cached.name if cached is not None else caller.user_name

    # -- listener factories ------------------------------------------------------------------

    def _command(self, run: Callable[[Caller, Member, str], Awaitable[Reply]]) -> Callable[..., Awaitable[None]]:
        """A slash command: acknowledged at once, then run, then one private reply."""

        async def listener(ack: Callable[..., Awaitable[None]], body: dict[str, Any], respond: Any) -> None:
            await ack()
            caller = caller_of(body)
            if caller is None:
                return
            member = await self.members.get(caller.team_id, caller.user_id, fallback_name=caller.user_name)
            text = str(body.get("text") or "").strip()
            try:
                reply = await run(caller, member, text)
            except Exception as exc:  # noqa: BLE001 - worded in _failure
                reply = self._failure(exc, member.lang)
            await self._reply(respond, caller, reply)

        return listener

    def _click(self, run: Callable[[Caller, dict[str, Any]], Awaitable[Render]]) -> Callable[..., Awaitable[None]]:
        """A button: its work (recording an answer first of all) starts at once; the click is
        acknowledged when the work is done or after ACK_BUDGET seconds; one private reply."""

        async def listener(ack: Callable[..., Awaitable[None]], body: dict[str, Any], action: dict[str, Any],
                           respond: Any) -> None:
            caller = caller_of(body)
            if caller is None:
                await ack()
                return
            work = asyncio.ensure_future(run(caller, action))
            await asyncio.wait({work}, timeout=ACK_BUDGET)
            if not work.done():  # not committed yet: journal it before promising it (bot.app.ledger)
                await self.application.answers.keep_in_flight()
            await ack()
            member = await self.members.get(caller.team_id, caller.user_id, fallback_name=caller.user_name)
            try:
                reply = (await work)(member.lang)
            except Exception as exc:  # noqa: BLE001 - worded in _failure
                reply = self._failure(exc, member.lang)
            await self._reply(respond, caller, reply)

        return listener

    # -- looking things up -------------------------------------------------------------------

    async def define(self, caller: Caller, member: Member, text: str) -> Reply:
        lang = member.lang
        if not text:
            return Reply(tr(lang, "slack.define_usage"))
        return self._definition(text, lang)

    def _definition(self, query: str, lang: Lang) -> Reply:
        try:
            found = self.study.define(query)
        except NothingFound:
            suggestions = self.study.glossary.suggestions(query[:100], limit=5)
            return Reply(tr(lang, "error.nothing_found", query=limits.user_text(query)),
                         bk.suggestion_blocks(query, suggestions, lang))
        entry = found.entry
        wanted = typed.fold(query)
        sure = entry.id == query or any(typed.fold(name) == wanted for name in entry.names)
        others = [] if sure else [e for e in self.study.lookup(query, limit=6) if e.id != entry.id][:5]
        return Reply(entry.term, bk.definition_blocks(entry, found.related, lang, others=others))

    async def define_pick(self, caller: Caller, action: dict[str, Any]) -> Render:
        entry_id = action.get("value")
        if not isinstance(entry_id, str) or self.study.glossary.get(entry_id) is None:
            raise Expired()
        return lambda lang: self._definition(entry_id, lang)

    async def search(self, caller: Caller, member: Member, text: str) -> Reply:
        if not text:
            return Reply(tr(member.lang, "slack.search_usage"))
        return self._search_page(text, 1, member.lang)

    def _search_page(self, query: str, page: int, lang: Lang) -> Reply:
        hits = self.study.search(query, limit=SEARCH_HITS)
        return Reply(tr(lang, "search.title", query=limits.user_text(query)), bk.search_blocks(hits, query, page, lang))

    async def search_page(self, caller: Caller, action: dict[str, Any]) -> Render:
        query, page = action.get("value"), _index(action)
        if not isinstance(query, str) or not query.strip() or page is None:
            raise Expired()
        hits = self.study.search(query, limit=SEARCH_HITS)
        return lambda lang: Reply(tr(lang, "search.title", query=limits.user_text(query)),
                                  bk.search_blocks(hits, query, page, lang))

    async def open_lookup(self, ack: Callable[..., Awaitable[None]], body: dict[str, Any]) -> None:
        """The type-ahead modal, from the `lookup_open` button or the `lookup` shortcut."""
        await ack()
        caller = caller_of(body)
        trigger = body.get("trigger_id")
        if caller is None or not isinstance(trigger, str):
            return
        member = await self.members.get(caller.team_id, caller.user_id, budget=MODAL_LANG_BUDGET)
        try:
            await self.client.views_open(trigger_id=trigger, view=bk.lookup_view(member.lang))
        except Exception as exc:  # noqa: BLE001 - an expired trigger: nothing to show
            log.info("slack: could not open the lookup modal: %s", type(exc).__name__)

    async def lookup_suggest(self, ack: Callable[..., Awaitable[None]], body: dict[str, Any]) -> None:
        """The `external_select`'s options as the member types: the same search as /define."""
        query = body.get("value")
        entries = self.study.lookup(query, limit=limits.OPTIONS) if isinstance(query, str) and query.strip() else []
        await ack(options=[o.to_dict() for o in bk.lookup_options(entries)])

    async def lookup_submit(self, ack: Callable[..., Awaitable[None]], body: dict[str, Any],
                            view: dict[str, Any]) -> None:
        """"Show": the same modal again, with the chosen entry's definition under the box."""
        caller = caller_of(body)
        lang = (await self.members.get(caller.team_id, caller.user_id, budget=MODAL_LANG_BUDGET)).lang \
            if caller is not None else "en"
        selected = (((view.get("state") or {}).get("values") or {}).get(bk.LOOKUP_BLOCK) or {}) \
            .get("lookup_select", {}).get("selected_option") or {}
        entry = self.study.glossary.get(str(selected.get("value", "")))
        if entry is None:
            await ack(response_action="errors", errors={bk.LOOKUP_BLOCK: tr(lang, "slack.lookup_none")})
            return
        found = self.study.define(entry.id)
        await ack(response_action="update", view=bk.lookup_view(lang, found=(found.entry, found.related)))

    # -- practice ----------------------------------------------------------------------------

    async def quiz(self, caller: Caller, member: Member, text: str) -> Reply:
        return (await self._ask(caller, member.name, topic=text or None))(member.lang)

    async def _ask(self, caller: Caller, name: str, *, topic: str | None = None,
                   entry_id: str | None = None) -> Render:
        asked = await self.study.next_practice_question(
            community=caller.community, user_id=caller.user_id, display_name=name, channel_id=caller.channel_id,
            topic=topic, entry_id=entry_id)
        return lambda lang: Reply(tr(lang, "quiz.title") + ": " + limits.user_text(asked.question.prompt, 200),
                                  bk.question_blocks(asked.post_id, asked.question, lang))

    async def quiz_answer(self, caller: Caller, action: dict[str, Any]) -> Render:
        post_id, choice = _answer(action)
        outcome = await self.study.answer(community=caller.community, post_id=post_id, user_id=caller.user_id,
                                          choice=choice, display_name=self._name(caller), board=Board.PRACTICE)
        post = await self.study.get_post(post_id)
        return lambda lang: Reply(bk.practice_verdict_text(outcome, lang),
                                  bk.practice_verdict_blocks(outcome, lang, post.topic))

    async def quiz_next(self, caller: Caller, action: dict[str, Any]) -> Render:
        topic = action.get("value")
        return await self._ask(caller, self._name(caller), topic=topic if isinstance(topic, str) and topic else None)

    async def quiz_entry(self, caller: Caller, action: dict[str, Any]) -> Render:
        entry_id = action.get("value")
        if not isinstance(entry_id, str) or not entry_id:
            raise Expired()
        return await self._ask(caller, self._name(caller), entry_id=entry_id)

    # -- the daily quiz ----------------------------------------------------------------------

    async def daily_answer(self, caller: Caller, action: dict[str, Any]) -> Render:
        post_id, choice = _answer(action)
        try:
            outcome = await self.daily.answer(caller.community, post_id, caller.user_id, choice, self._name(caller))
        except AnswersClosed:
            answer = await self.daily.correct_choice(post_id)
            return lambda lang: Reply(tr(lang, "daily.closed", letter=letter(answer) if answer is not None else "?"))
        return lambda lang: Reply(bk.daily_verdict_text(outcome, lang), bk.daily_verdict_blocks(outcome, lang))

    async def daily_command(self, caller: Caller, member: Member, text: str) -> Reply:
        lang = member.lang
        words = text.split()
        sub = words[0].lower() if words else ""
        if sub == "status":
            return Reply(tr(lang, "daily.status_title"), bk.status_blocks(await self.daily.status(caller.community), lang))
        if sub not in ("set", "now", "stop"):
            return Reply(tr(lang, "slack.daily_usage"))
        checked = await self.members.lookup_within(caller.team_id, caller.user_id)
        if checked is None:
            return Reply(tr(lang, "slack.admin_unknown"))
        if not checked.is_admin:
            return Reply(tr(lang, "slack.admin_only"))
        if sub == "set":
            return await self._daily_set(caller, checked, words[1:])
        if sub == "now":
            done = await self.daily.post_now(caller.community, caller.channel_id)
            channel = bk.channel_ref(done.schedule.channel_id)
            if not done.sent:
                return Reply(tr(lang, "slack.post_failed" if done.paused else "slack.post_retry", channel=channel))
            return Reply(tr(lang, "daily.posted_now", channel=channel,
                            next=wall_time(done.next_post.at, done.schedule.timezone, lang)))
        schedule = await self.daily.stop(caller.community, caller.channel_id)
        return Reply(tr(lang, "daily.stopped", channel=bk.channel_ref(schedule.channel_id)))

    async def _daily_set(self, caller: Caller, admin: Member, words: Sequence[str]) -> Reply:
        """`/daily set #channel HH:MM [Area/Zone] [topic]`."""
        lang = admin.lang
        channel = _CHANNEL.match(words[0]) if words else None
        if channel is None:
            return Reply(tr(lang, "slack.daily_no_channel"))
        if len(words) < 2:
            return Reply(tr(lang, "slack.daily_usage"))
        rest = list(words[2:])
        zone = rest.pop(0) if rest and ("/" in rest[0] or rest[0].upper() in ("UTC", "GMT")) else None
        topic = " ".join(rest) or None
        result = await self.daily.set_schedule(caller.community, channel.group(1), words[1], timezone=zone, topic=topic)
        await self.members.set_default_lang(caller.team_id, lang)  # the workspace's language from now on
        return Reply(tr(lang, "daily.set_done", channel=bk.channel_ref(result.schedule.channel_id),
                        time=result.schedule.time, zone=result.schedule.timezone),
                     bk.text_blocks(bk.schedule_set_text(result, lang)))

    # -- scores ------------------------------------------------------------------------------

    async def stats(self, caller: Caller, member: Member, text: str) -> Reply:
        lang = member.lang
        other = _USER.match(text.split()[0]) if text else None
        target, name = caller.user_id, member.name
        if other is not None and other.group(1) != caller.user_id:
            target = other.group(1)
            found = await self.members.lookup_within(caller.team_id, target)
            name = found.name if found is not None else target
        stats = await self.study.stats(caller.community, target)
        if stats.opted_out and target != caller.user_id:
            return Reply(tr(lang, "stats.private", name=limits.display_name(name)))
        blocks = bk.stats_blocks(stats, name, lang, own=target == caller.user_id)
        chart = await self._chart(caller, target, name, lang)
        title = tr(lang, "stats.title", name=limits.display_name(name))
        if chart is None:
            return Reply(title, blocks)
        own = target == caller.user_id
        with_chart = [*blocks[:-1], chart, blocks[-1]] if own else [*blocks, chart]  # above the listing toggle
        return Reply(title, with_chart, fallback=blocks)

    async def _chart(self, caller: Caller, user_id: str, name: str, lang: Lang) -> ImageBlock | None:
        """The member's chart (drawn in the worker process) as a private image block, or None."""
        return await self._picture(caller, member_chart(self.study, self.application.present, caller.community,
                                                        user_id, name, lang), "slack.stats_chart", lang)

    async def _picture(self, caller: Caller, drawing: Awaitable[Picture], title_key: str,
                       lang: Lang) -> ImageBlock | None:
        """A picture uploaded as a file of the app's own that is shared in no channel, as an image
        block for a private reply; None when it cannot be drawn or sent (the words go out anyway)."""
        try:
            picture = await drawing
            sent = await self.client.files_upload_v2(content=picture.png, filename=picture.filename,
                                                     title=limits.one_line(tr(lang, title_key), 200),
                                                     alt_txt=limits.clip(picture.alt, 1000), request_file_info=False)
            file_id = (sent.get("files") or [{}])[0].get("id")
        except Exception:  # noqa: BLE001 - the picture is a bonus
            log.exception("slack: could not draw or upload a picture in %s", caller.community)
            return None
        return bk.picture_block(str(file_id), picture.alt, tr(lang, title_key)) if file_id else None

    async def stats_listing(self, caller: Caller, action: dict[str, Any]) -> Render:
        """"Hide me from leaderboards" / "Show me on leaderboards" under one's own stats."""
        value = action.get("value")
        if value not in ("hide", "show"):
            raise Expired()
        await self.study.set_public_listing(caller.community, caller.user_id, value == "show")
        return lambda lang: Reply(tr(lang, "slack.shown" if value == "show" else "slack.hidden"))

    async def leaderboard(self, caller: Caller, member: Member, text: str) -> Reply:
        lang = member.lang
        period, board, podium = "week", "daily", False
        for word in text.lower().split():
            if word in PERIODS:
                period = word
            elif word in BOARDS:
                board = word
            elif word == "podium":
                podium = True
            else:
                return Reply(tr(lang, "console.unknown_option", word=limits.user_text(word, 40)))
        page = await self.study.leaderboard(caller.community, period=period, board=board, limit=10)
        mine = await self.study.own_rank(caller.community, caller.user_id, board=board, period=period)
        title = tr(lang, "board.title", board=tr(lang, f"board.{board}"), period=tr(lang, f"board.{period}"))
        blocks = bk.leaderboard_blocks(page, board=board, period=period, caller_id=caller.user_id,
                                       caller_row=mine, lang=lang)
        card = None
        if podium and page.rows:
            card = await self._picture(caller, leaderboard_card(self.study, self.application.present,
                                                                caller.community, period=period, board=board,
                                                                lang=lang), "slack.podium", lang)
        return Reply(title, blocks) if card is None else Reply(title, [*blocks, card], fallback=blocks)

    # -- review ------------------------------------------------------------------------------

    async def review(self, caller: Caller, member: Member, text: str) -> Reply:
        lang = member.lang
        words = text.lower().split()
        if words and words[0] == "remind":
            return await self._remind(caller, member, text.split()[1:])
        modes = {"": ReviewMode.CHOICE, "choice": ReviewMode.CHOICE, "flash": ReviewMode.FLASHCARD,
                 "flashcard": ReviewMode.FLASHCARD, "type": ReviewMode.TYPED, "typed": ReviewMode.TYPED}
        mode = modes.get(words[0] if words else "")
        if mode is None or len(words) > 1:
            return Reply(tr(lang, "slack.review_usage"))
        return (await self._next_card(caller, member.name, mode))(lang)

    async def _remind(self, caller: Caller, member: Member, words: Sequence[str]) -> Reply:
        lang = member.lang
        switch = words[0].lower() if words else ""
        reminders = self.study.reminders
        if switch == "off" and len(words) == 1:
            await reminders.turn_off(caller.community, caller.user_id)
            return Reply(tr(lang, "review.remind_off"))
        if switch != "on" or len(words) > 3:
            return Reply(tr(lang, "slack.review_usage"))
        at = words[1] if len(words) > 1 else "09:00"
        zone = words[2] if len(words) > 2 else None
        set_to = await reminders.turn_on(caller.community, caller.user_id, at, timezone=zone, lang=lang)
        return Reply(tr(lang, "slack.remind_on", time=set_to.time, zone=set_to.timezone))

    async def _next_card(self, caller: Caller, name: str, mode: ReviewMode) -> Render:
        item = await self.study.review.next_item(community=caller.community, user_id=caller.user_id,
                                                 display_name=name, mode=mode, channel_id=caller.channel_id)
        now = self.clock.now()
        return lambda lang: Reply(tr(lang, f"review.title_{item.mode.value}"),
                                  bk.review_item_blocks(item, lang, now))

    async def review_next(self, caller: Caller, action: dict[str, Any]) -> Render:
        value = action.get("value")
        mode = ReviewMode(value) if value in {m.value for m in ReviewMode} else ReviewMode.CHOICE
        return await self._next_card(caller, self._name(caller), mode)

    async def review_answer(self, caller: Caller, action: dict[str, Any]) -> Render:
        post_id, choice = _answer(action)
        verdict = await self.study.review.answer(community=caller.community, post_id=post_id, user_id=caller.user_id,
                                                 choice=choice, display_name=self._name(caller))
        now = self.clock.now()
        return lambda lang: Reply(bk.review_verdict_text(verdict, lang, now),
                                  bk.review_verdict_blocks(verdict, ReviewMode.CHOICE, lang, now))

    async def review_show(self, caller: Caller, action: dict[str, Any]) -> Render:
        post_id = bk.parse_post_value(action.get("value"))
        if post_id is None:
            raise Expired()
        question = await self.study.review.get_item(community=caller.community, post_id=post_id, user_id=caller.user_id)
        return lambda lang: Reply(question.prompt, bk.review_back_blocks(post_id, question, lang))

    async def review_rate(self, caller: Caller, action: dict[str, Any]) -> Render:
        post_id = bk.parse_post_value(action.get("value"))
        rating = bk.RATINGS.get(str(action.get("action_id", "")).partition(":")[2])
        if post_id is None or rating is None:
            raise Expired()
        verdict = await self.study.review.rate(community=caller.community, post_id=post_id, user_id=caller.user_id,
                                               rating=rating, display_name=self._name(caller))
        now = self.clock.now()
        return lambda lang: Reply(bk.review_verdict_text(verdict, lang, now),
                                  bk.review_verdict_blocks(verdict, ReviewMode.FLASHCARD, lang, now))

    async def open_typed(self, ack: Callable[..., Awaitable[None]], body: dict[str, Any], action: dict[str, Any],
                         respond: Any) -> None:
        """"Type the answer": the text box (a modal) of a "type the term" card; a stale or
        foreign card is refused before the box opens."""
        await ack()
        caller = caller_of(body)
        post_id = bk.parse_post_value(action.get("value"))
        trigger = body.get("trigger_id")
        if caller is None:
            return
        member = await self.members.get(caller.team_id, caller.user_id, budget=MODAL_LANG_BUDGET)
        try:
            if post_id is None or not isinstance(trigger, str):
                raise Expired()
            await self.study.review.get_item(community=caller.community, post_id=post_id, user_id=caller.user_id)
            await self.client.views_open(trigger_id=trigger, view=bk.typed_view(post_id, caller.response_url,
                                                                                  caller.channel_id, member.lang))
        except Exception as exc:  # noqa: BLE001 - worded in _failure
            await self._reply(respond, caller, self._failure(exc, member.lang))

    async def typed_submit(self, ack: Callable[..., Awaitable[None]], body: dict[str, Any],
                           view: dict[str, Any]) -> None:
        """A typed answer: judged and recorded before the modal closes; input that cannot be
        judged keeps the modal open with the reason, and nothing is stored."""
        caller = caller_of(body)
        meta = _metadata(view.get("private_metadata"))
        post_id = meta.get("post") if isinstance(meta.get("post"), int) else None
        values = ((view.get("state") or {}).get("values") or {}).get(bk.TYPED_BLOCK) or {}
        text = str((values.get(bk.TYPED_INPUT) or {}).get("value") or "")
        if caller is None or post_id is None:
            await ack()
            return
        member = await self.members.get(caller.team_id, caller.user_id, budget=MODAL_LANG_BUDGET)
        work = asyncio.ensure_future(self.study.review.answer_typed(
            community=caller.community, post_id=post_id, user_id=caller.user_id, text=text,
            display_name=self._name(caller)))
        await asyncio.wait({work}, timeout=ACK_BUDGET - MODAL_LANG_BUDGET)
        if work.done() and isinstance(work.exception(), TypedAnswerRefused):
            await ack(response_action="errors", errors={bk.TYPED_BLOCK: limits.plain(
                error_message(work.exception(), member.lang), 150)})  # type: ignore[arg-type]
            return
        if not work.done():  # closing the modal promises the answer: journal it first (bot.app.ledger)
            await self.application.answers.keep_in_flight()
        await ack()
        url = meta.get("url") if isinstance(meta.get("url"), str) else None
        channel = meta.get("channel") if isinstance(meta.get("channel"), str) else None
        target = Caller(caller.team_id, caller.user_id, caller.user_name, channel, url or None)
        try:
            verdict = await work
            now = self.clock.now()
            reply = Reply(bk.review_verdict_text(verdict, member.lang, now),
                          bk.review_verdict_blocks(verdict, ReviewMode.TYPED, member.lang, now))
        except Exception as exc:  # noqa: BLE001 - worded in _failure
            reply = self._failure(exc, member.lang)
        respond = _webhook_responder(url) if url else None
        await self._reply(respond, target, reply)

    async def unknown_action(self, caller: Caller, action: dict[str, Any]) -> Render:
        raise Expired()


def _index(action: dict[str, Any]) -> int | None:
    match = _INDEX.search(str(action.get("action_id", "")))
    return int(match.group(1)) if match else None


def _answer(action: dict[str, Any]) -> tuple[int, int]:
    """(post id, choice) of an answer button; the value must agree with the button's own index."""
    parsed = bk.parse_answer_value(action.get("value"))
    if parsed is None or parsed[1] != _index(action):
        raise Expired()
    return parsed


def _metadata(text: object) -> dict[str, Any]:
    try:
        data = json.loads(text) if isinstance(text, str) and text else {}
    except ValueError:
        return {}
    return data if isinstance(data, dict) else {}


def _webhook_responder(url: str) -> Callable[..., Awaitable[Any]]:
    """`respond` for a `response_url` kept from an earlier click (a modal has none of its own)."""
    client = AsyncWebhookClient(url)

    async def respond(**body: Any) -> Any:
        return await client.send(**body)

    return respond


def create_slack_app(application: App, settings: Settings, *, client: AsyncWebClient | None = None) -> AsyncApp:
    """The Bolt app of the Slack front end over `application` (see the module docstring); the
    daily quiz's Slack delivery is attached on its first request (or by `SlackFrontEnd.start`)."""
    return SlackFrontEnd(application, settings, client or make_client(settings)).bolt


__all__ = ["ACK_BUDGET", "Caller", "Reply", "SlackFrontEnd", "caller_of", "create_slack_app", "make_client"]
