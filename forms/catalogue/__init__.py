"""The catalogue of items an applicant may commit to."""

from forms.catalogue.loader import Catalogue, Problem, load_catalogue
from forms.catalogue.models import (
    ApplicantKind,
    Choice,
    CommitmentType,
    Department,
    Disclosure,
    FieldKind,
    Item,
    ItemField,
    Notice,
)

__all__ = [
    "ApplicantKind",
    "Catalogue",
    "Choice",
    "CommitmentType",
    "Department",
    "Disclosure",
    "FieldKind",
    "Item",
    "ItemField",
    "Notice",
    "Problem",
    "load_catalogue",
]
