"""Check a whole letter against its item: the same rules on the bot's side and on the API's."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from functools import partial

from forms.catalogue.models import ApplicantKind, FieldKind, Item, ItemField
from forms.i18n import gettext_for
from forms.languages import LANGS, I18nText, Lang
from forms.letter import Answer, IdType, Letter, Person
from forms.validation import (
    PERSON_DOCUMENTS,
    Invalid,
    Reason,
    document_number,
    free_text,
    mobile,
    one_of,
    organisation_name,
    parse_date,
    parse_number,
    person_name,
    some_of,
)
from forms.validation.normalize import normalize_text
from forms.workdays import add_working_days, is_working_day


def without_unit(raw: str, unit: I18nText | None) -> str:
    """ "1200亩", "1200 مو" and "1 200 му" are 1200 when the question's unit is 亩: people write it.

    Letters left after the number that are not the question's unit (1200元 asked in 亩) are refused
    with the unit named, rather than a bare "not a number"."""
    text = normalize_text(raw)
    if unit is None:
        return text
    for written in sorted({normalize_text(unit(lang)) for lang in LANGS}, key=len, reverse=True):
        if text.lower().endswith(written.lower()):
            return text[: -len(written)].strip()
    if any(c.isalpha() for c in text):
        raise Invalid(Reason.number_other_unit, unit=unit)
    return text


def answer(field: ItemField, raw: Answer, *, today: date | None = None) -> Answer:
    """The canonical form of one answer to an item's own question; raises Invalid."""
    try:
        if field.kind is FieldKind.materials:
            return some_of([raw] if isinstance(raw, str) else raw, (c.value for c in field.choices))
        if not isinstance(raw, str):
            raise Invalid(Reason.choice_unknown)
        if field.kind is FieldKind.text:
            return free_text(raw, max_length=field.max_length)
        if field.kind is FieldKind.number:
            number = parse_number(without_unit(raw, field.unit), minimum=field.minimum, maximum=field.maximum)
            if field.whole and number != number.to_integral_value():
                raise Invalid(Reason.number_whole)
            return str(number)
        if field.kind is FieldKind.date:
            return parse_date(raw, today=today, not_future=field.not_future, not_past=field.not_past).isoformat()
        return one_of(raw, (c.value for c in field.choices))
    except Invalid as error:
        raise Invalid(error.reason, field.key, **error.params) from None


def latest_supplement_date(item: Item, signed_on: date) -> date | None:
    """The last date a 容缺 applicant may promise: the item's maximum in working days."""
    if item.max_supplement_working_days is None:
        return None
    return add_working_days(signed_on, item.max_supplement_working_days)


def problems(letter: Letter, item: Item, *, today: date | None = None) -> list[Invalid]:
    """Everything wrong with a letter for this item; empty when it may be accepted."""
    found: list[Invalid] = []
    found += _check(lambda: _applicant(letter, item, today))
    if letter.agent is not None:
        if not item.proxy_allowed:
            found.append(Invalid(Reason.agent_not_allowed, "agent"))
        if letter.agent.id_type not in PERSON_DOCUMENTS:
            found.append(Invalid(Reason.id_type_mismatch, "agent.id_type"))
        found += _check(lambda: _person(letter.agent, "agent", today))  # type: ignore[arg-type]
    for field in item.fields:
        raw = letter.answers.get(field.key)
        if raw in (None, "", []):
            if field.required:
                found.append(Invalid(Reason.required, field.key))
            continue
        found += _check(partial(answer, field, raw, today=today))
    found += _supplement(letter, item)
    if not found:  # across fields only once each one is right on its own
        found += across_fields(item, letter.answers)
    return found


@dataclass(frozen=True)
class _Labels:
    """Field labels joined in the reader's language, for a message's parameter."""

    labels: tuple[I18nText, ...]

    def __call__(self, lang: str) -> str:
        joiner = gettext_for(Lang(lang))("、")  # the list separator the letters use, in that language
        return joiner.join(label(lang) for label in self.labels)


def across_fields(item: Item, answers: dict[str, Answer]) -> list[Invalid]:
    """The item's rules across fields, on canonical answers; a rule with a part unanswered waits."""
    found = []
    for rule in item.rules:
        values = [answers.get(key) for key in [*rule.parts, rule.total]]
        if any(not isinstance(v, str) or not v for v in values):
            continue
        *parts, total = (Decimal(str(v)) for v in values)
        if sum(parts) > total:
            labels = _Labels(tuple(item.field(key).label for key in rule.parts))
            total_label = item.field(rule.total).label
            found.append(Invalid(Reason.parts_exceed_total, rule.total, parts=labels, total=total_label))
    return found


def _applicant(letter: Letter, item: Item, today: date | None) -> None:
    applicant = letter.applicant
    if applicant.kind not in item.applicant_kinds:
        raise Invalid(Reason.applicant_kind_not_allowed, "applicant.kind")
    if applicant.id_type not in documents_for(applicant.kind):
        raise Invalid(Reason.id_type_mismatch, "applicant.id_type")
    if applicant.kind.is_organisation:
        _field("applicant.name", lambda: organisation_name(applicant.name))
        if not applicant.legal_representative:
            raise Invalid(Reason.representative_required, "applicant.legal_representative")
        _field("applicant.legal_representative", lambda: person_name(applicant.legal_representative or ""))
        _field("applicant.id_number", lambda: document_number(applicant.id_type, applicant.id_number, today=today))
        _field("applicant.phone", lambda: mobile(applicant.phone))
    else:
        _person(applicant, "applicant", today)


def documents_for(kind: ApplicantKind) -> tuple[IdType, ...]:
    """The kinds of document a party of this kind commits with: a person's own, or a credit code."""
    return PERSON_DOCUMENTS if kind is ApplicantKind.person else (IdType.uscc,)


def _person(person: Person, where: str, today: date | None) -> None:
    _field(f"{where}.name", lambda: person_name(person.name))
    _field(f"{where}.id_number", lambda: document_number(person.id_type, person.id_number, today=today))
    _field(f"{where}.phone", lambda: mobile(person.phone))


def _supplement(letter: Letter, item: Item) -> list[Invalid]:
    if item.max_supplement_working_days is None:
        return []
    if letter.supplement is None:
        return [Invalid(Reason.materials_required, "supplement")]
    found = _check(lambda: some_of(letter.supplement.materials, (c.value for c in item.missing_materials)))  # type: ignore[union-attr]
    latest = latest_supplement_date(item, letter.signed_at.date())
    if latest is not None and letter.supplement.due_on > latest:
        found.append(Invalid(Reason.date_too_late, "supplement.due_on", latest=latest.isoformat()))
    if letter.supplement.due_on < letter.signed_at.date():
        found.append(Invalid(Reason.date_past, "supplement.due_on"))
    elif not is_working_day(letter.supplement.due_on):
        found.append(
            Invalid(Reason.date_not_working_day, "supplement.due_on", day=letter.supplement.due_on.isoformat())
        )
    return [Invalid(e.reason, e.field or "supplement.materials", **e.params) for e in found]


def _field(where: str, validate: Callable[[], object]) -> None:
    """Run one validator, saying which part of the letter failed."""
    try:
        validate()
    except Invalid as error:
        raise Invalid(error.reason, where, **error.params) from None


def _check(run: Callable[[], object]) -> list[Invalid]:
    """Collect a failure instead of stopping at it, so every problem is reported at once."""
    try:
        run()
    except Invalid as error:
        return [error]
    return []
