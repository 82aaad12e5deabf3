"""Administrators' pages: windows, accounts, one-time passwords, deactivation; clerks kept out."""

from __future__ import annotations

import re
import secrets

from playwright.sync_api import Page, expect

from api.services.auth import Role
from tests.pages.conftest import Platform, log_in, screenshot

SFJ, MZJ = "阿合奇县司法局", "阿合奇县民政局"  # two departments of the catalogue, as the page names them


def unique(prefix: str) -> str:
    """The server lives for the whole session: every test makes names of its own."""
    return f"{prefix}.{secrets.token_hex(3)}"


def log_out(page: Page) -> None:
    page.get_by_role("button", name="退出").click()
    expect(page).to_have_url(re.compile(r"/login$"))


def csrf_token(page: Page) -> str:
    return page.locator("input[name=csrf_token]").first.input_value()


def add_window(page: Page, name: str, *departments: str) -> None:
    page.goto("/admin/windows")
    form = page.get_by_role("region", name="新增窗口")
    form.get_by_label("窗口名称").fill(name)
    for department in departments:
        form.get_by_label(department).check()
    form.get_by_role("button", name="保存窗口").click()
    expect(page.get_by_role("status")).to_have_text("窗口已保存。")


def add_clerk(page: Page, username: str, window: str) -> str:
    """The new account's one-time password, read from the page that shows it once."""
    page.goto("/admin/staff")
    form = page.get_by_role("region", name="新增账号")
    form.get_by_label("用户名").fill(username)
    form.get_by_label("姓名").fill("阿依古丽")
    form.locator("select[name=window]").select_option(label=window)
    form.get_by_role("button", name="新增账号").click()
    expect(page.get_by_role("heading", name="账号已新增")).to_be_visible()
    return page.get_by_role("textbox", name="一次性密码").input_value()


def test_an_admin_sets_up_a_window_and_a_clerk_until_the_clerk_is_deactivated(page: Page, platform: Platform) -> None:
    admin = platform.staff(role=Role.admin)
    window, clerk = unique("窗口"), unique("clerk")
    log_in(page, *admin)
    add_window(page, window, SFJ, MZJ)
    row = page.get_by_role("row").filter(has=page.get_by_role("rowheader", name=window, exact=True))
    expect(row).to_contain_text(SFJ)
    expect(row).to_contain_text(MZJ)
    screenshot(page, "admin-windows")

    password = add_clerk(page, clerk, window)
    assert len(password) == 19
    expect(page.get_by_text("这个密码只显示这一次")).to_be_visible()
    expect(page.get_by_role("button", name="复制")).to_be_visible()
    page.goto("/admin/staff")
    listed = page.get_by_role("row").filter(has_text=clerk)
    expect(listed).to_contain_text(window)
    expect(listed).to_contain_text("一次性密码")
    expect(page.get_by_text(password)).to_have_count(0)  # shown once, never listed
    screenshot(page, "admin-staff")
    log_out(page)

    # the clerk's first login leads to replacing the one-time password, then to the day's work
    log_in(page, clerk, password)
    expect(page).to_have_url(f"{platform.url}/password")
    page.get_by_label("当前密码").fill(password)
    page.get_by_label("新密码（至少 10 个字符）").fill("a-longer-secret-of-mine")
    page.get_by_label("再输入一次新密码").fill("a-longer-secret-of-mine")
    page.get_by_role("button", name="保存新密码").click()
    expect(page.get_by_role("heading", name="今日工作")).to_be_visible()
    log_out(page)

    log_in(page, *admin)
    page.goto("/admin/staff")
    page.get_by_role("link", name=f"管理 {clerk}").click()
    expect(page.get_by_role("heading", name=f"账号 {clerk}")).to_be_visible()
    page.get_by_role("button", name=f"停用账号 {clerk}").click()
    expect(page.get_by_role("status")).to_have_text("这个账号已停用，不能再登录。")
    log_out(page)

    page.get_by_label("用户名").fill(clerk)
    page.get_by_label("密码").fill("a-longer-secret-of-mine")
    page.get_by_role("button", name="登录").click()
    expect(page.get_by_role("alert")).to_have_text("用户名或密码不对。")


def test_a_reset_password_replaces_the_old_one(page: Page, platform: Platform) -> None:
    admin_name, admin_password = platform.staff(role=Role.admin)
    clerk, old_password = platform.staff("SFJ")
    log_in(page, admin_name, admin_password)
    page.goto(f"/admin/staff/{admin_name}")
    expect(page.get_by_text("这是您自己的账号。")).to_be_visible()
    expect(page.get_by_role("button", name="停用账号")).to_have_count(0)  # no deactivating oneself

    page.goto(f"/admin/staff/{clerk}")
    page.get_by_role("button", name=f"重置密码 {clerk}").click()
    expect(page.get_by_role("heading", name="密码已重置")).to_be_visible()
    new_password = page.get_by_role("textbox", name="一次性密码").input_value()
    log_out(page)

    page.get_by_label("用户名").fill(clerk)
    page.get_by_label("密码").fill(old_password)
    page.get_by_role("button", name="登录").click()
    expect(page.get_by_role("alert")).to_have_text("用户名或密码不对。")
    log_in(page, clerk, new_password)
    expect(page).to_have_url(f"{platform.url}/password")


def test_an_account_is_added_with_the_keyboard_alone(page: Page, platform: Platform) -> None:
    log_in(page, *platform.staff(role=Role.admin))
    page.goto("/admin/staff")
    username = unique("keys")

    def tab_to(selector: str) -> None:
        for _ in range(400):  # the account list above the form grows with every test
            page.keyboard.press("Tab")
            if page.evaluate("(s) => document.activeElement.matches(s)", selector):
                return
        raise AssertionError(f"Tab never reached {selector}")

    tab_to("input[name=username]")
    page.keyboard.type(username)
    page.keyboard.press("Tab")
    page.keyboard.type("信用办")
    page.keyboard.press("Enter")  # a window clerk without a window: refused, the form kept
    expect(page.get_by_role("alert")).to_have_text("窗口工作人员必须属于一个窗口。")
    expect(page.get_by_label("用户名")).to_have_value(username)

    tab_to("select[name=role]")
    page.keyboard.press("ArrowDown")  # 管理员
    tab_to("button[type=submit].primary")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="账号已新增")).to_be_visible()
    expect(page.locator("dl.facts")).to_contain_text("管理员")


def test_bad_input_is_told_with_the_form_kept(page: Page, platform: Platform) -> None:
    log_in(page, *platform.staff(role=Role.admin))
    page.goto("/admin/windows")
    form = page.get_by_role("region", name="新增窗口")
    name = unique("窗口")
    form.get_by_label("窗口名称").fill(name)
    with page.expect_response(lambda r: r.request.method == "POST") as posted:
        form.get_by_role("button", name="保存窗口").click()
    assert posted.value.status == 422
    expect(page.get_by_role("alert")).to_have_text("请至少选择一个部门。")
    expect(page.get_by_role("region", name="新增窗口").get_by_label("窗口名称")).to_have_value(name)

    token = csrf_token(page)
    refused = [  # what the browser's own checks would stop, sent as another client could
        ("/admin/windows", {"name": " ", "departments": "SFJ"}, "请填写窗口名称"),
        ("/admin/windows", {"name": name, "departments": "NOPE"}, "没有这个部门。"),
        ("/admin/staff", {"username": "a b", "role": "admin"}, "用户名要 2 至 64 个字符"),
        ("/admin/staff", {"username": "ab", "role": "boss"}, "表单填写不完整"),
    ]
    for url, fields, said in refused:
        answer = page.request.post(url, form={"csrf_token": token, **fields})
        assert answer.status == 422 and said in answer.text(), (url, fields, answer.status)

    taken = platform.staff("SFJ")[0]
    page.goto("/admin/staff")
    form = page.get_by_role("region", name="新增账号")
    form.get_by_label("用户名").fill(taken)
    form.get_by_role("combobox", name="角色").select_option("admin")
    form.get_by_role("button", name="新增账号").click()
    expect(page.get_by_role("alert")).to_have_text("这个用户名已经有人用了。")
    expect(page.get_by_role("region", name="新增账号").get_by_label("用户名")).to_have_value(taken)


def test_window_clerks_and_forged_forms_are_refused(page: Page, platform: Platform) -> None:
    log_in(page, *platform.staff("SFJ"))
    for url in ("/admin/staff", "/admin/windows", "/credit"):
        answer = page.goto(url)
        assert answer is not None and answer.status == 403, url
        expect(page.get_by_role("alert")).to_have_text("您的账号没有这项权限。")
    expect(page.get_by_role("link", name="工作人员")).to_have_count(0)  # nor in the clerk's menu
    log_out(page)

    log_in(page, *platform.staff(role=Role.admin))
    username = unique("forged")
    forged = page.request.post("/admin/staff", form={"username": username, "role": "admin"})
    assert forged.status == 403 and "页面已过期" in forged.text()
    page.goto("/admin/staff")
    expect(page.get_by_text(username)).to_have_count(0)


def test_the_pages_follow_the_language(page: Page, platform: Platform) -> None:
    log_in(page, *platform.staff(role=Role.admin))
    for lang, direction in (("ug", "rtl"), ("ky", "ltr")):
        page.goto(f"/language/{lang}?next=/admin/windows")
        expect(page.locator("html")).to_have_attribute("dir", direction)
        expect(page.locator("form input[name=departments]").first).to_be_attached()
