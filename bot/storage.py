"""Conversation state that survives a restart: a SQLite file on one machine, Redis beyond it."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from aiogram.fsm.state import State
from aiogram.fsm.storage.base import BaseEventIsolation, BaseStorage, DefaultKeyBuilder, StateType, StorageKey
from aiogram.fsm.storage.memory import SimpleEventIsolation

from bot.settings import BotSettings


class SqliteStorage(BaseStorage):
    """aiogram's storage interface on a local SQLite file.

    A read or write of one small row takes microseconds, less than handing it to a thread, so the
    calls run on the event loop. WAL keeps readers and the one writer out of each other's way.
    """

    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self._db = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=NORMAL")
        self._db.execute(
            "CREATE TABLE IF NOT EXISTS conversations"
            " (key TEXT PRIMARY KEY, state TEXT, data TEXT NOT NULL DEFAULT '{}')"
        )
        self._keys = DefaultKeyBuilder(with_destiny=True)

    async def set_state(self, key: StorageKey, state: StateType = None) -> None:
        value = state.state if isinstance(state, State) else state
        self._db.execute(
            "INSERT INTO conversations (key, state) VALUES (?, ?)"
            " ON CONFLICT (key) DO UPDATE SET state = excluded.state",
            (self._keys.build(key), value),
        )

    async def get_state(self, key: StorageKey) -> str | None:
        row = self._db.execute("SELECT state FROM conversations WHERE key = ?", (self._keys.build(key),)).fetchone()
        return row[0] if row else None

    async def set_data(self, key: StorageKey, data: Mapping[str, Any]) -> None:
        self._db.execute(
            "INSERT INTO conversations (key, data) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET data = excluded.data",
            (self._keys.build(key), json.dumps(dict(data), ensure_ascii=False)),
        )

    async def get_data(self, key: StorageKey) -> dict[str, Any]:
        row = self._db.execute("SELECT data FROM conversations WHERE key = ?", (self._keys.build(key),)).fetchone()
        return json.loads(row[0]) if row else {}

    async def close(self) -> None:
        self._db.close()


def make_storage(settings: BotSettings) -> tuple[BaseStorage, BaseEventIsolation]:
    """Redis when REDIS_URL is set (several bot workers share it), else the local file.

    Events of one chat are handled one at a time, so a double tap is seen after the first.
    """
    if settings.redis_url:
        from aiogram.fsm.storage.redis import RedisEventIsolation, RedisStorage

        redis = RedisStorage.from_url(settings.redis_url, key_builder=DefaultKeyBuilder(with_destiny=True))
        return redis, RedisEventIsolation(redis.redis)
    return SqliteStorage(settings.data_dir / "bot" / "conversations.db"), SimpleEventIsolation()
