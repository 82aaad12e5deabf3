"""In the browser: an administrator uploads the department's seal, a clerk accepts a letter, and the
department's seal and the acceptance date appear in its block of the PDF, countersigned."""

from __future__ import annotations

import io
import os
import subprocess
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from PIL import Image
from playwright.sync_api import Page, expect
from pyhanko.pdf_utils.reader import PdfFileReader

from api.runtime import write_session
from api.services.auth import Role
from api.services.seals import store_seal
from forms.clock import BEIJING
from forms.countersign import COUNTERSIGN_FIELD, seal_box
from forms.seal import SEAL_FIELD, Verdict
from tests.pages.conftest import Platform, log_in, screenshot
from tests.pages.test_letter_flow import _move

DEPARTMENT = "WLJ"
ITEM = "WLJ-001"


def _seal_png(path: Path) -> Path:
    """A seal an office would scan: a red ring on a transparent ground, 400 px."""
    image = Image.new("RGBA", (400, 400), (255, 255, 255, 0))
    pixels = image.load()
    for x in range(400):
        for y in range(400):
            if 170**2 <= (x - 200) ** 2 + (y - 200) ** 2 <= 190**2 or (x + y) % 37 == 0:
                pixels[x, y] = (200, 16, 28, 255)  # type: ignore[index]
    image.save(path, "PNG")
    return path


def test_an_admin_uploads_the_seal_and_a_bad_file_is_told(page: Page, platform: Platform, tmp_path: Path) -> None:
    log_in(page, *platform.staff(role=Role.admin))
    page.get_by_role("link", name="部门印章").click()
    expect(page.get_by_role("heading", name="部门印章", exact=True)).to_be_visible()
    form = page.get_by_role("region", name="上传印章图片")

    not_png = tmp_path / "seal.png"
    not_png.write_bytes(b"GIF89a" + bytes(500))
    form.get_by_label("部门").select_option(DEPARTMENT)
    form.get_by_label("印章图片（PNG）").set_input_files(str(not_png))
    form.get_by_role("button", name="上传").click()
    expect(page.get_by_role("alert")).to_have_text("印章图片必须是 PNG 文件。")

    big = tmp_path / "big.png"
    big.write_bytes(b"\x89PNG\r\n\x1a\n" + os.urandom(530 * 1024))
    form.get_by_label("部门").select_option(DEPARTMENT)
    form.get_by_label("印章图片（PNG）").set_input_files(str(big))
    form.get_by_role("button", name="上传").click()
    expect(page.get_by_role("alert")).to_have_text("印章图片不能超过 512 KB。")

    form.get_by_label("部门").select_option(DEPARTMENT)
    form.get_by_label("印章图片（PNG）").set_input_files(str(_seal_png(tmp_path / "good.png")))
    form.get_by_role("button", name="上传").click()
    expect(page.get_by_role("status")).to_contain_text("印章图片已保存")
    row = page.get_by_role("row").filter(has=page.locator("img.seal-preview"))
    expect(row.first).to_be_visible()
    screenshot(page, "admin-seals")


def test_a_clerk_accepts_a_letter_and_the_departments_seal_appears_on_the_pdf(
    page: Page, platform: Platform, tmp_path: Path
) -> None:
    with write_session(platform.services) as session:  # the seal an administrator uploaded (the test above)
        png = _seal_png(tmp_path / "seal.png").read_bytes()
        store_seal(session, DEPARTMENT, png, by="staff:admin", known=[DEPARTMENT])
    number = str(platform.submit(platform.item(ITEM))["number"])
    log_in(page, *platform.staff(DEPARTMENT))
    page.goto(f"/letters/{number}")
    expect(page.locator("#countersignature")).to_have_text("行政机关尚未会签：受理时自动加盖本部门电子签章。")
    before = page.request.get(f"/api/letters/{number}/pdf").body()

    _move(page, "受理", "已受理")
    expect(page.locator("#countersignature")).to_have_text("行政机关会签：印章有效，盖章后没有改动")
    expect(page.locator("#seal")).to_have_text("印章有效，盖章后没有改动")
    screenshot(page, "letter-countersigned")

    # the PDF the page shows (and the applicant downloads) is the countersigned one
    pdf = page.request.get(f"/api/letters/{number}/pdf").body()
    assert pdf != before and pdf.startswith(before)
    reader = PdfFileReader(io.BytesIO(pdf))
    assert [s.field_name for s in reader.embedded_signatures] == [SEAL_FIELD, COUNTERSIGN_FIELD]
    with ThreadPoolExecutor(1) as thread:  # Playwright's loop runs in this one
        check = thread.submit(platform.services.sealer.verify, pdf).result()
    assert check.verdict is Verdict.intact and check.countersignature is not None
    assert check.countersignature.department_code == DEPARTMENT

    # in the department's block: the acceptance date as text, and an image, where the box was
    place = seal_box(PdfFileReader(io.BytesIO(before)))
    assert place is not None
    path = tmp_path / f"{number}.pdf"
    path.write_bytes(pdf)
    assert check.countersignature.signed_at is not None
    accepted_on = check.countersignature.signed_at.astimezone(BEIJING).date().isoformat()
    x1, y1, x2, y2 = place.box
    cropped = subprocess.run(
        ["pdftotext", "-f", str(place.page + 1), "-l", str(place.page + 1), "-x", str(x1),
         "-y", str(round(841.89 - y2)), "-W", str(x2 - x1), "-H", str(y2 - y1), str(path), "-"],
        capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip
    assert accepted_on in cropped
    page_text = subprocess.run(
        ["pdftotext", "-f", str(place.page + 1), "-l", str(place.page + 1), str(path), "-"],
        capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip
    assert "行政机关：" in page_text
    listed = subprocess.run(
        ["pdfimages", "-list", "-f", str(place.page + 1), "-l", str(place.page + 1), str(path)],
        capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip
    assert any(line.split()[3:5] == ["400", "400"] for line in listed.splitlines()[2:])  # the uploaded seal
