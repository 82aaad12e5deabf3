"""The dishonesty list's page: upload, preview, apply once; a bad file is refused whole."""

from __future__ import annotations

import random
import secrets
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import FilePayload, Page, expect
from stdnum.cn import ric

from api.errors import ApiError
from api.pii import Vault
from api.services.auth import Role
from api.services.credit import MAX_IMPORT, import_as
from api.services.pending_imports import PendingImports
from tests.pages.conftest import SERVICE_TOKEN, Platform, log_in, screenshot

HEADER = "id_number,name,reason,listed_on\n"


def resident_id() -> str:
    """A valid resident ID of nobody the other tests use (not forms.sample's SAMPLE_ID)."""
    born = date(1960, 1, 1) + timedelta(days=random.randrange(40 * 365))
    body = f"653022{born:%Y%m%d}{random.randrange(100, 999)}"
    return body + ric.calc_check_digit(body + "?")  # it reads all but the last character


@pytest.fixture(autouse=True)
def empty_list(platform: Platform) -> Iterator[None]:
    """The import replaces the whole list: each test leaves it empty for whoever comes next."""
    yield
    report = import_as(platform.services, "tests", HEADER.encode(), dry_run=False)
    assert report.applied


def check(platform: Platform, id_number: str) -> dict[str, object]:
    answer = httpx.post(
        f"{platform.url}/api/credit/check",
        json={"id_number": id_number},
        headers={"Authorization": f"Bearer {SERVICE_TOKEN}"},
    )
    assert answer.status_code == 200, answer.text
    return answer.json()  # type: ignore[no-any-return]


def upload(page: Page, content: bytes, name: str = "名单.csv") -> None:
    page.goto("/credit")
    chosen: FilePayload = {"name": name, "mimeType": "text/csv", "buffer": content}
    page.get_by_label("名单文件（CSV）").set_input_files(files=[chosen])
    page.get_by_role("button", name="上传并预览").click()


def test_a_list_is_previewed_then_applied_once(page: Page, platform: Platform) -> None:
    first, second = resident_id(), resident_id()
    listing = f"{HEADER}{first},古丽米拉,拒不履行法院判决,2026-01-05\n{second},阿不都热合曼,严重失信,2025-12-01\n"
    log_in(page, *platform.staff(role=Role.admin))
    upload(page, listing.encode())
    expect(page.get_by_role("heading", name="预览失信名单")).to_be_visible()
    counts = page.locator(".counts")
    expect(counts.locator(".count").nth(0)).to_have_text("2名单行数")
    expect(counts.locator(".count").nth(1)).to_have_text("2将新增")
    apply = page.get_by_role("button", name="确认导入")
    expect(apply).to_be_visible()
    screenshot(page, "credit-preview")
    assert check(platform, first)["eligible"] is True  # nothing changes before "apply"

    fields = ("csrf_token", "token", "sha256")
    form: dict[str, str | float | bool] = {n: page.locator(f"main input[name={n}]").input_value() for n in fields}
    apply.click()
    expect(page.get_by_role("heading", name="名单已导入")).to_be_visible()
    expect(page.locator(".count").nth(1)).to_have_text("2已新增")
    assert check(platform, first) == {"eligible": False, "reason": "dishonest"}
    assert check(platform, second)["eligible"] is False

    again = page.request.post("/credit/apply", form=form)  # the kept file went with the import
    assert again.status == 410 and "预览已过期，请重新上传名单。" in again.text()
    page.goto("/credit")
    expect(page.get_by_text("名单上现有失信主体：")).to_contain_text("2")


def test_a_list_with_a_bad_row_shows_the_line_and_cannot_be_applied(page: Page, platform: Platform) -> None:
    good, bad = resident_id(), resident_id()
    wrong_digit = bad[:-1] + ("0" if bad[-1] != "0" else "1")
    listing = f"{HEADER}{good},古丽米拉,拒不履行法院判决,2026-01-05\n{wrong_digit},李四,严重失信,2099-01-01\n"
    log_in(page, *platform.staff(role=Role.admin))
    with page.expect_response(lambda r: r.request.method == "POST") as answer:
        upload(page, listing.encode())
    assert answer.value.status == 422
    expect(page.get_by_role("alert")).to_contain_text("整个名单都不能导入")
    problems = page.get_by_role("region", name="问题").get_by_role("row")
    expect(problems.nth(1)).to_contain_text("3")
    expect(problems.nth(1)).to_contain_text("居民身份证号码的校验位不符")
    expect(problems.nth(2)).to_contain_text("日期不能晚于今天。")
    expect(page.get_by_role("button", name="确认导入")).to_have_count(0)
    assert check(platform, good)["eligible"] is True  # all or nothing

    upload(page, f"{HEADER}{good},古丽米拉,失信,2026-01-05\n".encode("gb18030"))  # Excel's default "CSV"
    expect(page.get_by_role("row").nth(1)).to_contain_text("不是 UTF-8 编码")
    expect(page.get_by_role("button", name="确认导入")).to_have_count(0)


def test_what_is_no_list_is_refused_with_the_form_again(page: Page, platform: Platform) -> None:
    log_in(page, *platform.staff(role=Role.admin))
    upload(page, b"%PDF-1.7\n...", name="名单.pdf")
    expect(page.get_by_role("alert")).to_have_text("文件格式不对。")
    expect(page.get_by_role("button", name="上传并预览")).to_be_visible()
    upload(page, b"")
    expect(page.get_by_role("alert")).to_have_text("文件是空的。")

    token = page.locator("input[name=csrf_token]").first.input_value()
    huge: FilePayload = {"name": "名单.csv", "mimeType": "text/csv", "buffer": HEADER.encode() + b"x" * MAX_IMPORT}
    answer = page.request.post("/credit", multipart={"csrf_token": token, "file": huge})
    assert answer.status == 422 and "文件太大。" in answer.text()
    small: FilePayload = {"name": "名单.csv", "mimeType": "text/csv", "buffer": HEADER.encode()}
    forged = page.request.post("/credit", multipart={"file": small})
    assert forged.status == 403

    unknown = page.request.post("/credit/apply", form={"csrf_token": token, "token": "x" * 32, "sha256": "0" * 64})
    assert unknown.status == 410 and "预览已过期，请重新上传名单。" in unknown.text()


def test_a_kept_list_is_given_once_to_whoever_kept_it_in_time(tmp_path: Path) -> None:
    vault = Vault(secrets.token_bytes(32))
    kept_lists = PendingImports(tmp_path, vault)
    kept = kept_lists.keep(b"id_number,name\n", owner="credit.admin")
    assert b"id_number" not in next(tmp_path.iterdir()).read_bytes()  # encrypted: it names people

    def refused(store: PendingImports, token: str, owner: str, digest: str) -> bool:
        with pytest.raises(ApiError) as error:
            store.take(token, owner=owner, sha256=digest)
        return (error.value.status, error.value.code) == (410, "credit.import_expired")

    assert refused(kept_lists, kept.token, "someone.else", kept.sha256)
    assert refused(kept_lists, kept.token, "credit.admin", "0" * 64)  # not the file the preview showed
    assert refused(kept_lists, "../../etc/passwd", "credit.admin", kept.sha256)
    assert kept_lists.take(kept.token, owner="credit.admin", sha256=kept.sha256) == b"id_number,name\n"
    assert refused(kept_lists, kept.token, "credit.admin", kept.sha256)  # once
    assert not any(tmp_path.iterdir())

    stale = PendingImports(tmp_path, vault, lifetime=timedelta(seconds=-1))
    late = stale.keep(b"id_number\n", owner="credit.admin")
    assert refused(stale, late.token, "credit.admin", late.sha256)
    assert not any(tmp_path.iterdir())
