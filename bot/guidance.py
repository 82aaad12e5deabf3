"""The ordinary procedure (一般程序), said the same way wherever the applicant turns to it: instead
of committing, or after withdrawing a commitment. What to bring, to which window, when it is open."""

from __future__ import annotations

from aiogram.utils.i18n import gettext as _

from bot.i18n import ltr
from forms.catalogue import Item
from forms.languages import Lang


def proof_guidance(item: Item, lang: Lang) -> str:
    """The item's proofs from the catalogue, then its department's window, address, hours and phone."""
    department = item.department
    proofs = "\n".join(f"{n}. {p(lang)}" for n, p in enumerate(item.proofs, 1))
    return _("请携带以下材料到窗口办理：\n{proofs}\n\n{department}\n{address}\n{hours}\n电话：{phone}").format(
        proofs=proofs,
        department=department.name(lang),
        address=department.address(lang),
        hours=department.hours(lang),
        phone=ltr(department.phone),
    )
