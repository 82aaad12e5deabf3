"""The account's menu and `chengnuo wechat menu`, against a fake WeChat served on a real port."""

from __future__ import annotations

from pathlib import Path

from bot.wechat.menu import MENU_HELP, MENU_LETTERS, MENU_NEW, NAME_LIMIT, menu
from tests.bot.wechat import FakeWeChatApi, settings_for
from tests.cli import chengnuo
from tests.served import served


def test_three_click_buttons_with_short_names() -> None:
    buttons = menu()["button"]
    assert [b["key"] for b in buttons] == [MENU_NEW, MENU_LETTERS, MENU_HELP]
    assert {b["type"] for b in buttons} == {"click"}
    assert [b["name"] for b in buttons] == ["新建承诺", "我的承诺书", "帮助·语言"]
    assert all(len(b["name"].encode()) <= NAME_LIMIT for b in buttons)


def test_the_command_posts_the_menu_and_says_so_in_one_line(tmp_path: Path) -> None:
    settings = settings_for(safe=False)
    api = FakeWeChatApi(settings)
    assert settings.app_id and settings.app_secret and settings.token
    with served(api.asgi()) as url:
        done = chengnuo(
            "wechat", "menu", CHENGNUO_DATA_DIR=tmp_path, WECHAT_API_URL=url, WECHAT_APP_ID=settings.app_id,
            WECHAT_APP_SECRET=settings.app_secret.get_secret_value(), WECHAT_TOKEN=settings.token.get_secret_value(),
        )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert done.stdout == 'menu created: {"errcode": 0, "errmsg": "ok"}\n'
    assert api.menus == [menu()]


def test_the_command_says_what_is_missing(tmp_path: Path) -> None:
    done = chengnuo("wechat", "menu", CHENGNUO_DATA_DIR=tmp_path, WECHAT_APP_ID="wx1")
    assert done.returncode == 2
    assert done.stderr == "WeChat is not configured: set WECHAT_APP_ID, WECHAT_APP_SECRET and WECHAT_TOKEN.\n"


def test_a_refusal_is_one_line(tmp_path: Path) -> None:
    settings = settings_for(safe=False)
    api = FakeWeChatApi(settings)
    with served(api.asgi()) as url:
        done = chengnuo("wechat", "menu", CHENGNUO_DATA_DIR=tmp_path, WECHAT_API_URL=url, WECHAT_APP_ID="wx-other",
                        WECHAT_APP_SECRET="s", WECHAT_TOKEN="t")  # fmt: skip
    assert done.returncode == 1
    assert done.stderr == "WeChat refused the menu: 40013: invalid appid\n"
