"""One pooled Redis client per process, for the app's own use of ``REDIS_URL``.

Opening a connection per use costs a TCP handshake and leaves a socket in TIME_WAIT
each time (thousands a minute under a load balancer's health checks). The client is
made on first use and dropped in a forked child, whose parent's sockets it must not use.
"""

from __future__ import annotations

import os
import threading

import redis

_clients: dict[str, redis.Redis] = {}
_lock = threading.Lock()


def client_for(url: str) -> redis.Redis:
    with _lock:
        client = _clients.get(url)
        if client is None:
            client = redis.Redis.from_url(
                url,
                socket_connect_timeout=1,
                socket_timeout=1,
                health_check_interval=30,
                max_connections=16,
            )
            _clients[url] = client
        return client


def _forget_after_fork() -> None:
    _clients.clear()


os.register_at_fork(after_in_child=_forget_after_fork)
