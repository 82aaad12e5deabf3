"""Who is calling: the bot (acting for its applicants) or a member of staff, as services see them."""

from __future__ import annotations

from dataclasses import dataclass

from api.services.auth import StaffMember


@dataclass(frozen=True)
class Caller:
    """The bot (acting for its applicants) or a member of staff (seeing their departments)."""

    staff: StaffMember | None = None
    csrf_token: str | None = None  # a page session's, for the hidden field of the page's forms

    @property
    def is_service(self) -> bool:
        return self.staff is None

    @property
    def actor(self) -> str:
        return f"staff:{self.staff.username}" if self.staff else "service"

    def may_see(self, department_code: str) -> bool:
        departments = self.staff.departments if self.staff else None
        return departments is None or department_code in departments
