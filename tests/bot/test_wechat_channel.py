"""The WeChat channel's faults and notifications: signatures, resends, WeChat's limits, the courier."""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from api.runtime import Services
from api.store import LetterRecord
from bot.callbacks import Review
from forms.catalogue import Catalogue, CommitmentType
from forms.languages import Lang
from forms.questionnaire import signer_name
from tests.bot.test_delivery import empty_outbox, moved  # noqa: F401 - the outbox emptied before each test
from tests.bot.test_flow import one_item_per_type
from tests.bot.test_wechat_flow import letters_of, signed_through_wechat
from tests.bot.walk import answer_all, choose_language, open_item, sample_answers
from tests.bot.wechat_app import Follower, WeChatChat, openid, wechat_running


def follower_of(account: WeChatChat, n: int) -> str:
    """An openid of its own for each mode: the API (and its letters) is shared by the module."""
    return openid(n + (1000 if account.settings.safe_mode else 0))


@pytest.fixture(params=["plain", "safe"])
async def account(request: pytest.FixtureRequest, api_services: Services, tmp_path: Path) -> AsyncIterator[WeChatChat]:
    async with wechat_running(api_services, tmp_path, safe=request.param == "safe") as chat:
        yield chat


async def test_the_server_check_echoes_only_for_wechat(account: WeChatChat) -> None:
    follower = account.person(follower_of(account, 300))
    assert (await follower.user.verify_server("echo-4711")).text == "echo-4711"
    bad = await account.http.get("/wechat", params={"signature": "0" * 40, "timestamp": "1", "nonce": "2",
                                                     "echostr": "x"})  # fmt: skip
    assert bad.status_code == 403


async def test_a_bad_signature_is_403_and_nothing_is_handled(account: WeChatChat) -> None:
    follower = account.person(follower_of(account, 301))
    answer = await follower.user.forged("/start")
    assert answer.status_code == 403
    assert await account.state(follower) is None and await account.data(follower) == {}
    assert account.api.sent == []


async def test_garbage_and_oversized_bodies_are_refused_not_500(account: WeChatChat) -> None:
    for body in (b"not xml at all", b"<xml>" + b"a" * 200_000 + b"</xml>"):
        answer = await account.http.post("/wechat", content=body, params={"signature": "x", "timestamp": "1",
                                                                            "nonce": "n"})  # fmt: skip
        assert answer.status_code in (400, 403, 413)


async def test_the_same_message_three_times_while_the_submission_is_slow_makes_one_letter_and_one_answer(
    api_services: Services, catalogue: Catalogue, tmp_path: Path
) -> None:
    item = one_item_per_type(catalogue)[CommitmentType.certification]
    async with wechat_running(api_services, tmp_path, patience=0.3) as account:
        follower = account.person(follower_of(account, 302))
        await choose_language(account, follower, Lang.zh)  # type: ignore[arg-type]
        await open_item(account, follower, item)  # type: ignore[arg-type]
        await answer_all(account, follower, item, sample_answers(item, Lang.zh))  # type: ignore[arg-type]
        await account.send(follower.presses_data(Review(action="sign").pack()))
        await account.send(follower.says(signer_name(item, (await account.data(follower))["answers"])))
        real_submit = account.running.api.submit

        async def slow_submit(*args: Any, **kwargs: Any) -> Any:
            await asyncio.sleep(1.0)  # longer than WeChat's patience here
            return await real_submit(*args, **kwargs)

        account.running.api.submit = slow_submit  # type: ignore[method-assign]
        first = await follower.user.tap(Review(action="confirm").pack(), "1")
        again = [await follower.user.resend_last() for _ in range(2)]
        assert "请稍候" in first, "answered within WeChat's 5 s with a word to wait"
        assert all(reply in ("", first) for reply in again)
        await account.settle()
        assert len(letters_of(account, follower)) == 1, "one letter"
        done = [m for m in account.api.sent if m["openid"] == follower.openid and "已签署并提交" in m["content"]]
        assert len(done) == 1, (
            f"one answer, as a customer-service message: {account.api.sent[-3:]} {account.api.refused}"
        )


async def accepted(account: WeChatChat, catalogue: Catalogue, n: int) -> tuple[Follower, LetterRecord]:
    """A letter signed through WeChat, then accepted by its window: a notice waits in the outbox."""
    item = one_item_per_type(catalogue)[CommitmentType.certification]
    follower = account.person(follower_of(account, n))
    letter = await signed_through_wechat(account, item, follower)
    await moved(account.running.api, account.services, letter.number, "accepted")
    return follower, letter


async def test_a_status_change_is_a_customer_service_message_within_48_hours(
    account: WeChatChat, catalogue: Catalogue
) -> None:
    follower, letter = await accepted(account, catalogue, 303)
    sent_before = len(account.api.sent)
    assert await account.running.courier.one_round() == 1
    [message] = account.api.sent[sent_before:]
    assert message["openid"] == follower.openid and letter.number in message["content"]
    assert "已受理" in message["content"]
    assert await account.running.courier.one_round() == 0, "acknowledged: not sent again"


async def test_outside_48_hours_the_status_change_is_a_template_message_with_the_letters_link(
    account: WeChatChat, catalogue: Catalogue
) -> None:
    follower, letter = await accepted(account, catalogue, 304)
    account.api.advance(49 * 3600)
    assert await account.running.courier.one_round() == 1
    [template] = account.api.templates
    assert template["touser"] == follower.openid and template["template_id"] == "tmpl-status"
    assert template["data"]["character_string1"]["value"] == letter.number
    assert "/d/" in template["url"]


async def test_an_expired_access_token_mid_delivery_is_renewed_once(account: WeChatChat, catalogue: Catalogue) -> None:
    follower, letter = await accepted(account, catalogue, 305)
    account.api.expire_all()
    assert await account.running.courier.one_round() == 1
    assert any(letter.number in m["content"] for m in account.api.sent if m["openid"] == follower.openid)


async def test_an_unsubscribed_follower_is_not_written_to(account: WeChatChat, catalogue: Catalogue) -> None:
    item = one_item_per_type(catalogue)[CommitmentType.certification]
    follower = account.person(follower_of(account, 306))
    letter = await signed_through_wechat(account, item, follower)
    await account.send(follower.unfollows())
    sent_before = len(account.api.sent)
    await moved(account.running.api, account.services, letter.number, "accepted")
    assert await account.running.courier.one_round() == 1, "acknowledged"
    assert account.api.sent[sent_before:] == [] and account.api.templates == []


async def test_a_message_id_is_one_followers_own(account: WeChatChat) -> None:
    """Two followers whose messages carry the same MsgId are two messages, each answered."""
    first, second = account.person(follower_of(account, 307)), account.person(follower_of(account, 308))
    first.user._msg_ids = itertools.count(42)
    second.user._msg_ids = itertools.count(42)
    assert "请选择语言" in await first.user.send_text("/start")
    assert "请选择语言" in await second.user.send_text("/start")
