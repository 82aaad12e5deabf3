"""Mainland mobile numbers, typed with or without +86 / 0086."""

from __future__ import annotations

import re

from forms.validation.normalize import normalize_code
from forms.validation.reasons import Invalid, Reason

_MOBILE = re.compile(r"^1[3-9][0-9]{9}$")
_COUNTRY = re.compile(r"^(?:\+86|0086|86)(?=1[0-9]{10}$)")
_DROP = str.maketrans("", "", "().")


def mobile(raw: str) -> str:
    """The 11-digit mobile number; raises Invalid when it is not one."""
    number = normalize_code(raw).translate(_DROP)
    if not number:
        raise Invalid(Reason.required)
    number = _COUNTRY.sub("", number)
    if not _MOBILE.match(number):
        raise Invalid(Reason.phone_invalid)
    return number


def mask_mobile(number: str) -> str:
    return number[:3] + "****" + number[-4:] if len(number) == 11 else "*" * len(number)
