"""Redis is a convenience, not a single point of failure (OWASP ASVS V16.5, graceful degradation).

- The page cache and the results snapshots use `shared_cache`: when the cache backend (Redis) cannot be
  reached, reads miss and writes are dropped, so pages are served uncached, with a warning logged at most
  once a minute per process.
- Rate limiting falls back to per-process in-memory counters (Flask-Limiter's in-memory fallback,
  RATELIMIT_IN_MEMORY_FALLBACK) and logs "Rate limit storage unreachable"; it returns to Redis once it answers.
- `warn_about_memory_limiter` warns at start-up when in-memory limits run under several gunicorn workers,
  where each worker counts apart and the limits silently multiply.
"""

from __future__ import annotations

import logging
import os
import shlex
import time
from collections.abc import Mapping, Sequence
from typing import Any

from flask import Flask
from redis.exceptions import RedisError

from consulta.extensions import cache

log = logging.getLogger("consulta.degrade")
WARN_EVERY_SECONDS = 60
_last_warning = 0.0


def _unreachable(operation: str, error: Exception) -> None:
    global _last_warning
    now = time.monotonic()
    if now - _last_warning >= WARN_EVERY_SECONDS:
        _last_warning = now
        log.warning("cache unreachable (%s: %s); serving uncached", operation, type(error).__name__)


class SharedCache:
    """The Flask-Caching cache, answering a miss (or dropping the write) when its backend is unreachable."""

    def get(self, key: str) -> Any:
        try:
            return cache.get(key)
        except (RedisError, OSError) as error:
            _unreachable("get", error)
            return None

    def set(self, key: str, value: Any, timeout: int | None = None) -> bool:
        try:
            return bool(cache.set(key, value, timeout=timeout))
        except (RedisError, OSError) as error:
            _unreachable("set", error)
            return False

    def add(self, key: str, value: Any, timeout: int | None = None) -> bool:
        try:
            return bool(cache.add(key, value, timeout=timeout))
        except (RedisError, OSError) as error:
            _unreachable("add", error)
            return False

    def delete(self, key: str) -> bool:
        try:
            return bool(cache.delete(key))
        except (RedisError, OSError) as error:
            _unreachable("delete", error)
            return False


shared_cache = SharedCache()


def gunicorn_workers(argv: Sequence[str], environ: Mapping[str, str]) -> int:
    """How many gunicorn workers this process belongs to (1 when not under gunicorn or not said)."""
    if not argv or "gunicorn" not in os.path.basename(argv[0]):
        return 1
    args = [*shlex.split(environ.get("GUNICORN_CMD_ARGS", "")), *argv[1:]]
    workers = environ.get("WEB_CONCURRENCY", "1")
    for index, arg in enumerate(args):
        if arg in ("-w", "--workers") and index + 1 < len(args):
            workers = args[index + 1]
        elif arg.startswith("--workers="):
            workers = arg.split("=", 1)[1]
        elif arg.startswith("-w") and arg[2:].isdigit():
            workers = arg[2:]
    return int(workers) if workers.isdigit() else 1


def warn_about_memory_limiter(app: Flask, argv: Sequence[str], environ: Mapping[str, str]) -> bool:
    """Warn (and answer True) when in-memory rate limits run under several workers."""
    workers = gunicorn_workers(argv, environ)
    storage = str(app.config.get("RATELIMIT_STORAGE_URI", "memory://"))
    if app.config.get("RATELIMIT_ENABLED") and storage.startswith("memory://") and workers > 1:
        app.logger.warning("rate limits are kept in memory under %d workers: each worker counts apart, so every "
                           "limit is in effect %d times higher; set CONSULTA_RATELIMIT_STORAGE_URI to redis://…",
                           workers, workers)
        return True
    return False
