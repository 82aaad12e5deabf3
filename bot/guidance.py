"""The ordinary procedure (一般程序), said the same way wherever the applicant turns to it: instead
of committing, or after withdrawing a commitment. What to bring, to which window, when it is open."""

from __future__ import annotations

from aiogram.utils.i18n import gettext as _

from bot.i18n import ltr
from forms.catalogue import Item
from forms.languages import Lang


def proof_guidance(item: Item, lang: Lang) -> str:
    """The item's proofs from the catalogue, then its department's window, address, hours and phone."""
    proofs = "\n".join(f"{n}. {p(lang)}" for n, p in enumerate(item.proofs, 1))
    return _("请携带以下材料到窗口办理：\n{proofs}\n\n{department}\n{address}\n{hours}\n电话：{phone}").format(
        proofs=proofs, **_window(item, lang)
    )


def supplement_guidance(item: Item, materials: list[str], due_on: str, lang: Lang) -> str:
    """After a 容缺 letter, in one message: what is still to be brought, by which date, to which window."""
    labels = {choice.value: choice.label(lang) for choice in item.missing_materials}
    listed = "\n".join(f"{n}. {labels.get(value, value)}" for n, value in enumerate(materials, 1))
    return _(
        "请在 {date} 之前把以下材料交到窗口：\n{materials}\n\n{department}\n{address}\n{hours}\n电话：{phone}"
    ).format(date=ltr(due_on), materials=listed, **_window(item, lang))


def _window(item: Item, lang: Lang) -> dict[str, str]:
    """Where the item's department receives people: the same four lines under every guidance."""
    department = item.department
    return {
        "department": department.name(lang),
        "address": department.address(lang),
        "hours": department.hours(lang),
        "phone": ltr(department.phone),
    }
