"""Short-lived shared counters (login throttling, identifier checks, send and signup limits):
Redis when configured, memory otherwise.

The in-memory store is for one process only: with several workers configure ``[redis] url``
so that every process sees the same counters (``idp.config.production.workers_to_serve`` refuses
otherwise in production).

When Redis is configured but does not answer, the counters fall back to this process's memory
rather than failing the request: logins keep working, counted per process, which is what a
single worker would do. The error is logged once per ``LOG_EVERY`` seconds (not once per
request), ``/healthz`` answers 503 with the reason, and Redis is tried again ``RETRY_AFTER``
seconds after a failure (never on every request: a Redis that hangs would cost each request
its timeout). Counts made in memory during the outage are not copied back to Redis.
"""

from __future__ import annotations

import logging
import threading
import time

log = logging.getLogger("idp.counters")


class MemoryCounters:
    def __init__(self):
        self._data: dict[str, tuple[int, float]] = {}
        self._lock = threading.Lock()

    def incr(self, key: str, ttl: int) -> int:
        now = time.monotonic()
        with self._lock:
            count, expires = self._data.get(key, (0, now + ttl))
            if expires <= now:
                count, expires = 0, now + ttl
            self._data[key] = (count + 1, expires)
            return count + 1

    def get(self, key: str) -> int:
        count, expires = self._data.get(key, (0, 0.0))
        return count if expires > time.monotonic() else 0

    def delete(self, key: str) -> None:
        with self._lock:
            self._data.pop(key, None)

    def lock(self, key: str, ttl: int) -> None:
        with self._lock:
            self._data[key] = (1, time.monotonic() + ttl)

    def locked_for(self, key: str) -> int:
        """Seconds left on a lock, 0 when there is none."""
        _, expires = self._data.get(key, (0, 0.0))
        return max(0, int(expires - time.monotonic() + 0.999))

    def health(self) -> tuple[bool, str] | None:
        return None   # nothing shared to check


class RedisCounters:
    """Counters in Redis, with this process's memory standing in while Redis is down."""

    RETRY_AFTER = 5.0
    LOG_EVERY = 60.0

    def __init__(self, url: str, prefix: str = "idp:", retry_after: float | None = None, clock=time.monotonic):
        import redis

        # bounded waits: a Redis that stops answering costs at most this, then the fallback
        self._redis = redis.Redis.from_url(url, socket_timeout=2, socket_connect_timeout=2)
        self._prefix = prefix
        self._fallback = MemoryCounters()
        self._retry_after = self.RETRY_AFTER if retry_after is None else retry_after
        self._clock = clock
        self._down_since: float | None = None
        self._last_error: str | None = None
        self._logged_at: float | None = None
        self._lock = threading.Lock()

    def _call(self, operation: str, *args):
        """``operation`` on Redis, or on the fallback while Redis is down."""
        import redis

        if self._down_since is not None and self._clock() - self._down_since < self._retry_after:
            return getattr(self._fallback, operation)(*args)
        try:
            result = getattr(self, "_redis_" + operation)(*args)
        except redis.RedisError as error:
            self._failed(error)
            return getattr(self._fallback, operation)(*args)
        if self._down_since is not None:
            self._recovered()
        return result

    def _failed(self, error: Exception) -> None:
        now = self._clock()
        with self._lock:
            self._down_since, self._last_error = now, type(error).__name__
            if self._logged_at is not None and now - self._logged_at < self.LOG_EVERY:
                return
            self._logged_at = now
        log.error("redis unavailable (%s): counters fall back to this process's memory", self._last_error)

    def _recovered(self) -> None:
        with self._lock:
            self._down_since = self._last_error = None
            self._logged_at = None
        log.warning("redis available again: counters shared again")

    def _redis_incr(self, key: str, ttl: int) -> int:
        name = self._prefix + key
        pipe = self._redis.pipeline()
        pipe.incr(name)
        pipe.expire(name, ttl, nx=True)
        return int(pipe.execute()[0])

    def _redis_get(self, key: str) -> int:
        value = self._redis.get(self._prefix + key)
        return int(value) if value else 0

    def _redis_delete(self, key: str) -> None:
        self._redis.delete(self._prefix + key)

    def _redis_lock(self, key: str, ttl: int) -> None:
        self._redis.set(self._prefix + key, 1, ex=ttl)

    def _redis_locked_for(self, key: str) -> int:
        return max(0, int(self._redis.ttl(self._prefix + key)))

    def incr(self, key: str, ttl: int) -> int:
        return self._call("incr", key, ttl)

    def get(self, key: str) -> int:
        return self._call("get", key)

    def delete(self, key: str) -> None:
        self._call("delete", key)

    def lock(self, key: str, ttl: int) -> None:
        self._call("lock", key, ttl)

    def locked_for(self, key: str) -> int:
        return self._call("locked_for", key)

    def health(self) -> tuple[bool, str] | None:
        """(True, "") when Redis answers now, else (False, the reason); a success ends the fallback."""
        import redis

        try:
            self._redis.ping()
        except redis.RedisError as error:
            self._failed(error)
            return False, f"{type(error).__name__}: counters fall back to per-process memory"
        if self._down_since is not None:
            self._recovered()
        return True, ""


def count_failure(counters, key: str, threshold: int, lockout_seconds: int) -> int:
    """One more failure under ``key`` (kept a day); at each ``threshold``-th the pause
    ``"lock:" + key`` starts, doubling at each new threshold (1, 2, 4… × ``lockout_seconds``,
    up to an hour). Returns the seconds of the pause it started, 0 when none: the login's
    throttle and the admin token endpoint's share this rule (CNIL 2022-100)."""
    failures = counters.incr(key, 86400)
    if failures % threshold:
        return 0
    seconds = min(3600, lockout_seconds * 2 ** (failures // threshold - 1))
    counters.lock("lock:" + key, seconds)
    return seconds


def counters_for(url: str, prefix: str = "idp:"):
    return RedisCounters(url, prefix) if url else MemoryCounters()
