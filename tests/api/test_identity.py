"""Identity numbers through the API: one canonical form for the credit gate, the store and the search,
whatever kind of document is chosen and however the number is typed."""

from __future__ import annotations

import httpx
import pytest
from sqlmodel import Session, select
from stdnum.cn import ric

from api.runtime import Services, write_session
from api.services.auth import Role
from api.services.credit import import_list
from api.services.documents import stored_letter
from api.store import LetterRecord
from forms.catalogue import Item
from forms.languages import Lang
from forms.letter import content_hash
from forms.sample import SAMPLE_PHONE
from forms.validation.normalize import normalize_text
from tests.api.conftest import body, key, submission_for
from tests.api.staffing import bearer, make_staff
from tests.forms.pdf_reading import pdf_text


def with_check(body: str) -> str:
    return body + ric.calc_check_digit(body + "0")


# A listed person whose number ends in X, so that typing it in lower case is a different string.
LISTED = next(n for n in (with_check(f"65302219780101{i:03d}") for i in range(1000)) if n.endswith("X"))
LISTED_PASSPORT = "EA7654321"
LISTED_PERMIT = "H87654321"  # a Hong Kong resident's Home Return Permit, as listed
TYPINGS = [LISTED, LISTED.lower(), f"{LISTED[:6]} {LISTED[6:14]} {LISTED[14:]}", f"{LISTED[:6]}-{LISTED[6:]}",
           f"\u2066{LISTED}\u2069"]  # fmt: skip
LIST = (
    "id_number,name,reason,listed_on,id_type\n"
    f"{LISTED},马建国,法院判决未履行,2025-06-01,\n"
    f"{LISTED_PASSPORT},王小明,法院判决未履行,2025-06-01,passport\n"
    f"{LISTED_PERMIT}01,陈大文,法院判决未履行,2025-06-01,hk_macao_permit\n"
)


# The kinds of document a person commits with (forms.validation.PERSON_DOCUMENTS), as the API names them.
PERSON_DOCUMENTS = ["resident_id", "passport", "hk_macao_permit", "taiwan_permit", "residence_permit",
                    "permanent_residence", "foreign_passport"]  # fmt: skip


def person(item: Item, id_type: str, id_number: str, name: str = "马建国", phone: str = SAMPLE_PHONE) -> dict[str, str]:
    """The applicant as the bot sends it."""
    kind = item.applicant_kinds[0].value
    return {"kind": kind, "name": name, "id_type": id_type, "id_number": id_number, "phone": phone}


async def submit(
    client: httpx.AsyncClient, item: Item, applicant: dict[str, str], answers: dict[str, str] | None = None
) -> httpx.Response:
    extra = {"answers": answers} if answers is not None else {}
    submission = submission_for(item, Lang.zh, applicant=applicant, **extra)
    signature = submission.signature.model_copy(update={"typed_name": normalize_text(applicant["name"])})
    return await client.post(
        "/api/letters", json=body(submission.model_copy(update={"signature": signature})),
        headers={"Idempotency-Key": key()},
    )  # fmt: skip


@pytest.fixture(scope="module")
def listed(services: Services) -> None:
    """The credit office's list, imported as the admin's upload is (the id_type column is optional)."""
    with write_session(services) as session:
        report = import_list(session, services.vault, LIST.encode(), batch="test", dry_run=False)
    assert report.applied and not report.problems, report


async def test_the_list_names_the_kind_of_each_document(client: httpx.AsyncClient, services: Services) -> None:
    admin = await bearer(client, *make_staff(services, role=Role.admin))
    bad = LIST + "E12345678,李四,x,2026-01-01,\nE12345678,李四,x,2026-01-01,visa\n"
    files = {"file": ("list.csv", bad.encode(), "text/csv")}
    report = (await client.post("/api/credit/imports", params={"dry_run": True}, files=files, headers=admin)).json()
    assert [(p["line"], p["column"], p["reason"]) for p in report["problems"]] == [
        (5, "id_number", "id.length"),  # no kind: a resident ID or a credit code, as before
        (6, "id_type", "choice.unknown"),
        (6, "id_number", "id.length"),
    ]


@pytest.mark.parametrize("kind", PERSON_DOCUMENTS)
async def test_a_listed_person_is_refused_whatever_kind_they_choose_and_however_they_type(
    client: httpx.AsyncClient, services: Services, listed: None, kind: str
) -> None:
    item = services.catalogue.items["SFJ-001"]
    for typed in TYPINGS:
        refused = await submit(client, item, person(item, kind, typed))
        assert (refused.status_code, refused.json()["code"]) == (403, "credit.dishonest"), (kind, typed)
    with Session(services.engine) as session:
        assert session.exec(select(LetterRecord).where(LetterRecord.applicant_name == "马建国")).first() is None


async def test_listed_documents_of_other_kinds_are_caught_under_any_kind(
    client: httpx.AsyncClient, services: Services, listed: None
) -> None:
    item = services.catalogue.items["SFJ-001"]
    for kind, typed in [
        ("passport", "ea 765 4321"),
        ("foreign_passport", LISTED_PASSPORT.lower()),
        ("hk_macao_permit", "h8765432102"),  # the same permit after two renewals
        ("foreign_passport", f"{LISTED_PERMIT}01"),
    ]:
        refused = await submit(client, item, person(item, kind, typed, name="王小明"))
        assert (refused.status_code, refused.json()["code"]) == (403, "credit.dishonest"), (kind, typed)
        asked = await client.post("/api/credit/check", json={"id_number": typed, "id_type": kind})
        assert asked.json() == {"eligible": False, "reason": "dishonest"}, (kind, typed)


async def test_the_credit_check_takes_the_kind_and_keeps_the_old_question_valid(
    client: httpx.AsyncClient, services: Services, listed: None
) -> None:
    asked = await client.post("/api/credit/check", json={"id_number": TYPINGS[2]})  # no kind: a resident ID
    assert asked.json() == {"eligible": False, "reason": "dishonest"}
    for kind, typed, reason in [
        ("passport", LISTED, "document.is_resident_id"),  # sent back to the resident ID, not waved through
        ("passport", "X1", "passport.format"),
        ("other", "anything", "choice.unknown"),
    ]:
        refused = await client.post("/api/credit/check", json={"id_number": typed, "id_type": kind})
        assert (refused.status_code, refused.json()["code"]) == (422, reason), (kind, typed)
    fine = await client.post("/api/credit/check", json={"id_number": "E12345678", "id_type": "passport"})
    assert fine.json()["eligible"] is True


async def test_the_window_finds_a_letter_by_its_number_typed_any_way(
    client: httpx.AsyncClient, services: Services
) -> None:
    item = services.catalogue.items["MZJ-001"]
    resident = with_check("65302219850704002")
    filed = {
        "passport": ("E24681357", ["e 2468 1357", "\u2066E24681357\u2069", "Ｅ２４６８１３５７"]),
        "hk_macao_permit": ("M13572468", ["m1357246803", "M-13572468"]),
        "resident_id": (resident, [f"{resident[:6]} {resident[6:]}", resident.lower(), f"\u2067{resident}"]),
    }
    clerk = await bearer(client, *make_staff(services, departments=("MZJ",)))
    for kind, (printed, typings) in filed.items():
        made = await submit(client, item, person(item, kind, typings[0], name="李明"))
        assert made.status_code == 201, made.text
        number = made.json()["number"]
        shown = await client.post(f"/api/letters/{number}/reveal", headers=clerk)
        assert shown.json()["id_number"] == printed  # stored in its canonical form
        for typed in typings:
            found = await client.get("/api/letters", params={"id_number": typed}, headers=clerk)
            assert number in {letter["number"] for letter in found.json()["items"]}, (kind, typed)


async def test_letter_numbers_and_codes_pasted_from_the_bot_work_everywhere(
    client: httpx.AsyncClient, services: Services
) -> None:
    item = services.catalogue.items["WLJ-001"]
    made = (await submit(client, item, submission_for(item).applicant.model_dump(mode="json"))).json()
    number, code = made["number"], made["verify_code"]
    clerk = await bearer(client, *make_staff(services, departments=("WLJ",)))
    for typed in (f"\u2066{number}\u2069", number.lower(), number.replace("-", ""), number.replace("-", " ")):
        letter = await client.get(f"/api/letters/{typed}", headers=clerk)
        assert (letter.status_code, letter.json()["number"]) == (200, number), typed
        found = await client.get("/api/letters", params={"number": typed}, headers=clerk)
        assert [item["number"] for item in found.json()["items"]] == [number], typed
        moves = await client.get(f"/api/letters/{typed}/transitions", headers=clerk)
        assert moves.status_code == 200, typed
    for typed in (f"\u2066{code}\u2069", code.lower(), code.replace("-", "")):
        verified = await client.get(f"/api/verify/\u2066{number}\u2069", params={"code": typed})
        assert (verified.status_code, verified.json()["number"]) == (200, number), typed
    malformed = await client.get("/api/letters/SFJ-2026-00004", headers=clerk)
    assert malformed.status_code == 422
    assert malformed.json()["details"][0]["reason"] == "letter_number.format"


async def test_a_wrong_code_says_nothing_about_whether_the_number_exists(
    client: httpx.AsyncClient, services: Services
) -> None:
    item = services.catalogue.items["WLJ-001"]
    made = (await submit(client, item, submission_for(item).applicant.model_dump(mode="json"))).json()
    existing, absent = made["number"], "WLJ-2026-999999"
    public = httpx.AsyncClient(transport=client._transport, base_url="http://api.test")
    for code in ("ÄBCD-2345", "码码码码-码码码码", "ABCD-234"):  # malformed: 4xx, never 500
        answers = [await public.get(f"/api/verify/{n}", params={"code": code}) for n in (existing, absent)]
        assert [a.status_code for a in answers] == [422, 422], code
        assert answers[0].json() == answers[1].json()
    wrong = "AAAA-AAAA" if made["verify_code"] != "AAAA-AAAA" else "BBBB-BBBB"
    answers = [await public.get(f"/api/verify/{n}", params={"code": wrong}) for n in (existing, absent)]
    assert [a.status_code for a in answers] == [404, 404]
    assert answers[0].json() == answers[1].json()
    await public.aclose()


async def test_the_stored_letter_holds_the_text_that_was_checked(client: httpx.AsyncClient, services: Services) -> None:
    """A name with U+202E passed the check but was stored as typed, and printed reversed."""
    item = services.catalogue.items["SFJ-001"]
    number = with_check("65302219930202002")
    typed = person(item, "resident_id", f" {number[:6]} {number[6:]}", name="赵\u202e文\u200b静",
                   phone="+86 138-9999-0000")  # fmt: skip
    answers = {"household_size": "３", "monthly_income": "1,500", "matter_kind": "wages",
               "case_summary": "欠薪\u202e三个月\u2066"}  # fmt: skip
    naive = submission_for(item, applicant=typed, answers=answers)
    content: dict[str, object] = {
        "item_code": item.code, "commitment_type": item.commitment_type.value,
        "applicant": naive.applicant.model_dump(mode="json"), "agent": None, "answers": answers, "supplement": None,
        "commitments": [c.model_dump(mode="json") for c in item.commitments], "notice_hash": naive.notice_hash,
        "language": naive.language.value, "public": item.notice.disclosure.public,
    }  # fmt: skip
    smuggled = naive.signature.model_copy(update={"content_hash": content_hash(content), "typed_name": "赵文静"})
    refused = await client.post("/api/letters", json=body(naive.model_copy(update={"signature": smuggled})),
                                headers={"Idempotency-Key": key()})  # fmt: skip
    assert (refused.status_code, refused.json()["code"]) == (422, "signature.content_mismatch")  # signed as sent
    made = await submit(client, item, typed, answers=answers)  # hashed as the bot hashes: the canonical text
    assert made.status_code == 201, made.text
    with Session(services.engine) as session:
        record = session.exec(select(LetterRecord).where(LetterRecord.number == made.json()["number"])).one()
        letter, _ = stored_letter(services.vault, record)
    assert record.applicant_name == letter.applicant.name == "赵文静"
    assert letter.applicant.id_number == number and letter.applicant.phone == "13899990000"
    assert letter.answers == {"household_size": "3", "monthly_income": "1500", "matter_kind": "wages",
                              "case_summary": "欠薪三个月"}  # fmt: skip
    assert letter.content_hash() == letter.signature.content_hash  # type: ignore[union-attr]
    clerk = await bearer(client, *make_staff(services, departments=("SFJ",)))
    found = await client.get("/api/letters", params={"name": "文静"}, headers=clerk)
    assert made.json()["number"] in {x["number"] for x in found.json()["items"]}
    pdf = await client.get(made.json()["pdf_url"])
    text = pdf_text(pdf.content)
    assert "赵文静" in text and "\u202e" not in text and "欠薪三个月" in text


async def test_other_documents_are_no_longer_taken(client: httpx.AsyncClient, services: Services) -> None:
    item = services.catalogue.items["SFJ-001"]
    refused = await submit(client, item, person(item, "other", "X-1", name="李明"))
    assert (refused.status_code, refused.json()["code"]) == (422, "letter.invalid")
    assert {"field": "applicant.id_type", "reason": "id_type.mismatch"}.items() <= refused.json()["details"][0].items()
