"""Logging for the running bot: discord.py's format, at the configured level, never showing secrets.

Secrets are removed from every place Python itself prints text: log records (message, traceback and
the final formatted line, whatever formatter a handler uses), uncaught exceptions in the main thread
and in other threads, "exception ignored" reports, and the asyncio loop's error reports.
"""

from __future__ import annotations

import asyncio
import logging
import sys
import threading
import traceback
from collections.abc import Callable, Iterable
from typing import Any

import discord

REDACTED = "[redacted]"
requests_log = logging.getLogger("bot.requests")


class Redactor:
    """Replaces each secret in a text; the single place that knows what must never be printed."""

    def __init__(self, secrets: Iterable[str]) -> None:
        self._secrets = [secret for secret in secrets if secret]

    def __call__(self, text: str) -> str:
        for secret in self._secrets:
            text = text.replace(secret, REDACTED)
        return text


class Redact(logging.Filter):
    """Replaces secrets in messages and tracebacks before any handler writes them."""

    def __init__(self, secrets: Iterable[str]) -> None:
        super().__init__()
        self._redact = Redactor(secrets)

    def filter(self, record: logging.LogRecord) -> bool:
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = self._redact(record.exc_text)
        if record.stack_info:
            record.stack_info = self._redact(record.stack_info)
        record.msg, record.args = self._redact(record.getMessage()), None
        return True


class RedactingHandler(logging.StreamHandler):  # type: ignore[type-arg]
    """Redacts the finished line too: discord.py's colour formatter re-formats the traceback itself."""

    def __init__(self, redact: Redactor) -> None:
        super().__init__()
        self._redact = redact

    def format(self, record: logging.LogRecord) -> str:
        return self._redact(super().format(record))


def setup_logging(level: str, secrets: Iterable[str] = ()) -> None:
    redact = Redactor(secrets)
    handler = RedactingHandler(redact)
    handler.addFilter(Redact(secrets))
    discord.utils.setup_logging(handler=handler, level=logging.getLevelNamesMapping()[level], root=True)


def install_redaction(secrets: Iterable[str]) -> Redactor:
    """Route Python's own printing of uncaught exceptions through the redactor.

    Logging covers only what the code logs; a crash printed by ``sys.excepthook``, a thread's
    ``threading.excepthook`` or ``sys.unraisablehook`` would otherwise show a token that an
    exception message or a local repr happened to contain.
    """
    redact = Redactor(secrets)

    def excepthook(kind: type[BaseException], value: BaseException, tb: Any) -> None:
        sys.stderr.write(redact("".join(traceback.format_exception(kind, value, tb))))

    def thread_excepthook(args: threading.ExceptHookArgs) -> None:
        if args.exc_type is SystemExit:
            return
        name = args.thread.name if args.thread is not None else threading.get_ident()
        text = "".join(traceback.format_exception(args.exc_type, args.exc_value, args.exc_traceback))
        sys.stderr.write(redact(f"Exception in thread {name}:\n{text}"))

    def unraisablehook(args: Any) -> None:
        head = f"{args.err_msg or 'Exception ignored in'}: {args.object!r}"
        text = "".join(traceback.format_exception(args.exc_type, args.exc_value, args.exc_traceback))
        sys.stderr.write(redact(f"{head}\n{text}"))

    sys.excepthook = excepthook
    threading.excepthook = thread_excepthook
    sys.unraisablehook = unraisablehook
    return redact


def loop_exception_handler(redact: Redactor) -> Callable[[asyncio.AbstractEventLoop, dict[str, Any]], None]:
    """An asyncio exception handler ("Task exception was never retrieved", failed callbacks) that
    formats the report itself and redacts it, so it is safe whatever handlers logging has."""
    log = logging.getLogger("asyncio")

    def handle(loop: asyncio.AbstractEventLoop, context: dict[str, Any]) -> None:
        lines = [str(context.get("message") or "unhandled exception in the event loop")]
        lines += [f"{key}: {value!r}" for key, value in context.items() if key not in ("message", "exception")]
        error = context.get("exception")
        if isinstance(error, BaseException):
            lines.append("".join(traceback.format_exception(error)).rstrip())
        log.error("%s", redact("\n".join(lines)))

    return handle


def log_request(kind: str, guild_id: int | None, elapsed_ms: float, results: int, *, text: str | None = None) -> None:
    """One INFO line per answered request with its timing and no user text; the text only at DEBUG.

    ``kind`` names the entry point (``recommend``, ``similar``, ``message``, ``more``); a direct
    message has no guild.
    """
    where = guild_id if guild_id is not None else "dm"
    requests_log.info("request %s guild=%s results=%d in %.0f ms", kind, where, results, elapsed_ms)
    if text is not None:
        requests_log.debug("request %s text: %r", kind, text)
