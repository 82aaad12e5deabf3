"""Render and seal letters off the event loop, in a pool of warmed-up worker processes."""

from __future__ import annotations

import asyncio
import multiprocessing
from concurrent.futures import Executor, ProcessPoolExecutor, ThreadPoolExecutor
from typing import Any

from forms.catalogue import Item
from forms.letter import Letter
from forms.render import letter_pdf, preview_pdf, warm_up
from forms.seal import Sealer
from forms.settings import Settings

_worker: dict[str, Any] = {}


def _start_worker(environment: dict[str, Any]) -> None:
    """Each worker loads fonts and the seal once (about 0.7 s), then renders in ~0.15 s."""
    settings = Settings.model_validate(environment)
    _worker["settings"] = settings
    _worker["sealer"] = Sealer.from_settings(settings)
    warm_up()


def _render(letter_json: str, item_json: str) -> bytes:
    settings: Settings = _worker["settings"]
    letter = Letter.model_validate_json(letter_json)
    item = Item.model_validate_json(item_json)
    pdf = letter_pdf(letter, item, verify_url=settings.verify_url(letter.number, letter.verify_code))
    sealer: Sealer = _worker["sealer"]
    return sealer.seal(pdf, number=letter.number)


def _preview(letter_json: str, item_json: str) -> bytes:
    return preview_pdf(Letter.model_validate_json(letter_json), Item.model_validate_json(item_json))


class Renderer:
    """`workers` processes; 0 renders in a thread of this process (for small machines and tools)."""

    def __init__(self, settings: Settings, workers: int) -> None:
        environment = settings.model_dump(by_alias=True, mode="json")
        if settings.seal_password is not None:  # the JSON dump masks secrets
            environment["CHENGNUO_SEAL_PASSWORD"] = settings.seal_password.get_secret_value()
        self._executor: Executor
        if workers > 0:
            # spawn, not fork: the server process has threads, and a forked copy may inherit held locks
            self._executor = ProcessPoolExecutor(
                workers,
                mp_context=multiprocessing.get_context("spawn"),
                initializer=_start_worker,
                initargs=(environment,),
            )
        else:
            _start_worker(environment)
            self._executor = ThreadPoolExecutor(1)

    async def render(self, letter: Letter, item: Item) -> bytes:
        """The sealed PDF of a letter."""
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._executor, _render, letter.model_dump_json(), item.model_dump_json())

    async def preview(self, letter: Letter, item: Item) -> bytes:
        """The unsealed preview of an unsigned letter."""
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._executor, _preview, letter.model_dump_json(), item.model_dump_json())

    def close(self) -> None:
        self._executor.shutdown(wait=True, cancel_futures=True)
