"""Publication as the rules say (seed 000 三(三), 三(五); seed 002 一(三)): ended letters are not
published, published ones come down, broken commitments go up as dishonesty records."""

from __future__ import annotations

import csv
import io
import random

import httpx
from stdnum.cn import ric, uscc

from api.runtime import Services
from forms import clock
from forms.channels import acting
from forms.workdays import add_working_days
from tests.api.conftest import body, key, submission_for
from tests.api.staffing import bearer, make_staff
from tests.api.uploading import SIGNER


async def _letter(client: httpx.AsyncClient, services: Services, code: str) -> str:
    item = services.catalogue.items[code]
    # an applicant of its own: a letter revoked or broken in another test lists its subject
    sample = submission_for(item)
    fresh = _fresh_id() if sample.applicant.kind == "person" else _fresh_credit_code()
    submission = submission_for(item, applicant=sample.applicant.model_copy(update={"id_number": fresh}))
    made = await client.post("/api/letters", json=body(submission), headers={"Idempotency-Key": key()})
    assert made.status_code == 201, made.text
    return str(made.json()["number"])


def _fresh_id() -> str:
    first = f"653022{random.randint(1960, 2000)}{random.randint(1, 12):02d}{random.randint(1, 28):02d}"
    first += f"{random.randint(0, 999):03d}"
    return first + ric.calc_check_digit(first + "0")


def _fresh_credit_code() -> str:
    first = "91653022MA" + "".join(random.choice("0123456789ABCDEFGHJKLMNPQRTUWXY") for _ in range(7))
    return first + uscc.calc_check_digit(first)


async def _move(client: httpx.AsyncClient, number: str, headers: dict[str, str], *steps: str) -> None:
    for step in steps:
        moved = await client.post(f"/api/letters/{number}/transitions", json=_body(step), headers=headers)
        assert moved.status_code == 201, moved.text


def _body(step: str) -> dict[str, str]:
    """A move as a clerk sends it: a revocation names its sanction (撤销 with what follows it)."""
    return {"to": step, "reason": "核查"} | ({"sanction": "record_and_publish"} if step == "revoked" else {})


async def _withdraw(client: httpx.AsyncClient, number: str) -> None:
    withdrawal = {"to": "withdrawn", "reason": "不再办理", **acting(SIGNER)}
    assert (await client.post(f"/api/letters/{number}/transitions", json=withdrawal)).status_code == 201


async def _listed(client: httpx.AsyncClient, headers: dict[str, str], state: str) -> list[dict[str, object]]:
    answer = await client.get("/api/publications", params={"state": state}, headers=headers)
    assert answer.status_code == 200, answer.text
    return list(answer.json())


async def test_letters_that_ended_before_publication_are_not_due(client: httpx.AsyncClient, services: Services) -> None:
    clerk = await bearer(client, *make_staff(services, departments=("SCJG",)))
    withdrawn = await _letter(client, services, "SCJG-002")
    await _withdraw(client, withdrawn)
    refused = await _letter(client, services, "SCJG-002")
    await _move(client, refused, clerk, "refused")
    superseded = await _letter(client, services, "SCJG-002")
    await _move(client, superseded, clerk, "superseded")
    terminated = await _letter(client, services, "SCJG-001")  # 容缺, public
    await _move(client, terminated, clerk, "accepted", "awaiting_supplement", "overdue_terminated")
    in_force = await _letter(client, services, "SCJG-002")

    ended = {withdrawn, refused, superseded, terminated}
    for state in ("due", "overdue", "withdrawal_due"):
        listed = {p["number"] for p in await _listed(client, clerk, state)}
        assert not listed & ended, state  # never published: nothing to publish, nothing to take down
    assert in_force in {p["number"] for p in await _listed(client, clerk, "due")}
    on_page = await client.get("/publications", headers=clerk)
    assert withdrawn not in on_page.text


async def test_a_published_letter_that_ends_is_due_for_taking_down(
    client: httpx.AsyncClient, services: Services
) -> None:
    clerk = await bearer(client, *make_staff(services, departments=("SCJG",)))
    withdrawn, refused, superseded, revoked = [await _letter(client, services, "SCJG-002") for _ in range(4)]
    published = await client.post(
        "/api/publications/published", json={"numbers": [withdrawn, refused, superseded, revoked]}, headers=clerk
    )
    assert published.status_code == 200, published.text
    await _withdraw(client, withdrawn)
    await _move(client, refused, clerk, "refused")
    await _move(client, superseded, clerk, "superseded")
    await _move(client, revoked, clerk, "accepted", "completed", "revoked")

    three = add_working_days(clock.today(), 3).isoformat()
    coming_down = {p["number"]: p for p in await _listed(client, clerk, "withdrawal_due")}
    for number in (withdrawn, refused, superseded, revoked):
        assert coming_down[number]["withdrawal_due_on"] == three
        assert coming_down[number]["kind"] == "letter"
    taken = await client.post("/api/publications/withdrawn", json={"numbers": [withdrawn]}, headers=clerk)
    assert taken.json() == {"marked": [withdrawn]}
    assert withdrawn not in {p["number"] for p in await _listed(client, clerk, "withdrawal_due")}
    assert withdrawn not in {p["number"] for p in await _listed(client, clerk, "published")}


async def test_a_broken_commitment_is_published_as_a_dishonesty_record_and_taken_down_after_repair(
    client: httpx.AsyncClient, services: Services
) -> None:
    clerk = await bearer(client, *make_staff(services, departments=("SFJ",)))
    number = await _letter(client, services, "SFJ-001")  # not public: the letter itself never is
    assert number not in {p["number"] for p in await _listed(client, clerk, "due")}
    await _move(client, number, clerk, "accepted", "completed")
    broken = await client.post(
        f"/api/letters/{number}/transitions",
        json={"to": "broken", "reason": "核查发现无犯罪记录证明不实"},
        headers=clerk,
    )
    assert broken.status_code == 201

    due = [p for p in await _listed(client, clerk, "due") if p["number"] == number]
    assert len(due) == 1
    record = due[0]
    assert record["kind"] == "dishonesty" and record["due_on"] == add_working_days(clock.today(), 7).isoformat()
    assert record["fulfilment"] == "全部未履行" and record["unfulfilled"] == "核查发现无犯罪记录证明不实"
    assert record["fulfilment_date"] == clock.today().isoformat() and record["remarks"] == "失信记录"
    assert record["subject_category"] == "自然人" and "*" in str(record["code"])  # a person's ID stays masked
    page = await client.get("/publications", headers=clerk)
    assert number in page.text and "失信记录" in page.text
    only = await client.get("/api/publications", params={"state": "due", "kind": "letter"}, headers=clerk)
    assert number not in {p["number"] for p in only.json()}
    exported = await client.get(
        "/api/publications/export", params={"state": "due", "kind": "dishonesty", "format": "json"}, headers=clerk
    )
    assert {p["kind"] for p in exported.json()} == {"dishonesty"} and number in {p["number"] for p in exported.json()}

    wrong = await client.post("/api/publications/published", json={"numbers": [number]}, headers=clerk)
    assert wrong.status_code == 404  # the letter itself is not published: only its record is
    marked = await client.post("/api/publications/published", json={"dishonesty": [number]}, headers=clerk)
    assert marked.json() == {"marked": [], "dishonesty": [number]}
    assert number in {p["number"] for p in await _listed(client, clerk, "published")}
    assert number not in {p["number"] for p in await _listed(client, clerk, "due")}

    await _move(client, number, clerk, "repaired")
    down = [p for p in await _listed(client, clerk, "withdrawal_due") if p["number"] == number]
    assert [(p["kind"], p["withdrawal_due_on"]) for p in down] == [
        ("dishonesty", add_working_days(clock.today(), 3).isoformat())
    ]
    await client.post("/api/publications/withdrawn", json={"dishonesty": [number]}, headers=clerk)
    for state in ("withdrawal_due", "published", "due"):
        assert number not in {p["number"] for p in await _listed(client, clerk, state)}

    # repaired before anyone published it: there is nothing left to publish
    again = await _letter(client, services, "SFJ-001")
    await _move(client, again, clerk, "accepted", "completed", "broken")
    assert again in {p["number"] for p in await _listed(client, clerk, "due")}
    await _move(client, again, clerk, "repaired")
    for state in ("due", "overdue", "withdrawal_due"):
        assert again not in {p["number"] for p in await _listed(client, clerk, state)}

    nobody = await client.post("/api/publications/published", json={}, headers=clerk)
    assert nobody.status_code == 422


async def test_the_export_has_the_national_credit_commitment_items(
    client: httpx.AsyncClient, services: Services
) -> None:
    clerk = await bearer(client, *make_staff(services, departments=("SCJG",)))
    number = await _letter(client, services, "SCJG-002")
    national = await client.get(
        "/api/publications/export", params={"state": "due", "format": "national"}, headers=clerk
    )
    assert national.status_code == 200 and national.headers["content-type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(national.content.decode("utf-8-sig"))))
    assert rows[0] == [
        "承诺编码", "承诺人名称", "承诺人类别", "承诺人代码", "法定代表人", "承诺类型", "承诺事由", "承诺内容",
        "违诺责任", "承诺作出日期", "承诺有效期", "承诺履行状态", "未履行的承诺内容", "违诺责任追究内容",
        "承诺履行状态认定日期", "承诺履行状态认定单位", "承诺履行状态认定单位代码", "承诺受理单位",
        "承诺受理单位代码", "公开类型", "数据来源单位", "备注",
    ]  # fmt: skip
    mine = dict(zip(rows[0], next(r for r in rows if r[0] == number), strict=True))
    item = services.catalogue.items["SCJG-002"]
    assert mine["承诺人名称"] == "阿合奇县天山商贸有限公司" and mine["承诺人类别"] == "法人及非法人组织"
    assert mine["承诺类型"] == "主动型" and mine["承诺事由"] == item.name.zh
    assert mine["违诺责任"] == item.notice.liability.zh and mine["法定代表人"]
    assert mine["承诺受理单位"] == mine["数据来源单位"] == "阿合奇县市场监督管理局"
    assert mine["公开类型"] == "可向社会公开" and mine["承诺作出日期"] == clock.today().isoformat()
    assert mine["承诺履行状态"] == "" and mine["备注"] == "信用承诺"

    plain = await client.get("/api/publications/export", params={"state": "due", "format": "csv"}, headers=clerk)
    header = next(csv.reader(io.StringIO(plain.content.decode("utf-8-sig"))))
    assert header[:3] == ["kind", "number", "subject"] and "commitment_category" in header
