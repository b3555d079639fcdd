"""The filters every dashboard figure, export and report respects (issue 12).

Dates are chosen in whole calendar months, not arbitrary days: two date ranges a day
apart could otherwise be subtracted to reveal a figure the suppression hid (the
differencing noted when the feedback results landed). Months are read on the session's
local date where its group meets.
"""

from dataclasses import dataclass
from datetime import date


def month_start(day: date) -> date:
    return day.replace(day=1)


def next_month(month: date) -> date:
    return date(month.year + (month.month == 12), month.month % 12 + 1, 1)


def months_before(month: date, count: int) -> date:
    """The first day of the month `count` months before `month`'s."""
    index = month.year * 12 + month.month - 1 - count
    return date(index // 12, index % 12 + 1, 1)


def months_between(first: date, last: date) -> list[date]:
    """Every month from `first`'s to `last`'s, both included, as their first days."""
    months, month = [], month_start(first)
    while month <= last:
        months.append(month)
        month = next_month(month)
    return months


@dataclass(frozen=True)
class DashboardFilters:
    """first_month and last_month are first days of months, both included. facilitator_id
    is a user on the session's team in any role (held sessions from their snapshot,
    others from the group's assignments). model is a FacilitationModel value or ""."""

    first_month: date
    last_month: date
    group_id: int | None = None
    facilitator_id: int | None = None
    model: str = ""

    @property
    def day_from(self) -> date:
        return self.first_month

    @property
    def day_before(self) -> date:
        """The first day after the range (exclusive end)."""
        return next_month(self.last_month)

    @property
    def months(self) -> list[date]:
        return months_between(self.first_month, self.last_month)
