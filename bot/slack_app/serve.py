"""Running the Slack front end inside `studybot run`: Socket Mode or HTTP mode.

* **Socket Mode** (SLACK_BOT_TOKEN and SLACK_APP_TOKEN): Bolt's aiohttp `AsyncSocketModeHandler`
  asks `apps.connections.open` (at SLACK_API_URL, with the app-level token) for a WebSocket URL,
  connects, acknowledges each envelope by its id and reconnects when Slack rotates the URL. No
  public URL is needed.
* **HTTP mode** (SLACK_BOT_TOKEN and SLACK_SIGNING_SECRET, no app token): an aiohttp server on
  STUDYBOT_HTTP_PORT answers Slack's signed requests at `/slack/events` (slash commands,
  interactivity and the type-ahead's options all point there); a request whose signature or
  timestamp is wrong gets 401.

`SlackService.start` checks the bot token with `auth.test` first, so a wrong token ends the run
with one clear line instead of failing on the first click.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

from aiohttp import web
from slack_bolt.adapter.socket_mode.aiohttp import AsyncSocketModeHandler
from slack_sdk.errors import SlackApiError

from bot.app import App
from bot.config import Settings
from bot.slack_app.frontend import SlackFrontEnd, make_client

log = logging.getLogger(__name__)

EVENTS_PATH = "/slack/events"
HTTP_HOST = "0.0.0.0"  # noqa: S104 - the Events endpoint must be reachable by Slack (or its proxy)


class SlackStartError(Exception):
    """Slack refused to start (a wrong token, an unreachable API); the message says which."""


@dataclass
class SlackService:
    """One Slack front end, started and stopped by the runner."""

    application: App
    settings: Settings
    frontend: SlackFrontEnd = field(init=False)

    def __post_init__(self) -> None:
        self.frontend = SlackFrontEnd(self.application, self.settings, make_client(self.settings))
        self._socket: AsyncSocketModeHandler | None = None
        self._http: web.AppRunner | None = None

    @property
    def mode(self) -> str:
        return "socket" if self.settings.slack_mode == "socket" else "http"

    async def start(self) -> None:
        client = self.frontend.client
        try:
            who = await client.auth_test()
        except SlackApiError as exc:
            raise SlackStartError(f"Slack rejected SLACK_BOT_TOKEN ({exc.response.get('error', 'error')}).") from None
        except Exception as exc:  # noqa: BLE001 - one line for the user
            raise SlackStartError(f"cannot reach Slack at {self.settings.slack_api_url}: {type(exc).__name__}") from None
        log.info("slack: signed in as %s in workspace %s (%s mode)", who.get("user_id"), who.get("team_id"), self.mode)
        await self.frontend.start()
        if self.mode == "socket":
            token = self.settings.slack_app_token
            assert token is not None
            self._socket = AsyncSocketModeHandler(self.frontend.bolt, token.get_secret_value(), web_client=client)
            try:
                await self._socket.connect_async()
            except SlackApiError as exc:
                raise SlackStartError(
                    f"Slack rejected SLACK_APP_TOKEN ({exc.response.get('error', 'error')}): it needs the "
                    "connections:write scope and Socket Mode turned on.") from None
            log.info("slack: Socket Mode connected")
        else:
            self._http = web.AppRunner(self.frontend.bolt.web_app(path=EVENTS_PATH, port=self.settings.http_port))
            await self._http.setup()
            site = web.TCPSite(self._http, HTTP_HOST, self.settings.http_port)
            try:
                await site.start()
            except OSError as exc:
                raise SlackStartError(f"cannot listen on port {self.settings.http_port} (STUDYBOT_HTTP_PORT): "
                                      f"{exc.strerror or exc}") from None
            log.info("slack: HTTP mode listening on port %d at %s", self.settings.http_port, EVENTS_PATH)

    async def stop(self) -> None:
        """Close the connection or the server, then stop the daily delivery and reminders."""
        if self._socket is not None:
            try:
                await self._socket.close_async()
            except Exception:  # noqa: BLE001 - closing anyway
                log.debug("slack: closing the socket failed", exc_info=True)
            self._socket = None
        if self._http is not None:
            await self._http.cleanup()
            self._http = None
        await self.frontend.stop()
        log.info("slack: stopped")
