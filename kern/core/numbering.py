"""Gapless document numbers: `next_number(company, kind, date)`.

The counter row for (company, kind, fiscal year) is incremented with one
`UPDATE … RETURNING`, whose row lock is held until the caller's transaction commits. A second
transaction asking for the next number waits; a rolled-back transaction gives its number back.
So numbers are gapless per company, kind and fiscal year; the unique constraint on each
document's number is the backstop.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from kern.core.db import atomic, statement_cursor
from kern.core.exceptions import ValidationFailed

__all__ = [
    "NumberClaim",
    "NumberingScheme",
    "claim_numbers",
    "format_number",
    "next_number",
    "next_numbers",
    "peek_number",
    "register_scheme",
    "scheme_for",
]


@dataclass(frozen=True)
class NumberingScheme:
    kind: str
    pattern: str
    yearly: bool = True  # restart at 1 every fiscal year


_SCHEMES: dict[str, NumberingScheme] = {}


def register_scheme(kind: str, pattern: str, *, yearly: bool = True) -> None:
    """Apps declare their document kinds in AppConfig.ready(): register_scheme("sales.invoice", …)."""
    _SCHEMES[kind] = NumberingScheme(kind, pattern, yearly)


def scheme_for(company: Any, kind: str) -> NumberingScheme:
    override = (getattr(company, "settings", None) or {}).get("numbering", {}).get(kind)
    base = _SCHEMES.get(kind) or NumberingScheme(kind, kind.split(".")[-1][:4].upper() + "-{year}-{seq:05d}")
    return NumberingScheme(kind, override, base.yearly) if override else base


def format_number(pattern: str, *, seq: int, year: int, on: dt.date) -> str:
    try:
        return pattern.format(seq=seq, year=year, yy=f"{year % 100:02d}", month=f"{on.month:02d}")
    except (KeyError, ValueError, IndexError) as exc:
        raise ValidationFailed.on("pattern", f"invalid numbering pattern {pattern!r}: {exc}") from None


_UPDATE = (
    "UPDATE core_sequence SET last_value = last_value + %s "
    "WHERE company_id = %s AND kind = %s AND period_key = %s RETURNING last_value, pattern"
)


def _increment(company_id: int, kind: str, period_key: int, count: int = 1) -> tuple[int, str] | None:
    with statement_cursor() as cursor:
        cursor.execute(_UPDATE, [count, company_id, kind, period_key])
        return cursor.fetchone()


def next_number(company: Any, kind: str, on: dt.date) -> str:
    return next_numbers(company, kind, on, 1)[0]


def next_numbers(company: Any, kind: str, on: dt.date, count: int) -> list[str]:
    """`count` consecutive numbers with one UPDATE (a batch of documents posted together)."""
    from kern.core.models import Sequence

    if count < 1:
        raise ValueError("count must be at least 1")
    scheme = scheme_for(company, kind)
    period_key = company.fiscal_year_of(on) if scheme.yearly else 0
    with atomic():
        row = _increment(company.pk, kind, period_key, count)
        if row is None:
            Sequence.objects.bulk_create(
                [Sequence(company_id=company.pk, kind=kind, period_key=period_key, pattern=scheme.pattern)],
                ignore_conflicts=True,
            )
            row = _increment(company.pk, kind, period_key, count)
    last, pattern = row
    year = period_key or on.year
    return [format_number(pattern, seq=seq, year=year, on=on) for seq in range(last - count + 1, last + 1)]


@dataclass(frozen=True)
class NumberClaim:
    """The counter UPDATE of `next_numbers`, for a caller that sends it inside a larger statement.

    On PostgreSQL every statement is a round trip; the ledger folds the claim into the statement
    that locks its books (a CTE), so a posting costs one statement less. `numbers(row)` turns the
    RETURNING row (last_value, pattern) into the numbers; a missing row (the first number of a
    kind and year) means the caller falls back to `next_numbers`, which creates the counter.
    """

    company_id: int
    kind: str
    period_key: int
    count: int
    year: int
    on: dt.date

    sql = _UPDATE
    undo_sql = (
        "UPDATE core_sequence SET last_value = last_value - %s "
        "WHERE company_id = %s AND kind = %s AND period_key = %s"
    )

    @property
    def params(self) -> list[Any]:
        return [self.count, self.company_id, self.kind, self.period_key]

    def numbers(self, last: int, pattern: str) -> list[str]:
        return [
            format_number(pattern, seq=seq, year=self.year, on=self.on)
            for seq in range(last - self.count + 1, last + 1)
        ]

    def give_back(self) -> None:
        """Return claimed numbers unused; only while this transaction still holds the counter."""
        with statement_cursor() as cursor:
            cursor.execute(self.undo_sql, self.params)


def claim_numbers(company: Any, kind: str, on: dt.date, count: int = 1) -> NumberClaim:
    scheme = scheme_for(company, kind)
    period_key = company.fiscal_year_of(on) if scheme.yearly else 0
    return NumberClaim(company.pk, kind, period_key, count, period_key or on.year, on)


def peek_number(company: Any, kind: str, on: dt.date) -> str:
    """The number the next posting would get (for display only; never reserve with this)."""
    from kern.core.models import Sequence

    scheme = scheme_for(company, kind)
    period_key = company.fiscal_year_of(on) if scheme.yearly else 0
    row = Sequence.objects.filter(company_id=company.pk, kind=kind, period_key=period_key).first()
    pattern = row.pattern if row else scheme.pattern
    return format_number(pattern, seq=(row.last_value if row else 0) + 1, year=period_key or on.year, on=on)
