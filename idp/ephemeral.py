"""Short-lived shared counters (login throttling): Redis when configured, memory otherwise.

The in-memory store is for the embedded single-process default only; with several workers
configure ``[redis] url`` so that every process sees the same counters.
"""

from __future__ import annotations

import threading
import time


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


class RedisCounters:
    def __init__(self, url: str, prefix: str = "idp:"):
        import redis

        # bounded waits: a Redis that stops answering must fail a request (and /healthz), not hang it
        self._redis = redis.Redis.from_url(url, socket_timeout=2, socket_connect_timeout=2)
        self._prefix = prefix

    def incr(self, key: str, ttl: int) -> int:
        name = self._prefix + key
        pipe = self._redis.pipeline()
        pipe.incr(name)
        pipe.expire(name, ttl, nx=True)
        return int(pipe.execute()[0])

    def get(self, key: str) -> int:
        value = self._redis.get(self._prefix + key)
        return int(value) if value else 0

    def delete(self, key: str) -> None:
        self._redis.delete(self._prefix + key)

    def lock(self, key: str, ttl: int) -> None:
        self._redis.set(self._prefix + key, 1, ex=ttl)

    def locked_for(self, key: str) -> int:
        return max(0, int(self._redis.ttl(self._prefix + key)))


def counters_for(url: str, prefix: str = "idp:"):
    return RedisCounters(url, prefix) if url else MemoryCounters()
