"""A letter is a channel user's: the same user string in another channel is someone else, everywhere."""

from __future__ import annotations

import httpx
import pytest

from api.runtime import Services
from forms.channels import Channel, ChannelUser, acting
from forms.languages import Lang
from tests.api.conftest import body, key, submission_for
from tests.api.staffing import bearer, make_staff
from tests.api.uploading import agent, upload_id

# the same six digits: a Telegram id, and (as a WeChat openid may be digits only) a WeChat user
ON_TELEGRAM = ChannelUser.telegram(123456)
ON_WECHAT = ChannelUser.wechat("123456")


async def signed_by(client: httpx.AsyncClient, services: Services, who: ChannelUser, code: str = "SCJG-001") -> str:
    """A letter signed by `who` in their channel, through the API as that channel's bot sends it."""
    submission = submission_for(services.catalogue.items[code], Lang.zh)
    signature = submission.signature.model_copy(update={"channel": who.channel, "channel_user": who.user})
    made = await client.post(
        "/api/letters",
        json=body(submission.model_copy(update={"signature": signature})),
        headers={"Idempotency-Key": key()},
    )
    assert made.status_code == 201, made.text
    return str(made.json()["number"])


async def numbers_of(client: httpx.AsyncClient, who: ChannelUser) -> list[str]:
    found = await client.get("/api/letters", params={**acting(who), "per_page": 100})
    assert found.status_code == 200, found.text
    return [letter["number"] for letter in found.json()["items"]]


async def test_equal_user_strings_in_two_channels_are_two_applicants(
    client: httpx.AsyncClient, services: Services
) -> None:
    telegram_letter = await signed_by(client, services, ON_TELEGRAM)
    wechat_letter = await signed_by(client, services, ON_WECHAT)
    assert await numbers_of(client, ON_TELEGRAM) == [telegram_letter]
    assert await numbers_of(client, ON_WECHAT) == [wechat_letter]

    for number, stranger in ((telegram_letter, ON_WECHAT), (wechat_letter, ON_TELEGRAM)):
        moves = [
            ("transitions", {"to": "withdrawn", "reason": "不再办理", **acting(stranger)}),
            ("supplements", {**acting(stranger), "upload_ids": [await upload_id(client, purpose="supplement")]}),
            ("objections", {**acting(stranger), "text": "公示信息有误"}),
        ]
        for path, request in moves:
            answer = await client.post(f"/api/letters/{number}/{path}", json=request)
            assert (answer.status_code, answer.json()["code"]) == (404, "not_found"), (number, path)
        assert (await client.get(f"/api/letters/{number}")).json()["status"] == "signed"

    withdrawn = await client.post(
        f"/api/letters/{wechat_letter}/transitions", json={"to": "withdrawn", "reason": "不再办理", **acting(ON_WECHAT)}
    )
    assert withdrawn.status_code == 201, withdrawn.text
    assert withdrawn.json()["actor"] == "applicant:wechat:123456"


async def test_an_upload_goes_only_with_a_letter_of_its_senders_channel(
    client: httpx.AsyncClient, services: Services
) -> None:
    item = services.catalogue.items["GAJ-001"]  # an agent may commit, with the authorisation uploaded

    async def submit(authorisation: str) -> httpx.Response:
        submission = submission_for(item, agent=agent(authorisation))
        signature = submission.signature.model_copy(update={"channel_user": ON_TELEGRAM.user})
        return await client.post(
            "/api/letters",
            json=body(submission.model_copy(update={"signature": signature})),
            headers={"Idempotency-Key": key()},
        )

    refused = await submit(await upload_id(client, user=ON_WECHAT))
    assert (refused.status_code, refused.json()["code"]) == (422, "upload.unknown")
    taken = await submit(await upload_id(client, user=ON_TELEGRAM))
    assert taken.status_code == 201, taken.text


@pytest.mark.parametrize(
    "params",
    [
        {"channel": "wechat", "channel_user": "o.no!"},  # not an openid
        {"channel": "wechat", "channel_user": "abc"},  # too short for one
        {"channel": "telegram", "channel_user": "0123"},  # one id has one spelling
        {"channel": "telegram", "channel_user": str(2**63)},
        {"channel": "line", "channel_user": "123456"},
        {"channel": "telegram"},
        {"channel_user": "123456"},
    ],
)
async def test_a_user_that_is_not_of_its_channel_is_refused_with_a_reason(
    client: httpx.AsyncClient, params: dict[str, str]
) -> None:
    found = await client.get("/api/letters", params=params)
    assert (found.status_code, found.json()["code"]) == (422, "invalid_request")
    assert found.json()["details"], found.text
    moved = await client.post("/api/letters/SFJ-2026-000001/transitions", json={"to": "withdrawn", **params})
    assert (moved.status_code, moved.json()["code"]) == (422, "invalid_request")
    objected = await client.post("/api/letters/SFJ-2026-000001/objections", json={**params, "text": "不对"})
    assert (objected.status_code, objected.json()["code"]) == (422, "invalid_request")


async def test_staff_cannot_list_an_applicants_letters_by_channel_user(
    client: httpx.AsyncClient, services: Services
) -> None:
    clerk = await bearer(client, *make_staff(services, departments=("SCJG",)))
    found = await client.get("/api/letters", params=acting(ON_TELEGRAM), headers=clerk)
    assert (found.status_code, found.json()["code"]) == (403, "forbidden")


async def test_each_channels_courier_leases_its_own_notices(client: httpx.AsyncClient, services: Services) -> None:
    wechat_letter = await signed_by(client, services, ChannelUser.wechat("oWx9_leased-by-wechat"), "SFJ-001")
    telegram_letter = await signed_by(client, services, ChannelUser.telegram(7123456789), "SFJ-001")
    clerk = await bearer(client, *make_staff(services, departments=("SFJ",)))
    for number in (wechat_letter, telegram_letter):
        moved = await client.post(f"/api/letters/{number}/transitions", json={"to": "accepted"}, headers=clerk)
        assert moved.status_code == 201, moved.text

    def mine(leased: list[dict[str, object]]) -> list[tuple[object, ...]]:
        numbers = (wechat_letter, telegram_letter)
        return [
            (n["payload"]["number"], n["channel"], n["channel_user"])  # type: ignore[index]
            for n in leased
            if n["payload"]["number"] in numbers  # type: ignore[index]
        ]

    on_telegram = await client.get("/api/outbox", params={"channel": "telegram", "limit": 100})
    assert mine(on_telegram.json()) == [(telegram_letter, "telegram", "7123456789")]
    on_wechat = await client.get("/api/outbox", params={"channel": Channel.wechat.value, "limit": 100})
    assert mine(on_wechat.json()) == [(wechat_letter, "wechat", "oWx9_leased-by-wechat")]

    unnamed = await client.get("/api/outbox", params={"limit": 100})
    assert (unnamed.status_code, unnamed.json()["code"]) == (422, "invalid_request")
    unknown = await client.get("/api/outbox", params={"channel": "sms"})
    assert (unknown.status_code, unknown.json()["code"]) == (422, "invalid_request")
