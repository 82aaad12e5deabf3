"""WeChat benchmark: one follower's message through POST /wechat in safe mode, end to end.

    .venv/bin/python bench/wechat.py [--followers 50] [--rounds 3]

Each message is signed and AES-encrypted as WeChat sends it, posted to the real app in this process
(verify the signature, decrypt, dispatch through the conversation, gather the turn into one reply,
encrypt and sign the reply), with the API in the same process and WeChat's servers faked. Each
follower walks one item from following the Account to the review page: the language, the menu, the
item, every notice page, every question. The preview and the submission, which render PDFs, are
left out, as in bench/bot.py. First one follower at a time (the time of each step alone), then
`--followers` at once (WeChat gives up on an answer after 5 s).
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from api.app import build_services
from api.config import ApiSettings
from api.runtime import Services
from forms.languages import Lang
from tests.bot.conftest import SERVICE_TOKEN
from tests.bot.walk import answer_all, choose_language, open_item, sample_answers
from tests.bot.wechat import FakeWeChatUser
from tests.bot.wechat_app import WeChatChat, openid, wechat_running

ITEM = "SFJ-001"  # 法律援助: the longest questionnaire


class Timed(FakeWeChatUser):
    """A follower whose every post to /wechat is timed, from signing to the reply read back."""

    times: list[float]

    async def _post_raw(self, params: dict[str, str], body: bytes) -> str:
        started = time.perf_counter()
        reply = await super()._post_raw(params, body)
        self.times.append((time.perf_counter() - started) * 1000)
        return reply


async def walk(chat: WeChatChat, services: Services, number: int, times: list[float]) -> None:
    item = services.catalogue.items[ITEM]
    follower = chat.person(openid(number))
    user = Timed(chat.http, chat.settings, chat.api, openid=follower.openid)
    user.times = times
    follower.user = user
    await chat.send(follower.follows())
    await choose_language(chat, follower, Lang.ug)  # type: ignore[arg-type]
    await open_item(chat, follower, item)  # type: ignore[arg-type]
    await answer_all(chat, follower, item, sample_answers(item, Lang.ug))  # type: ignore[arg-type]
    assert await chat.state(follower) == "Commit:review", follower.last()


def percentiles(times: list[float]) -> tuple[float, float]:
    cuts = statistics.quantiles(times, n=100)
    return statistics.median(times), cuts[98]


async def run(followers: int, rounds: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        settings = ApiSettings(CHENGNUO_DATA_DIR=Path(tmp) / "api", CHENGNUO_SERVICE_TOKEN=SERVICE_TOKEN,
                               CHENGNUO_RENDER_WORKERS=0, DATABASE_URL=None)  # fmt: skip
        services = build_services(settings)
        try:
            for round_ in range(1, rounds + 1):
                async with wechat_running(services, Path(tmp) / f"bot{round_}", safe=True) as chat:
                    alone: list[float] = []
                    for n in range(10):  # warm, then alone
                        await walk(chat, services, round_ * 10_000 + n, alone if n else [])
                    together: list[float] = []
                    started = time.perf_counter()
                    await asyncio.gather(*(walk(chat, services, round_ * 10_000 + 100 + n, together)
                                           for n in range(followers)))  # fmt: skip
                    took = time.perf_counter() - started
                p50, p99 = percentiles(alone)
                t50, t99 = percentiles(together)
                print(f"round {round_}: one at a time: {len(alone)} messages, p50 {p50:.2f} ms, p99 {p99:.2f} ms; "
                      f"{followers} at once: {len(together)} messages in {took:.1f} s, "
                      f"p50 {t50:.1f} ms, p99 {t99:.1f} ms, max {max(together):.1f} ms")  # fmt: skip
        finally:
            services.renderer.close()
            services.engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--followers", type=int, default=50)
    parser.add_argument("--rounds", type=int, default=3)
    arguments = parser.parse_args()
    asyncio.run(run(arguments.followers, arguments.rounds))


if __name__ == "__main__":
    main()
