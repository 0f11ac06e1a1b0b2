"""Logging set-up for the bot: one stderr handler, a plain format, and a filter that redacts secrets.

The Discord token must never reach a log line. `setup_logging` installs a `RedactingFilter` on the
handler, so every record that passes through it (from this project, discord.py or aiohttp) has the
secret replaced in its message, arguments and formatted traceback.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Iterable
from typing import TextIO

REDACTED = "[redacted]"
LOG_FORMAT = "%(asctime)s %(levelname)-8s %(name)s: %(message)s"
DATE_FORMAT = "%Y-%m-%d %H:%M:%S"


class RedactingFilter(logging.Filter):
    """Replaces each secret with `[redacted]` in a record's message and traceback text."""

    def __init__(self, secrets: Iterable[str]) -> None:
        super().__init__()
        # Longest first so a secret that contains another is replaced whole.
        self._secrets = tuple(sorted({s for s in secrets if s}, key=len, reverse=True))
        self._formatter = logging.Formatter()

    def redact(self, text: str) -> str:
        for secret in self._secrets:
            text = text.replace(secret, REDACTED)
        return text

    def filter(self, record: logging.LogRecord) -> bool:
        if not self._secrets:
            return True
        try:
            message = record.getMessage()
        except Exception:  # a bad %-format: keep the raw text rather than lose the record
            message = str(record.msg)
        record.msg, record.args = self.redact(message), None
        if record.exc_info and not record.exc_text:
            record.exc_text = self._formatter.formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = self.redact(record.exc_text)
        if record.stack_info:
            record.stack_info = self.redact(record.stack_info)
        return True


def setup_logging(
    level: int | str = logging.INFO,
    *,
    secrets: Iterable[str] = (),
    stream: TextIO | None = None,
) -> logging.Handler:
    """Send every log record to stderr (or `stream`) with secrets redacted; returns the handler.

    Replaces handlers an earlier call installed, so calling it twice does not double the output.
    """
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.setFormatter(logging.Formatter(LOG_FORMAT, DATE_FORMAT))
    handler.addFilter(RedactingFilter(secrets))
    handler.set_name("studybot")
    root = logging.getLogger()
    for old in [h for h in root.handlers if h.get_name() == "studybot"]:
        root.removeHandler(old)
    root.addHandler(handler)
    number = level if isinstance(level, int) else logging.getLevelName(level.upper())
    root.setLevel(number)
    # discord.py's HTTP debug lines echo request bodies; keep them out unless asked for.
    if number > logging.DEBUG:
        logging.getLogger("discord.http").setLevel(logging.WARNING)
    return handler
