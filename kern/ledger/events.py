"""Events the ledger emits (names and payloads). Subscribe in AppConfig.ready()."""

from __future__ import annotations

from dataclasses import dataclass

__all__ = [
    "ENTRY_POSTED",
    "FISCAL_YEAR_CLOSED",
    "PERIOD_CLOSED",
    "PERIOD_REOPENED",
    "EntryPosted",
    "PeriodChanged",
]

ENTRY_POSTED = "ledger.entry_posted"
PERIOD_CLOSED = "ledger.period_closed"
PERIOD_REOPENED = "ledger.period_reopened"
FISCAL_YEAR_CLOSED = "ledger.fiscal_year_closed"


@dataclass(frozen=True)
class EntryPosted:
    entry_id: int
    company_id: int
    journal: str
    number: str
    date: str
    total: str
    source_type: str = ""
    source_id: int | None = None


@dataclass(frozen=True)
class PeriodChanged:
    company_id: int
    period_id: int
    start: str
    end: str
    status: str
