"""A letter to HTML and to PDF: Chinese authoritative, the applicant's language beside it."""

from __future__ import annotations

from forms.catalogue.models import Item
from forms.i18n import environment, gettext_for
from forms.languages import Lang
from forms.letter import Letter
from forms.render.pdf import html_to_pdf
from forms.render.qr import qr_data_uri
from forms.render.view import LetterView


def view(letter: Letter, item: Item, lang: Lang) -> LetterView:
    return LetterView(letter=letter, item=item, lang=lang, _=gettext_for(lang))


def letter_html(letter: Letter, item: Item, *, verify_url: str | None, preview: bool = False) -> str:
    """The whole document: the Chinese letter, its translation when needed, the evidence page (not on a preview)."""
    template = environment().get_template("letters/document.html")
    translated = view(letter, item, letter.language) if letter.language is not Lang.zh else None
    return template.render(
        letter=letter,
        item=item,
        zh=view(letter, item, Lang.zh),
        tv=translated,
        body=f"letters/{letter.commitment_type.value}.html",
        qr=qr_data_uri(verify_url) if verify_url and not preview else None,
        verify_url=verify_url,
        preview=preview,
    )


def letter_pdf(letter: Letter, item: Item, *, verify_url: str) -> bytes:
    """The unsealed PDF; seal it with forms.seal before it leaves the platform."""
    return html_to_pdf(letter_html(letter, item, verify_url=verify_url))


def preview_pdf(letter: Letter, item: Item) -> bytes:
    """What the applicant reads before signing: never sealed, marked as a preview on every page."""
    return html_to_pdf(letter_html(letter, item, verify_url=None, preview=True))
