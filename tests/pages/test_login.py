"""Logging in and out, and what a wrong password does."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from tests.pages.conftest import Platform, log_in, screenshot


def test_a_clerk_logs_in_sees_the_day_and_logs_out(page: Page, platform: Platform) -> None:
    username, password = platform.staff("SFJ")
    page.goto("/")
    expect(page).to_have_url(f"{platform.url}/login?next=%2F")
    screenshot(page, "login")
    log_in(page, username, password)
    expect(page.get_by_role("heading", name="今日工作")).to_be_visible()
    screenshot(page, "dashboard")
    page.get_by_role("button", name="退出").click()
    expect(page).to_have_url(f"{platform.url}/login")
    page.goto("/")
    expect(page.get_by_role("heading", name="窗口工作人员登录")).to_be_visible()
