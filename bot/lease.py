"""One holder across instances: a lease in Redis that one instance takes, renews while it works and
lets go when it stops; the others stand by and take over once it is released or has run out.

Long polling needs it (Telegram refuses a second getUpdates consumer with 409 Conflict), and so do
the couriers: one courier per channel keeps each chat's messages in order and Telegram's 30 a
second overall, with the in-process pacer (bot.pacing). One instance can send all Telegram allows.

On one machine without Redis (`serve --workers N`), the processes share a lock file instead
(LocalLease): the kernel lets it go when its holder ends, so a worker restarted in place, or started
before the old one ends (uvicorn's SIGHUP), takes over polling and delivery within a second.

A holder that cannot renew (Redis unreachable, the process stalled) stops working before its lease
can have run out in Redis: it counts the TTL from the moment it *asked* to renew, earlier than when
Redis set it, less a margin. So two holders never work at once, whatever the network does, as long
as their clocks run at about the same rate. Without REDIS_URL or a lock directory there is no
lease: one process works.
"""

from __future__ import annotations

import asyncio
import fcntl
import logging
import math
import secrets
import time
from collections.abc import Awaitable, Callable, Iterable
from contextlib import suppress
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, Protocol

from redis.exceptions import RedisError

from bot.pacing import Clock, MonotonicClock
from bot.settings import BotSettings

if TYPE_CHECKING:
    from redis.asyncio import Redis

log = logging.getLogger(__name__)

TTL = 10.0  # seconds a lease lasts in Redis unless renewed: a dead holder's work resumes elsewhere within this
GRACE = 5.0  # how long work that was told to stop may take to finish before it is cancelled

# renew or release only our own lease: another instance's, taken after ours ran out, is left alone
RENEW = "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('pexpire', KEYS[1], ARGV[2]) end return 0"
RELEASE = "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) end return 0"


def connect(settings: BotSettings) -> Redis | None:
    """The Redis that instances share their leases in, when REDIS_URL is set."""
    if not settings.redis_url:
        return None
    from redis.asyncio import Redis

    return Redis.from_url(settings.redis_url)


class Lease:
    """`chengnuo:lease:<name>` in Redis, holding this instance's token while it holds the lease."""

    def __init__(self, redis: Redis, name: str, *, ttl: float = TTL, clock: Clock | None = None) -> None:
        self.redis, self.name = redis, name
        self.key = f"chengnuo:lease:{name}"
        self.ttl = ttl
        self.retry = ttl / 10  # how often an instance standing by tries to take it
        self.renew_every = ttl / 5  # three renewals in a row may fail before the holder stops
        self.margin = ttl / 5  # for the clocks' drift and the time a message takes on its way
        self.clock = clock or MonotonicClock()
        self.token = secrets.token_hex(16)
        self._valid_until = -math.inf

    def held(self) -> bool:
        """True while the lease is surely ours: renewed less than TTL − margin ago."""
        return self.clock.now() < self._valid_until

    def valid_for(self) -> float:
        """Seconds the lease is surely ours without another renewal (negative once it is not)."""
        return self._valid_until - self.clock.now()

    async def take(self) -> bool:
        """The lease, if nobody holds it."""
        asked = self.clock.now()
        if await self.redis.set(self.key, self.token, nx=True, px=self._ms(self.ttl)):
            self._valid_until = asked + self.ttl - self.margin
            return True
        return False

    async def renew(self) -> bool:
        """Another TTL, if the lease is still ours; False once another instance holds it."""
        asked = self.clock.now()
        if await self.redis.eval(RENEW, 1, self.key, self.token, self._ms(self.ttl)):
            self._valid_until = asked + self.ttl - self.margin
            return True
        self._valid_until = -math.inf
        return False

    async def release(self) -> None:
        """Let go: an instance standing by takes over at its next try."""
        self._valid_until = -math.inf
        await self.redis.eval(RELEASE, 1, self.key, self.token)

    async def successor_waits(self, seconds: float) -> None:
        """Work of ours outlives us by this long (leased messages): whoever holds the lease next waits for it."""
        if seconds > 0:
            await self.redis.set(f"{self.key}:wait", self.token, px=self._ms(seconds))
        else:
            await self.redis.delete(f"{self.key}:wait")

    async def inherited_wait(self) -> float:
        """How long the previous holder's work may still run."""
        left = await self.redis.pttl(f"{self.key}:wait")
        return max(int(left), 0) / 1000

    @staticmethod
    def _ms(seconds: float) -> int:
        return max(int(seconds * 1000), 1)


class LocalLease:
    """The same promise among the processes of one machine: an exclusive flock on `<folder>/<name>.lock`,
    held while the file stays open. Nothing to renew: the lock lasts as long as its holder does."""

    ttl = TTL
    retry = TTL / 10
    renew_every = TTL / 5

    def __init__(self, folder: Path, name: str) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        self.key = str(folder / f"{name.replace(':', '-')}.lock")
        self._wait = Path(self.key + ".wait")
        self._file: IO[bytes] | None = None

    def held(self) -> bool:
        return self._file is not None

    def valid_for(self) -> float:
        return self.ttl if self._file is not None else -1.0

    async def take(self) -> bool:
        file = open(self.key, "ab")  # noqa: SIM115 - kept open while the lease is held
        try:
            fcntl.flock(file, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            file.close()
            return False
        self._file = file
        return True

    async def renew(self) -> bool:
        return self._file is not None

    async def release(self) -> None:
        if self._file is not None:
            self._file.close()  # closing lets the lock go
            self._file = None

    async def successor_waits(self, seconds: float) -> None:
        """As Lease's, in a file beside the lock: the wall clock's deadline, which every process reads alike."""
        if seconds > 0:
            self._wait.write_text(str(time.time() + seconds))
        else:
            self._wait.unlink(missing_ok=True)

    async def inherited_wait(self) -> float:
        try:
            until = float(self._wait.read_text())
        except (OSError, ValueError):
            return 0.0
        return max(until - time.time(), 0.0)


class Holding(Protocol):
    """A lease of either kind, as `as_one` and the couriers use it."""

    key: str
    retry: float
    renew_every: float

    def held(self) -> bool: ...
    def valid_for(self) -> float: ...
    async def take(self) -> bool: ...
    async def renew(self) -> bool: ...
    async def release(self) -> None: ...
    async def successor_waits(self, seconds: float) -> None: ...
    async def inherited_wait(self) -> float: ...


async def as_one(
    lease: Holding | None, work: Callable[[asyncio.Event], Awaitable[Any]], stop: asyncio.Event, *, what: str
) -> None:
    """Run `work` only while this instance holds `lease`, until `stop` is set; alone, without a lease.

    `work(halt)` must return soon after `halt` is set; it is set when `stop` is, when the lease is
    lost, or when it can no longer be renewed in time. The lease is then released and, unless
    stopping, taken again as soon as it is free.
    """
    if lease is None:
        await work(stop)
        return
    while not stop.is_set():
        if not await _taken(lease, what):
            await rest(stop, lease.retry)
            continue
        halt = asyncio.Event()
        task = asyncio.create_task(_inherit_then(lease, work, halt, what))
        failed = False
        try:
            failed = await _hold(lease, task, stop, what)
        finally:
            halt.set()
            await finish([task], GRACE)
            with suppress(RedisError, OSError):
                await lease.release()
        if failed:
            await rest(stop, lease.retry * 5)


async def _taken(lease: Holding, what: str) -> bool:
    try:
        taken = await lease.take()
    except (RedisError, OSError) as error:
        log.warning("%s: Redis is unreachable (%s); standing by", what, error)
        return False
    if taken:
        log.info("%s: this instance holds the lease %s", what, lease.key)
    return taken


async def _inherit_then(lease: Holding, work: Callable[[asyncio.Event], Awaitable[Any]], halt: asyncio.Event,
                        what: str) -> None:  # fmt: skip
    """Wait out what the previous holder may still have in hand (its leased messages), then work."""
    wait = await lease.inherited_wait()
    if wait > 0:
        log.info("%s: waiting %.1fs for the previous holder's leased work to run out", what, wait)
        await rest(halt, wait)
    if not halt.is_set():
        await work(halt)


async def _hold(lease: Holding, task: asyncio.Task[None], stop: asyncio.Event, what: str) -> bool:
    """Renew while the work runs; return when told to stop, when the lease is lost, or when the work
    ended (True if it failed)."""
    stopping = asyncio.ensure_future(stop.wait())
    try:
        while True:
            wake = max(min(lease.renew_every, lease.valid_for()), 0)
            await asyncio.wait({task, stopping}, timeout=wake, return_when=asyncio.FIRST_COMPLETED)
            if stop.is_set():
                return False
            if task.done():
                if not task.cancelled() and (error := task.exception()) is not None:
                    log.error("%s: failed; letting the lease go", what, exc_info=error)
                    return True
                return False
            try:  # a renewal still unanswered when the lease runs out comes too late
                if not await asyncio.wait_for(lease.renew(), timeout=max(lease.valid_for(), 0.001)):
                    log.warning("%s: the lease was lost to another instance", what)
                    return False
            except (RedisError, OSError, TimeoutError) as error:
                log.warning("%s: the lease could not be renewed (%r)", what, error)
            if not lease.held():
                log.warning("%s: the lease ran out unrenewed; stopping", what)
                return False
    finally:
        stopping.cancel()


async def rest(stop: asyncio.Event, seconds: float) -> None:
    """Sleep this long, or less if `stop` is set meanwhile."""
    with suppress(TimeoutError):
        await asyncio.wait_for(stop.wait(), seconds)


async def finish(tasks: Iterable[asyncio.Task[Any]], grace: float) -> None:
    """Let tasks told to stop finish for up to `grace` seconds, then cancel what is left."""
    tasks = [task for task in tasks if not task.done()]
    if tasks:
        _done, pending = await asyncio.wait(tasks, timeout=grace)
        for task in pending:
            task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)
