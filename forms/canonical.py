"""The canonical form of every value of a letter: what is signed, stored, indexed and printed.

Validation reads through normalisation (invisible and direction marks dropped, full-width forms
folded, one kind of middle dot, separators out of numbers) and checks the result; the letter must
hold that result too, or a name typed with U+202E passes the check and prints reversed.

Where it happens: here, on both sides, before the content hash. The bot hashes and sends the
canonical values; the API hashes the canonical form of whatever it receives and stores that form.
A client that sends a control character has signed the text without it (the hash covers only the
canonical form), so the letter holds exactly what the applicant signed and what was checked. The
form does not depend on the day or on an item's bounds, so both sides always agree on it; a value
with no canonical form (not a date, not a number…) stays as sent and `forms.checks.problems`
refuses it.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import TypeVar

from forms.catalogue.models import FieldKind, Item, ItemField
from forms.letter import Agent, Answer, Applicant, Supplement
from forms.validation import Invalid, document_number, mobile, parse_date, parse_number, some_of
from forms.validation.normalize import normalize_text

P = TypeVar("P", Applicant, Agent)
T = TypeVar("T")


def _or_as_sent(form: Callable[[], T], sent: T) -> T:
    try:
        return form()
    except Invalid:
        return sent


def canonical_party(person: P) -> P:
    """The applicant or agent with its name, document number and phone in canonical form."""
    changes: dict[str, object] = {
        "name": normalize_text(person.name),
        # date.max: the form of a number does not depend on today (problems() checks the birth date)
        "id_number": _or_as_sent(lambda: document_number(person.id_type, person.id_number, today=date.max),
                                 person.id_number),
        "phone": _or_as_sent(lambda: mobile(person.phone), person.phone),
    }  # fmt: skip
    if isinstance(person, Applicant) and person.legal_representative is not None:
        changes["legal_representative"] = normalize_text(person.legal_representative)
    return person.model_copy(update=changes)


def canonical_answers(answers: dict[str, Answer], item: Item) -> dict[str, Answer]:
    """The item's own answers in canonical form; keys the item does not ask are dropped."""
    fields = {field.key: field for field in item.fields}
    return {key: _answer_form(fields[key], value) for key, value in answers.items() if key in fields}


def _answer_form(field: ItemField, sent: Answer) -> Answer:
    if field.kind is FieldKind.materials:
        chosen = [sent] if isinstance(sent, str) else sent
        return _or_as_sent(lambda: some_of(chosen, (c.value for c in field.choices)), sent)
    if not isinstance(sent, str) or sent == "":  # a skipped optional answer stays empty
        return sent
    if field.kind is FieldKind.text:
        return normalize_text(sent)
    if field.kind is FieldKind.number:
        return _or_as_sent(lambda: str(parse_number(sent)), sent)
    if field.kind is FieldKind.date:
        return _or_as_sent(lambda: parse_date(sent).isoformat(), sent)
    return sent  # a choice is one of the item's values, or refused


def canonical_supplement(supplement: Supplement | None, item: Item) -> Supplement | None:
    """The materials in the item's order, without repeats."""
    if supplement is None:
        return None
    materials = _or_as_sent(lambda: some_of(supplement.materials, (c.value for c in item.missing_materials)),
                            supplement.materials)  # fmt: skip
    return supplement.model_copy(update={"materials": materials})
