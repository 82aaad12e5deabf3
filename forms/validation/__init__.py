"""Validators shared by the bot and the API: each returns the canonical value or raises Invalid."""

from forms.validation.contact import mask_mobile, mobile
from forms.validation.documents import (
    DOCUMENT_NAMES,
    PERSON_DOCUMENTS,
    IdType,
    any_document_number,
    document_number,
    subject_numbers,
)
from forms.validation.ids import birth_date, credit_code, mask_id, resident_id
from forms.validation.names import organisation_name, person_name
from forms.validation.printed import parse_letter_number, parse_verify_code
from forms.validation.reasons import MESSAGES, Invalid, Reason
from forms.validation.values import free_text, one_of, parse_date, parse_number, some_of

__all__ = [
    "DOCUMENT_NAMES",
    "MESSAGES",
    "PERSON_DOCUMENTS",
    "IdType",
    "Invalid",
    "Reason",
    "any_document_number",
    "birth_date",
    "credit_code",
    "document_number",
    "free_text",
    "mask_id",
    "mask_mobile",
    "mobile",
    "one_of",
    "organisation_name",
    "parse_date",
    "parse_letter_number",
    "parse_number",
    "parse_verify_code",
    "person_name",
    "resident_id",
    "some_of",
    "subject_numbers",
]
