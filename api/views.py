"""What the API answers staff only; the letters' public views are forms/public.py's."""

from __future__ import annotations

from pydantic import BaseModel

from forms.public import EventPublic as EventPublic
from forms.public import LetterPage as LetterPage
from forms.public import LetterPublic as LetterPublic
from forms.public import Submitted as Submitted
from forms.public import examples

# Answers that carry personal data (a PDF, an upload, revealed numbers): no cache keeps them, and
# no browser second-guesses their type (an uploaded "PDF" run as HTML).
PRIVATE_HEADERS = {"Cache-Control": "no-store", "X-Content-Type-Options": "nosniff"}


class PersonalData(BaseModel):
    """The numbers in full: only on a staff member's explicit request, which is logged."""

    model_config = examples({"number": "SFJ-2026-000042", "id_number": "653022199003150016", "phone": "13899990000"})

    number: str
    id_number: str
    phone: str
