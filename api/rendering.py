"""Render and seal letters off the event loop, in a pool of warmed-up worker processes that heals."""

from __future__ import annotations

import asyncio
import hashlib
import multiprocessing
import os
from collections.abc import Callable
from concurrent.futures import Executor, ProcessPoolExecutor, ThreadPoolExecutor
from functools import partial
from typing import Any, TypeVar

from api.lifeline import deadline, die_with_parent
from api.render_pool import HealingPool, RenderFailed
from forms.catalogue import Item
from forms.languages import Lang
from forms.letter import Letter
from forms.render import letter_pdf, preview_pdf, warm_up
from forms.render.authorisation import authorisation_pdf
from forms.seal import Sealer
from forms.settings import Settings

__all__ = ["RenderFailed", "Renderer"]
STARTUP_SECONDS = 120.0  # fonts and the seal take about 0.7 s; a worker still starting after this is stuck
BLANKS_KEPT = 1024  # blank letters of authorisation kept: every item in four languages, many times over
HEALTH_SECONDS = 10.0  # how long /healthz waits for a worker (one that starts now included)

T = TypeVar("T")
_worker: dict[str, Any] = {}


def _start_worker(environment: dict[str, Any], parent_pid: int | None, job_seconds: float | None) -> None:
    """Each worker loads fonts and the seal once (about 0.7 s), then renders in ~0.15 s."""
    if parent_pid is not None:
        die_with_parent(parent_pid)
        with deadline(STARTUP_SECONDS):
            _load(environment)
    else:
        _load(environment)
    _worker["job_seconds"] = job_seconds


def _load(environment: dict[str, Any]) -> None:
    settings = Settings.model_validate(environment)
    _worker["settings"] = settings
    _worker["sealer"] = Sealer.from_settings(settings)
    warm_up()


def _timed(job: Callable[..., T], *args: str) -> T:
    """Run the job under its deadline: past it, this worker ends and the pool replaces it."""
    seconds: float | None = _worker.get("job_seconds")
    if seconds is None:
        return job(*args)
    with deadline(seconds):
        return job(*args)


def _render(letter_json: str, item_json: str) -> bytes:
    settings: Settings = _worker["settings"]
    letter = Letter.model_validate_json(letter_json)
    item = Item.model_validate_json(item_json)
    pdf = letter_pdf(letter, item, verify_url=settings.verify_url(letter.number, letter.verify_code))
    sealer: Sealer = _worker["sealer"]
    return sealer.seal(pdf, number=letter.number)


def _preview(letter_json: str, item_json: str) -> bytes:
    return preview_pdf(Letter.model_validate_json(letter_json), Item.model_validate_json(item_json))


def _authorisation(item_json: str, lang: str) -> bytes:
    return authorisation_pdf(Item.model_validate_json(item_json), Lang(lang))


def _ping() -> int:
    """A worker's answer to /healthz: it is up, its fonts and seal loaded."""
    return _timed(os.getpid)


class Renderer:
    """`workers` processes; 0 renders in a thread of this process (for small machines and tools).

    A worker dies with the server, and past `job_seconds` on one job (processes only: a thread
    cannot be stopped); a dead worker is replaced and its job run once more (api.render_pool).
    """

    def __init__(self, settings: Settings, workers: int, *, job_seconds: float = 30.0) -> None:
        environment = settings.model_dump(by_alias=True, mode="json")
        if settings.seal_password is not None:  # the JSON dump masks secrets
            environment["CHENGNUO_SEAL_PASSWORD"] = settings.seal_password.get_secret_value()
        make: Callable[[], Executor]
        if workers > 0:
            # spawn, not fork: the server process has threads, and a forked copy may inherit held locks
            context = multiprocessing.get_context("spawn")
            initargs = (environment, os.getpid(), job_seconds)
            make = partial(ProcessPoolExecutor, workers, context, _start_worker, initargs)
        else:
            _start_worker(environment, None, None)
            make = partial(ThreadPoolExecutor, 1)
        self._pool = HealingPool(make)
        # blank letters of authorisation, by the item as described and the language: the route is
        # public, so a flood of requests must not each cost a render
        self._blanks: dict[tuple[str, str], bytes] = {}
        self._blanks_making: dict[tuple[str, str], asyncio.Future[bytes]] = {}

    async def render(self, letter: Letter, item: Item) -> bytes:
        """The sealed PDF of a letter; RenderFailed when workers die under it twice."""
        return await self._pool.run(_timed, _render, letter.model_dump_json(), item.model_dump_json(), what="render")

    async def preview(self, letter: Letter, item: Item) -> bytes:
        """The unsealed preview of an unsigned letter; RenderFailed as for render."""
        return await self._pool.run(_timed, _preview, letter.model_dump_json(), item.model_dump_json(), what="preview")

    async def authorisation(self, item: Item, lang: Lang) -> bytes:
        """A blank letter of authorisation for this item: rendered once (about 0.2 s) per item and
        language in this process, while the item reads the same."""
        item_json = item.model_dump_json()
        key = (hashlib.sha256(item_json.encode()).hexdigest(), lang.value)
        if (pdf := self._blanks.get(key)) is not None:
            return pdf
        making = self._blanks_making.get(key)
        if making is None:  # those who ask meanwhile wait for this one
            making = asyncio.ensure_future(
                self._pool.run(_timed, _authorisation, item_json, lang.value, what="authorisation")
            )
            self._blanks_making[key] = making
            making.add_done_callback(partial(self._blank_made, key))
        return await asyncio.shield(making)  # one asker giving up does not stop it for the others

    def _blank_made(self, key: tuple[str, str], making: asyncio.Future[bytes]) -> None:
        del self._blanks_making[key]
        if making.cancelled() or making.exception() is not None:
            return  # the next asker tries again
        if len(self._blanks) >= BLANKS_KEPT:  # a catalogue reloaded many times over: start again
            self._blanks.clear()
        self._blanks[key] = making.result()

    async def problem(self) -> str | None:
        """None when a worker can render now; otherwise what is wrong, for /healthz."""
        return await self._pool.problem(_ping, timeout=HEALTH_SECONDS)

    def close(self) -> None:
        self._pool.close()
