"""Gapless document numbers: `next_number(company, kind, date)`.

The counter row for (company, kind, fiscal year) is incremented with one
`UPDATE … RETURNING`, whose row lock is held until the caller's transaction commits. A second
transaction asking for the next number waits; a rolled-back transaction gives its number back.
So numbers are gapless per company, kind and fiscal year; the unique constraint on each
document's number is the backstop.
"""

from __future__ import annotations

import datetime as dt
import re
import string
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
    if count < 1:
        raise ValueError("count must be at least 1")
    return claim_numbers(company, kind, on, count).take()


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
    pattern: str = ""  # the scheme's pattern: what the counter row holds unless changed since

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

    def take(self) -> list[str]:
        """Claim the numbers now: one UPDATE, and an INSERT of the counter first time round."""
        from kern.core.models import Sequence

        with atomic():
            row = _increment(self.company_id, self.kind, self.period_key, self.count)
            if row is None:
                counter = Sequence(
                    company_id=self.company_id,
                    kind=self.kind,
                    period_key=self.period_key,
                    pattern=self.pattern,
                )
                Sequence.objects.bulk_create([counter], ignore_conflicts=True)
                row = _increment(self.company_id, self.kind, self.period_key, self.count)
        return self.numbers(*row)

    def in_sql(self) -> tuple[str, list[Any], str, list[Any]] | None:
        """PostgreSQL: this claim as a CTE `s` — the counter UPDATE — and the number as an SQL
        expression over it, for an `INSERT … SELECT … FROM s` that claims and writes the number in
        one statement: (cte, its parameters, expression, its parameters). The UPDATE also requires
        the counter's pattern to be the scheme's; where it is not, or the counter does not exist
        yet, nothing is inserted and the caller falls back to `next_numbers`. None when the
        pattern uses more of `str.format` than the expression renders (the caller does the same).
        """
        rendered = _sql_format(self.pattern, year=self.year, on=self.on) if self.count == 1 else None
        if rendered is None:
            return None
        cte = (
            "s AS (UPDATE core_sequence SET last_value = last_value + 1 WHERE company_id = %s "
            "AND kind = %s AND period_key = %s AND pattern = %s RETURNING last_value)"
        )
        return cte, [self.company_id, self.kind, self.period_key, self.pattern], *rendered

    def give_back(self) -> None:
        """Return claimed numbers unused; only while this transaction still holds the counter."""
        with statement_cursor() as cursor:
            cursor.execute(self.undo_sql, self.params)


def claim_numbers(company: Any, kind: str, on: dt.date, count: int = 1) -> NumberClaim:
    scheme = scheme_for(company, kind)
    period_key = company.fiscal_year_of(on) if scheme.yearly else 0
    return NumberClaim(company.pk, kind, period_key, count, period_key or on.year, on, scheme.pattern)


_ZERO_PADDED = re.compile(r"(0?)(\d*)d?")


def _sql_format(pattern: str, *, year: int, on: dt.date) -> tuple[str, list[Any]] | None:
    """`format_number(pattern, seq=s.last_value, …)` as a PostgreSQL expression and its
    parameters: the fields other than `seq` are known now and go in as text; `seq` with an empty,
    `d` or zero-padded width (`05d`) spec becomes `lpad`, which like `str.format` never cuts a
    longer number. None for anything else (space padding, alignment, conversions)."""
    known = {"year": year, "yy": f"{year % 100:02d}", "month": f"{on.month:02d}"}
    parts: list[str] = []
    params: list[Any] = []
    try:
        pieces = list(string.Formatter().parse(pattern))
    except ValueError:
        return None
    for literal, field, spec, conversion in pieces:
        text = literal
        if field is None:
            pass
        elif conversion is not None:
            return None
        elif field == "seq":
            padding = _ZERO_PADDED.fullmatch(spec or "")
            if padding is None or (padding.group(2) and not padding.group(1)):
                return None
            if text:
                parts.append("%s")
                params.append(text)
                text = ""
            width = int(padding.group(2) or 0)
            seq = "s.last_value::text"
            parts.append(f"lpad({seq}, greatest({width}, length({seq})), '0')" if width > 1 else seq)
        elif field in known:
            try:
                text += format(known[field], spec or "")
            except ValueError:
                return None
        else:
            return None
        if text:
            parts.append("%s")
            params.append(text)
    if not any("last_value" in part for part in parts):
        return None
    return "(" + " || ".join(f"CAST({p} AS text)" if p == "%s" else p for p in parts) + ")", params


def peek_number(company: Any, kind: str, on: dt.date) -> str:
    """The number the next posting would get (for display only; never reserve with this)."""
    from kern.core.models import Sequence

    scheme = scheme_for(company, kind)
    period_key = company.fiscal_year_of(on) if scheme.yearly else 0
    row = Sequence.objects.filter(company_id=company.pk, kind=kind, period_key=period_key).first()
    pattern = row.pattern if row else scheme.pattern
    return format_number(pattern, seq=(row.last_value if row else 0) + 1, year=period_key or on.year, on=on)
