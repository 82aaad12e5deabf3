"""The 授权委托书 an agent has the applicant sign: a blank letter of authorisation for one item,
Chinese authoritative with the applicant's language beside it. Rendered per request (about as fast
as a preview), so nothing is kept on disk and any instance serves it."""

from __future__ import annotations

from forms.catalogue.models import Item
from forms.i18n import environment, gettext_for
from forms.languages import Lang
from forms.render.pdf import html_to_pdf

SCOPE = "代为作出信用承诺并签署承诺书"  # the authority given, as the seeds word it


def authorisation_html(item: Item, lang: Lang) -> str:
    template = environment().get_template("letters/authorisation.html")
    languages = [Lang.zh] if lang is Lang.zh else [Lang.zh, lang]
    return template.render(item=item, languages=languages, gettext_for=gettext_for)


def authorisation_pdf(item: Item, lang: Lang) -> bytes:
    return html_to_pdf(authorisation_html(item, lang))
