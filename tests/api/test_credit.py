"""The credit gate: the dishonesty list, imported all or nothing, bars the commitment route."""

from __future__ import annotations

import subprocess
from pathlib import Path

import httpx
from sqlmodel import Session, select

from api.runtime import Services
from api.services.auth import Role
from api.store import CreditRecord
from forms.languages import Lang
from forms.sample import SAMPLE_AGENT_ID, SAMPLE_ID
from tests.api.conftest import body, key, submission_for
from tests.api.staffing import bearer, make_staff
from tests.cli import chengnuo

CODE = "91350100M000100Y43"
PERSON_ROW = f"{SAMPLE_ID},张明华,拒不履行法院判决,2026-01-05\n"
GOOD = f"id_number,name,reason,listed_on\n{PERSON_ROW}{CODE},某某商贸有限公司,严重失信,2025-12-01\n"


async def check(client: httpx.AsyncClient, number: str) -> dict[str, object]:
    answer = await client.post("/api/credit/check", json={"id_number": number})
    assert answer.status_code == 200, answer.text
    return answer.json()  # type: ignore[no-any-return]


async def upload(client: httpx.AsyncClient, admin: dict[str, str], csv: str, *, dry_run: bool) -> httpx.Response:
    files = {"file": ("list.csv", csv.encode(), "text/csv")}
    return await client.post("/api/credit/imports", params={"dry_run": dry_run}, files=files, headers=admin)


async def test_import_check_and_gate(client: httpx.AsyncClient, services: Services) -> None:
    admin = await bearer(client, *make_staff(services, role=Role.admin))
    # no list imported yet: nothing to be clean on, so eligible and no more
    assert await check(client, SAMPLE_ID) == {"eligible": True, "reason": "eligible"}

    preview = (await upload(client, admin, GOOD, dry_run=True)).json()
    assert (preview["added"], preview["applied"], preview["problems"]) == (2, False, [])
    assert (await check(client, SAMPLE_ID))["eligible"] is True  # a dry run changes nothing

    applied = (await upload(client, admin, GOOD, dry_run=False)).json()
    assert (applied["added"], applied["applied"]) == (2, True)
    assert await check(client, "653022 19900315 0016") == {"eligible": False, "reason": "dishonest"}
    assert (await check(client, CODE))["reason"] == "dishonest"
    assert await check(client, SAMPLE_AGENT_ID) == {"eligible": True, "reason": "green_channel"}  # not on it

    item = services.catalogue.items["SFJ-001"]
    refused = await client.post(
        "/api/letters", json=body(submission_for(item, Lang.ug)), headers={"Idempotency-Key": key()}
    )
    assert (refused.status_code, refused.json()["code"]) == (403, "credit.dishonest")

    # the next list no longer has the person: they are eligible again, the company stays listed
    again = (
        await upload(
            client, admin, GOOD.replace(f"{SAMPLE_ID},张明华,拒不履行法院判决,2026-01-05\n", ""), dry_run=False
        )
    ).json()
    assert (again["added"], again["kept"], again["removed"]) == (0, 1, 1)
    assert await check(client, SAMPLE_ID) == {"eligible": True, "reason": "eligible"}  # listed within 3 years


async def test_a_file_that_is_not_quite_csv_is_read_or_refused_with_its_line(
    client: httpx.AsyncClient, services: Services
) -> None:
    """Line ends of any kind are read; a quote never closed is a problem on its line, not a 500; a NUL
    or a right-to-left override in the reason is not stored."""
    admin = await bearer(client, *make_staff(services, role=Role.admin))
    old_mac = GOOD.replace("\n", "\r")
    read = (await upload(client, admin, old_mac, dry_run=True)).json()
    assert (read["added"] + read["kept"], read["problems"]) == (2, [])  # both rows, whoever is listed now
    unclosed = GOOD + f'"{SAMPLE_AGENT_ID},李四,x,2026-01-01\n'
    refused = (await upload(client, admin, unclosed, dry_run=True)).json()
    assert [(p["line"], p["reason"]) for p in refused["problems"]] == [(4, "csv.malformed")]
    for bare in ("\r0\r\n", '"id_number'):  # what the fuzzer sent: no header to speak of
        answer = await upload(client, admin, bare, dry_run=True)
        assert answer.status_code == 200 and answer.json()["applied"] is False, answer.text

    marked = f"id_number,name,reason,listed_on\n{SAMPLE_AGENT_ID},李四,\u202e拒不\x00履行,2026-01-05\n"
    applied = (await upload(client, admin, marked, dry_run=False)).json()
    assert applied["applied"] is True, applied
    with Session(services.engine) as session:
        listed = session.exec(select(CreditRecord).where(CreditRecord.subject_name == "李四")).one()
    assert listed.reason == "拒不履行"
    await upload(client, admin, "id_number,name,reason,listed_on\n", dry_run=False)  # nobody listed again


async def test_an_import_with_a_bad_row_changes_nothing(client: httpx.AsyncClient, services: Services) -> None:
    admin = await bearer(client, *make_staff(services, role=Role.admin))
    bad = GOOD + "11010519491231002Y,李四,x,2026-01-01\n110105194912310021,张三,x,2099-01-01\n"
    report = (await upload(client, admin, bad, dry_run=False)).json()
    assert report["applied"] is False
    assert [(p["line"], p["column"], p["reason"]) for p in report["problems"]] == [
        (4, "id_number", "id.chars"),
        (5, "id_number", "id.checksum"),
        (5, "listed_on", "date.future"),
    ]
    headerless = (await upload(client, admin, "a,b\n1,2\n", dry_run=True)).json()
    assert headerless["problems"][0]["reason"] == "header.missing_columns"
    clerk = await bearer(client, *make_staff(services, departments=("SFJ",)))
    assert (await upload(client, clerk, GOOD, dry_run=True)).status_code == 403


async def test_a_broken_letter_bars_its_subject_until_repaired(client: httpx.AsyncClient, services: Services) -> None:
    item = services.catalogue.items["SCJG-002"]  # an organisation's letter: credit code 91653022MA7XK2Q1A…
    made = (
        await client.post("/api/letters", json=body(submission_for(item)), headers={"Idempotency-Key": key()})
    ).json()
    clerk = await bearer(client, *make_staff(services, departments=("SCJG",)))
    url = f"/api/letters/{made['number']}/transitions"
    for step in ("accepted", "completed", "broken"):
        assert (
            await client.post(url, json={"to": step, "reason": "核查发现承诺不实"}, headers=clerk)
        ).status_code == 201
    from forms.sample import SAMPLE_CODE

    assert await check(client, SAMPLE_CODE) == {"eligible": False, "reason": "false_commitment"}
    assert (await client.post(url, json={"to": "repaired", "reason": "已整改"}, headers=clerk)).status_code == 201
    assert (await check(client, SAMPLE_CODE))["eligible"] is True
    invalid = await client.post("/api/credit/check", json={"id_number": "123"})
    assert (invalid.status_code, invalid.json()["code"]) == (422, "id.length")


def test_the_cli_imports_with_a_dry_run_first(tmp_path: Path) -> None:
    listing = tmp_path / "list.csv"
    listing.write_text(GOOD, encoding="utf-8")

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return chengnuo(*args, CHENGNUO_DATA_DIR=tmp_path)

    dry = run("credit", "import", str(listing))
    assert dry.returncode == 0 and "2 added" in dry.stdout and "dry run" in dry.stdout
    applied = run("credit", "import", str(listing), "--apply")
    assert applied.returncode == 0 and "2 added" in applied.stdout and "applied" in applied.stdout
    again = run("credit", "import", str(listing), "--apply")
    assert "0 added, 2 kept" in again.stdout
    listing.write_text(GOOD + "123,x,y,2026-01-01\n", encoding="utf-8")
    bad = run("credit", "import", str(listing), "--apply")
    assert bad.returncode == 1 and f"{listing}:4: id_number: id.length" in bad.stderr
