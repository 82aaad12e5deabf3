"""The shared words: every status, notification kind and credit verdict has its wording, on every
channel and page, in every language we ship."""

from __future__ import annotations

import re
from datetime import date

import pytest
from aiogram.utils.i18n import I18n

from api.pages import verify as verify_page
from api.pages import words as page_words
from bot import labels
from bot.i18n import make_i18n
from bot.notices import word
from forms.catalogue import Catalogue
from forms.credit import Eligibility
from forms.i18n import gettext_for
from forms.languages import Lang
from forms.notifications import NotificationKind, ObjectionResolved, Payload, StatusChanged, SupplementReminder
from forms.objections import OUTCOMES, Outcome
from forms.sanctions import SANCTIONS, Sanction
from forms.statuses import Status

TRANSLATED = [lang for lang in Lang if lang is not Lang.zh]
CHINESE = re.compile(r"[\u3400-\u9fff]")


@pytest.mark.parametrize(
    ("table", "keys"),
    [
        (labels.STATUSES, set(Status)),
        (labels.NEXT, set(Status)),
        (page_words.STATUSES, set(Status)),
        (verify_page.MEANINGS, set(Status)),
        (page_words.NOTICES, set(NotificationKind)),
        (labels.REFUSALS, {f"credit.{v}" for v in Eligibility if not v.may_commit}),
        (SANCTIONS, set(Sanction)),
        (OUTCOMES, set(Outcome)),
    ],
    ids=[
        "bot statuses",
        "bot next steps",
        "page statuses",
        "verify meanings",
        "page notices",
        "bot credit refusals",
        "sanctions",
        "objection outcomes",
    ],
)
@pytest.mark.parametrize("lang", TRANSLATED)
def test_every_shared_word_is_worded_in_every_language(table: dict[object, str], keys: set[object], lang: Lang) -> None:
    assert keys <= set(table), f"no wording for {sorted(map(str, keys - set(table)))}"
    _ = gettext_for(lang)
    untranslated = [str(key) for key in keys if _(table[key]) == table[key]]
    assert not untranslated, f"{lang}: {untranslated}"


SAMPLES: dict[NotificationKind, Payload] = {
    NotificationKind.status_changed: StatusChanged(
        number="SFJ-2026-000042", item_code="SFJ-001", from_status=Status.signed, to_status=Status.accepted
    ),
    NotificationKind.supplement_reminder: SupplementReminder(
        number="SFJ-2026-000042", item_code="SFJ-001", due_on=date(2026, 12, 24), working_days_left=3
    ),
    NotificationKind.objection_resolved: ObjectionResolved(
        number="SFJ-2026-000042",
        outcome=Outcome.upheld,
        reason="2026-12-01",  # a clerk's words stay as written
    ),
}


@pytest.fixture(scope="module")
def i18n() -> I18n:
    return make_i18n()


def test_every_notification_kind_has_a_sample() -> None:
    assert set(SAMPLES) == set(NotificationKind)


@pytest.mark.parametrize("kind", list(NotificationKind))
@pytest.mark.parametrize("lang", list(Lang))
def test_every_notification_is_worded_in_every_language(
    kind: NotificationKind, lang: Lang, catalogue: Catalogue, i18n: I18n
) -> None:
    with i18n.context(), i18n.use_locale(lang.value):
        text = word(SAMPLES[kind], catalogue, lang).text
    assert "SFJ-2026-000042" in text
    if lang is not Lang.zh:  # not a Chinese character left: every word of it translated, the item's name too
        assert not CHINESE.search(text), text
