"""The region's and county's own working calendar, on top of the State Council's (chinese-calendar).

Xinjiang's 肉孜节 and 古尔邦节 are public holidays in the region, their dates set each year by the
regional government's notice (新疆维吾尔自治区人民政府办公厅, 节假日放假调休日期的通知). They live in a
data file beside the catalogue (`holidays.yaml`) that a county extends: days off, weekend days
made working days, and — for a year chinese-calendar does not have yet — the State Council's own
days, with that year named under `national_years`.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Annotated

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

FILE_NAME = "holidays.yaml"
BUILTIN = Path(__file__).parent / "catalogue" / FILE_NAME


class Day(BaseModel):
    """One day of the file: what it is, where its date comes from, and whether that was checked."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    date: date
    name: Annotated[str, Field(min_length=1, max_length=60)]
    source: Annotated[str, Field(max_length=300)] = ""
    confirmed: bool = False  # False: an expected date, to be checked against the year's notice


class HolidayCalendar(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    national_years: list[Annotated[int, Field(ge=2000, le=2100)]] = []
    days_off: list[Day] = []
    working_days: list[Day] = []  # weekend days made working days (调休)

    @model_validator(mode="after")
    def _consistent(self) -> HolidayCalendar:
        off = {d.date for d in self.days_off}
        both = sorted(off & {d.date for d in self.working_days})
        if both:
            raise ValueError(f"{both[0]} is both a day off and a working day")
        weekdays = [d.date for d in self.working_days if d.date.weekday() < 5]
        if weekdays:
            raise ValueError(f"{weekdays[0]} is a weekday already: only a weekend day can be made a working day")
        return self

    @property
    def off(self) -> frozenset[date]:
        return frozenset(d.date for d in self.days_off)

    @property
    def on(self) -> frozenset[date]:
        return frozenset(d.date for d in self.working_days)

    def unconfirmed(self, year: int) -> list[Day]:
        """The year's days whose date is expected, not yet checked against a notice."""
        return [d for d in (*self.days_off, *self.working_days) if d.date.year == year and not d.confirmed]


class HolidaysProblem(ValueError):
    """The holidays file cannot be used: one line naming the file and what is wrong."""


def load_holidays(path: Path = BUILTIN) -> HolidayCalendar:
    """The file, validated; HolidaysProblem when it is unreadable or wrong."""
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        return HolidayCalendar.model_validate(raw)
    except OSError as error:
        raise HolidaysProblem(f"{path}: {error.strerror}") from None
    except yaml.YAMLError as error:
        raise HolidaysProblem(f"{path}: not YAML: {error}") from None
    except ValidationError as error:
        first = error.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        raise HolidaysProblem(f"{path}: {where + ': ' if where else ''}{first['msg']}") from None
    except ValueError as error:  # a date YAML itself cannot make (2026-02-30)
        raise HolidaysProblem(f"{path}: {error}") from None


def holidays_file(catalogue_dir: Path) -> Path:
    """A county's own catalogue may carry its own file; otherwise the built-in one holds."""
    own = catalogue_dir / FILE_NAME
    return own if own.exists() else BUILTIN
