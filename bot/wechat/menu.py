"""The account's custom menu: three buttons, each answered by the bridge as a CLICK event."""

from __future__ import annotations

from typing import Any

from forms.i18n import gettext_for
from forms.languages import Lang

MENU_NEW = "new"
MENU_LETTERS = "letters"
MENU_HELP = "help"
NAME_LIMIT = 16  # bytes of a top-level button's name: four Chinese characters and a bit


def menu() -> dict[str, Any]:
    """The menu for /cgi-bin/menu/create; in Chinese, as one menu serves every user and a name
    in three languages would not fit NAME_LIMIT (the help answer offers the language choice)."""
    _ = gettext_for(Lang.zh)
    names = {MENU_NEW: _("新建承诺"), MENU_LETTERS: _("我的承诺书"), MENU_HELP: f"{_('帮助')}·{_('语言')}"}
    for name in names.values():
        if len(name.encode("utf-8")) > NAME_LIMIT:
            raise ValueError(f"menu name {name!r} is over {NAME_LIMIT} bytes")
    return {"button": [{"type": "click", "name": name, "key": key} for key, name in names.items()]}
