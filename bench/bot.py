"""Bot benchmark: the time the dispatcher takes for each step of a commitment, against a bare handler.

    .venv/bin/python bench/bot.py [--applicants 200]

Each applicant walks one item from /start to the review page through the real dispatcher, storage
(the SQLite file) and the API in the same process; only Telegram's servers are a fake that answers at
once. The preview and the submission render PDFs and are left out. The same run times a bare
aiogram handler (one message in, one answer out) on the same fake, as the yardstick.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import statistics
import sys
import tempfile
import time
from collections import defaultdict
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
from aiogram import Bot, Dispatcher, Router
from aiogram.client.session.base import BaseSession
from aiogram.methods import GetMe, SendMessage, TelegramMethod
from aiogram.types import CallbackQuery, Chat, Message, Update, User

# run as a script, this file's folder leads sys.path and its name would hide the bot package
sys.path[0] = str(Path(__file__).resolve().parent.parent)

from api.app import build_services, create_app  # noqa: E402
from api.config import ApiSettings  # noqa: E402
from bot.app import build_bot, build_dispatcher, freeze_startup_heap  # noqa: E402
from bot.callbacks import Answered, Decision, ItemPicked, LanguageChosen, Menu, Nav, NoticePage  # noqa: E402
from bot.client import ApiClient  # noqa: E402
from bot.settings import BotSettings  # noqa: E402
from bot.storage import make_storage  # noqa: E402
from forms.catalogue import Item  # noqa: E402
from forms.languages import Lang  # noqa: E402
from forms.questionnaire import Ask, questions  # noqa: E402
from forms.sample import sample_letter  # noqa: E402

TOKEN = "4200000001:bench-not-a-real-token"
ME = User(id=4200000001, is_bot=True, first_name="chengnuo")


class InstantTelegram(BaseSession):
    """Answers every call at once with what Telegram would return."""

    def __init__(self) -> None:
        super().__init__()
        self.ids = itertools.count(1)

    async def close(self) -> None:
        pass

    async def make_request(self, bot: Bot, method: TelegramMethod[Any], timeout: int | None = None) -> Any:
        if isinstance(method, GetMe):
            return ME
        if isinstance(method, SendMessage):
            chat = Chat(id=int(method.chat_id), type="private")
            return Message(message_id=next(self.ids), date=datetime.now(UTC), chat=chat, text=method.text)
        return True

    async def stream_content(self, *args: Any, **kwargs: Any) -> Any:  # pragma: no cover
        raise NotImplementedError


class Applicant:
    def __init__(self, user_id: int) -> None:
        self.user = User(id=user_id, is_bot=False, first_name="bench", language_code="zh")
        self.chat = Chat(id=user_id, type="private")

    def says(self, update_id: int, text: str) -> Update:
        message = Message(message_id=update_id, date=datetime.now(UTC), chat=self.chat, from_user=self.user, text=text)
        return Update(update_id=update_id, message=message)

    def presses(self, update_id: int, data: str) -> Update:
        message = Message(message_id=update_id, date=datetime.now(UTC), chat=self.chat, text="…")
        query = CallbackQuery(id=str(update_id), from_user=self.user, chat_instance="c", data=data, message=message)
        return Update(update_id=update_id, callback_query=query)


async def bare_handler_times(count: int) -> list[float]:
    """The yardstick: aiogram's dispatcher with one handler that answers the message."""
    router = Router()

    @router.message()
    async def echo(message: Message) -> None:
        await message.answer("ok")

    dispatcher = Dispatcher()
    dispatcher.include_router(router)
    bot = Bot(TOKEN, session=InstantTelegram())
    applicant = Applicant(1)
    times = []
    for n in range(count):
        update = applicant.says(n + 1, "hello")
        started = time.perf_counter()
        await dispatcher.feed_update(bot, update)
        times.append((time.perf_counter() - started) * 1000)
    return times


async def walk(dispatcher: Dispatcher, bot: Bot, applicant: Applicant, item: Item, ids: Any,
               times: dict[str, list[float]]) -> None:  # fmt: skip
    """One applicant from /start to the review page, each step timed."""

    async def step(name: str, update: Update) -> None:
        started = time.perf_counter()
        await dispatcher.feed_update(bot, update)
        times[name].append((time.perf_counter() - started) * 1000)
        # the credit check runs beside the conversation: the applicant does not wait for it
        started = time.perf_counter()
        await asyncio.gather(*dispatcher["background"])
        if name == "answer: ID number":
            times["credit check (beside)"].append((time.perf_counter() - started) * 1000)

    await step("/start", applicant.says(next(ids), "/start"))
    await step("language", applicant.presses(next(ids), LanguageChosen(code=Lang.zh.value).pack()))
    await step("new commitment", applicant.presses(next(ids), Menu(action="new").pack()))
    await step("item typed", applicant.says(next(ids), "法律援助"))
    await step("item picked", applicant.presses(next(ids), ItemPicked(code=item.code).pack()))
    for page in (1, 2, 3):
        await step("notice page", applicant.presses(next(ids), NoticePage(page=page).pack()))
    await step("understood", applicant.presses(next(ids), Decision(choice="read").pack()))
    await step("commit", applicant.presses(next(ids), Decision(choice="commit").pack()))
    letter = sample_letter(item, Lang.zh)
    typed: dict[str, Any] = {
        "applicant.name": letter.applicant.name, "applicant.id_type": "resident_id",
        "applicant.id_number": letter.applicant.id_number, "applicant.phone": letter.applicant.phone,
        "agent.present": "no", **{f"answers.{k}": v for k, v in letter.answers.items()},
    }  # fmt: skip
    answers: dict[str, Any] = {}
    for index, question in enumerate(questions(item, answers)):
        value = typed[question.key]
        name = "answer: ID number" if question.key == "applicant.id_number" else f"answer: {question.ask.value}"
        if question.ask is Ask.choice:
            choice = [v for v, _ in question.choices].index(value)
            await step(name, applicant.presses(next(ids), Answered(step=index, choice=choice).pack()))
        elif question.ask is Ask.materials:
            for picked in value:
                choice = [v for v, _ in question.choices].index(picked)
                await step("answer: tick", applicant.presses(next(ids), Answered(step=index, choice=choice).pack()))
            await step("answer: materials", applicant.presses(next(ids), Nav(action="done").pack()))
        else:
            await step(name, applicant.says(next(ids), str(value)))
        answers[question.key] = value


def p99(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]


async def main(applicants: int) -> None:
    with tempfile.TemporaryDirectory() as directory:
        data = Path(directory)
        settings = ApiSettings(
            CHENGNUO_DATA_DIR=data / "api",
            CHENGNUO_SERVICE_TOKEN="bench-service-token",
            CHENGNUO_RENDER_WORKERS=0,
            DATABASE_URL=None,
        )
        services = build_services(settings)
        transport = httpx.ASGITransport(app=create_app(settings, services))
        api = ApiClient.connect("http://api.bench", services.service_token, transport=transport)
        bot_settings = BotSettings(TELEGRAM_BOT_TOKEN=TOKEN, CHENGNUO_DATA_DIR=data / "bot", REDIS_URL=None)
        storage, isolation = make_storage(bot_settings)
        dispatcher = build_dispatcher(api=api, catalogue=services.catalogue, settings=bot_settings, storage=storage,
                                      isolation=isolation)  # fmt: skip
        bot = build_bot(bot_settings, session=InstantTelegram())
        item = services.catalogue.get("SFJ-001")
        assert item is not None
        ids = itertools.count(1)
        times: dict[str, list[float]] = defaultdict(list)
        await walk(dispatcher, bot, Applicant(1), item, ids, defaultdict(list))  # warm up
        await bare_handler_times(200)
        freeze_startup_heap()  # as the bot does once it is running
        bare: list[float] = []
        for n in range(applicants):
            await walk(dispatcher, bot, Applicant(1000 + n), item, ids, times)
            bare += await bare_handler_times(20)  # interleaved, so both see the same machine
        await api.close()
        await storage.close()
        services.renderer.close()

    beside = times.pop("credit check (beside)", [])
    every = [t for values in times.values() for t in values]
    limit = 3 * p99(bare)
    print(f"{applicants} applicants, SQLite storage, API in process; times in ms per update")
    print(f"{'step':<24} {'count':>6} {'p50':>7} {'p99':>7}")
    print(f"{'bare aiogram handler':<24} {len(bare):>6} {statistics.median(bare):>7.2f} {p99(bare):>7.2f}")
    for name, values in times.items():
        print(f"{name:<24} {len(values):>6} {statistics.median(values):>7.2f} {p99(values):>7.2f}")
    print(f"{'every step':<24} {len(every):>6} {statistics.median(every):>7.2f} {p99(every):>7.2f}")
    if beside:
        print(f"{'(credit check, beside)':<24} {len(beside):>6} {statistics.median(beside):>7.2f} {p99(beside):>7.2f}")
    verdict = "within" if p99(every) <= limit else "OVER"
    print(f"p99 of every step {p99(every):.2f} ms is {verdict} 3 x the bare handler's p99 ({limit:.2f} ms)")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--applicants", type=int, default=200)
    asyncio.run(main(parser.parse_args().applicants))
