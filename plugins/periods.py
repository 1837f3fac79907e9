"""Reconciliation periods: weekly (ISO weeks, Monday to Sunday), monthly and quarterly."""

from __future__ import annotations

import datetime

CADENCES = ("weekly", "monthly", "quarterly")
MONTHS_IN_QUARTER = 3
DECEMBER = 12


def period_start(day: datetime.date, cadence: str) -> datetime.date:
    """Return the first day of the period that holds `day`."""
    if cadence == "weekly":
        return day - datetime.timedelta(days=day.weekday())
    if cadence == "quarterly":
        first_month = MONTHS_IN_QUARTER * ((day.month - 1) // MONTHS_IN_QUARTER) + 1
        return datetime.date(day.year, first_month, 1)
    return day.replace(day=1)


def next_start(start: datetime.date, cadence: str) -> datetime.date:
    """Return the first day of the period after the one starting on `start`."""
    if cadence == "weekly":
        return start + datetime.timedelta(days=7)
    months = MONTHS_IN_QUARTER if cadence == "quarterly" else 1
    month = start.month - 1 + months
    return datetime.date(start.year + month // DECEMBER, month % DECEMBER + 1, 1)


def label(start: datetime.date, cadence: str) -> str:
    """Name a period the way an accountant writes it: 2026-W07, 2026-02, 2026-Q1."""
    if cadence == "weekly":
        year, week, _ = start.isocalendar()
        return f"{year}-W{week:02d}"
    if cadence == "quarterly":
        return f"{start.year}-Q{(start.month - 1) // MONTHS_IN_QUARTER + 1}"
    return f"{start:%Y-%m}"
