"""The company's ledger settings, cached per process.

Posting must not look up accounts, journals, periods or tax codes line by line. The whole set
for a company is small (hundreds of rows), so it is read in a handful of queries and kept in
process memory, tagged with `Books.version`. Every service that changes one of them sets a new
random version in the same transaction (random, not +1, so a rolled-back change can never be
mistaken for a later one); posting reads the current version in the statement that locks
the books anyway, and reloads when it moved. Readers outside posting (tax_code_for) re-check the
version at most every few seconds.
"""

from __future__ import annotations

import datetime as dt
import threading
import time
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from kern.ledger.models import (
    PARTY_SUBTYPES,
    Account,
    AccountRole,
    Books,
    FiscalYear,
    Journal,
    Period,
    PeriodKind,
    TaxCode,
)

__all__ = [
    "AccountInfo",
    "BooksConfig",
    "JournalInfo",
    "PeriodInfo",
    "TaxInfo",
    "config_for",
    "forget",
    "remember_parties",
]

_RECHECK_SECONDS = 5.0


@dataclass(frozen=True, slots=True)
class AccountInfo:
    id: int
    code: str
    name: str
    type: str
    subtype: str
    is_group: bool
    is_active: bool
    currency: str | None

    @property
    def requires_party(self) -> bool:
        return self.subtype in PARTY_SUBTYPES


@dataclass(frozen=True, slots=True)
class JournalInfo:
    id: int
    code: str
    name: str
    kind: str
    is_active: bool
    default_account_id: int | None

    @property
    def sequence_kind(self) -> str:
        return f"ledger.journal.{self.code}"


@dataclass(frozen=True, slots=True)
class PeriodInfo:
    id: int
    year: int
    fiscal_year_id: int
    number: int
    kind: str
    start: dt.date
    end: dt.date
    is_open: bool


@dataclass(frozen=True, slots=True)
class TaxInfo:
    id: int
    code: str
    name: str
    direction: str
    kind: str
    rate: Decimal
    account_id: int | None
    deductible_account_id: int | None
    base_box: str
    tax_box: str
    deductible_box: str
    is_active: bool


@dataclass
class BooksConfig:
    company_id: int
    version: int
    lock_date: dt.date | None
    accounts_by_code: dict[str, AccountInfo]
    accounts_by_id: dict[int, AccountInfo]
    roles: dict[str, int]
    journals_by_code: dict[str, JournalInfo]
    journals_by_kind: dict[str, JournalInfo]
    periods: list[PeriodInfo]  # regular periods, by start date
    special_periods: dict[tuple[int, str], PeriodInfo]  # (year, opening|closing)
    years: dict[int, tuple[dt.date, dt.date, str]]
    taxes_by_code: dict[str, TaxInfo]
    taxes_by_id: dict[int, TaxInfo]
    checked_at: float = field(default_factory=time.monotonic)
    parties: set[int] = field(default_factory=set)  # party ids known to belong to the company
    company_created: Any = None  # tells a company from an earlier one with the same id (SQLite reuses ids)

    def regular_period_on(self, on: dt.date) -> PeriodInfo | None:
        # Binary search: a company has 12 periods a year, a long-lived one a few hundred.
        lo, hi = 0, len(self.periods)
        while lo < hi:
            mid = (lo + hi) // 2
            if self.periods[mid].end < on:
                lo = mid + 1
            else:
                hi = mid
        if lo < len(self.periods) and self.periods[lo].start <= on <= self.periods[lo].end:
            return self.periods[lo]
        return None

    def year_of(self, on: dt.date) -> int | None:
        for year, (start, end, _status) in self.years.items():
            if start <= on <= end:
                return year
        return None


_cache: dict[int, BooksConfig] = {}
_lock = threading.Lock()


def forget(company_id: int | None = None) -> None:
    """Drop the cached settings (all companies when None): the next use reloads them."""
    with _lock:
        if company_id is None:
            _cache.clear()
        else:
            _cache.pop(company_id, None)


def _load(company_id: int) -> BooksConfig:
    books = Books.objects.filter(company_id=company_id).values("version", "lock_date").first()
    if books is None:
        books = {"version": 0, "lock_date": None}
    accounts = [
        AccountInfo(
            id=row["id"],
            code=row["code"],
            name=row["name"],
            type=row["type"],
            subtype=row["subtype"],
            is_group=row["is_group"],
            is_active=row["is_active"],
            currency=row["currency_id"],
        )
        for row in Account.objects.filter(company_id=company_id).values(
            "id", "code", "name", "type", "subtype", "is_group", "is_active", "currency_id"
        )
    ]
    roles = dict(AccountRole.objects.filter(company_id=company_id).values_list("role", "account_id"))
    journals = [
        JournalInfo(
            id=row["id"],
            code=row["code"],
            name=row["name"],
            kind=row["kind"],
            is_active=row["is_active"],
            default_account_id=row["default_account_id"],
        )
        for row in Journal.objects.filter(company_id=company_id)
        .order_by("code")
        .values("id", "code", "name", "kind", "is_active", "default_account_id")
    ]
    by_kind: dict[str, JournalInfo] = {}
    for journal in journals:
        if journal.is_active:
            by_kind.setdefault(journal.kind, journal)
    years = {
        row["year"]: (row["start_date"], row["end_date"], row["status"])
        for row in FiscalYear.objects.filter(company_id=company_id).values(
            "year", "start_date", "end_date", "status"
        )
    }
    periods: list[PeriodInfo] = []
    special: dict[tuple[int, str], PeriodInfo] = {}
    for row in (
        Period.objects.filter(company_id=company_id)
        .order_by("start_date", "number")
        .values(
            "id", "fiscal_year_id", "fiscal_year__year", "number", "kind", "start_date", "end_date", "status"
        )
    ):
        info = PeriodInfo(
            id=row["id"],
            year=row["fiscal_year__year"],
            fiscal_year_id=row["fiscal_year_id"],
            number=row["number"],
            kind=row["kind"],
            start=row["start_date"],
            end=row["end_date"],
            is_open=row["status"] == "open",
        )
        if info.kind == PeriodKind.REGULAR:
            periods.append(info)
        else:
            special[(info.year, info.kind)] = info
    taxes = [
        TaxInfo(
            id=row["id"],
            code=row["code"],
            name=row["name"],
            direction=row["direction"],
            kind=row["kind"],
            rate=row["rate"],
            account_id=row["account_id"],
            deductible_account_id=row["deductible_account_id"],
            base_box=row["base_box"],
            tax_box=row["tax_box"],
            deductible_box=row["deductible_box"],
            is_active=row["is_active"],
        )
        for row in TaxCode.objects.filter(company_id=company_id).values(
            "id",
            "code",
            "name",
            "direction",
            "kind",
            "rate",
            "account_id",
            "deductible_account_id",
            "base_box",
            "tax_box",
            "deductible_box",
            "is_active",
        )
    ]
    return BooksConfig(
        company_id=company_id,
        version=books["version"],
        lock_date=books["lock_date"],
        accounts_by_code={a.code: a for a in accounts},
        accounts_by_id={a.id: a for a in accounts},
        roles=roles,
        journals_by_code={j.code: j for j in journals},
        journals_by_kind=by_kind,
        periods=periods,
        special_periods=special,
        years=years,
        taxes_by_code={t.code: t for t in taxes},
        taxes_by_id={t.id: t for t in taxes},
    )


def config_for(company: Any, *, version: int | None = None) -> BooksConfig:
    """The cached settings of `company`, reloaded when `version` (if known) differs.

    Without a version the cache is trusted for a few seconds, then re-checked with one query.
    """
    company_id = getattr(company, "pk", company)
    created = getattr(company, "created_at", None)
    cached = _cache.get(company_id)
    if cached is not None and created is not None and cached.company_created not in (None, created):
        cached = None
    if cached is not None:
        if version is not None:
            if cached.version == version:
                return cached
        elif time.monotonic() - cached.checked_at < _RECHECK_SECONDS:
            return cached
        else:
            current = Books.objects.filter(company_id=company_id).values_list("version", flat=True).first()
            if current == cached.version:
                cached.checked_at = time.monotonic()
                return cached
    fresh = _load(company_id)
    fresh.company_created = created
    with _lock:
        _cache[company_id] = fresh
    return fresh


def remember_parties(config: BooksConfig, party_ids: set[int]) -> None:
    # A party never moves to another company and cannot be deleted while lines point at it,
    # so "party X belongs to company C" stays true once checked (until the settings reload).
    config.parties |= party_ids
