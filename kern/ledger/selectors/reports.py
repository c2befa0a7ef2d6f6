"""Financial reports, computed in SQL from the balance table (per account per period).

The balance table holds a few rows per account per month, so a trial balance, balance sheet or
profit and loss reads hundreds of rows whatever the number of lines. Only a date range that does
not follow period boundaries reads lines, and only for the partial periods at its ends.
Drill-downs read one account's lines through the (account, date, id, debit, credit) index, newest
first, in one keyset query per page: the opening balance comes from the balance table, the running
balance from a sum over the range's lines only, so a page costs its 50 rows plus one index range.

Conventions: `balance` is debit − credit (company currency). Periods of kind `opening` (period 0)
count as the opening balance of a range that starts on their date; periods of kind `closing`
(period 13) are left out of the profit and loss (they hold the year-end closing entry).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db import connection
from django.db.models import Case, DecimalField, F, Q, Sum, Value, When
from django.db.models.functions import Coalesce

from kern.core.money import quantize
from kern.ledger.models import (
    BALANCE_SHEET_TYPES,
    PROFIT_AND_LOSS_TYPES,
    Account,
    AccountBalance,
    AccountSubtype,
    AccountType,
    JournalEntry,
    JournalLine,
    Period,
    PeriodKind,
)

__all__ = [
    "AccountLedger",
    "BalanceSheet",
    "LedgerLine",
    "PartnerStatement",
    "ProfitAndLoss",
    "ReportSection",
    "TrialBalance",
    "TrialBalanceRow",
    "account_balance_on",
    "balance_sheet",
    "general_ledger",
    "journal_report",
    "partner_statement",
    "profit_and_loss",
    "trial_balance",
]

ZERO = Decimal("0")
_AMOUNT = DecimalField(max_digits=20, decimal_places=2)


def cents(value: Decimal | None) -> Decimal:
    """An aggregate in cents. SQLite adds decimals as floats, so a SUM can come back as
    57621.1500000001; rounding to the cent gives the exact figure (every term has two places)."""
    return quantize(value or ZERO, places=2)


def _company_id(company: Any) -> int:
    return getattr(company, "pk", company)


def _sum(expression: Any, condition: Q) -> Any:
    return Coalesce(
        Sum(Case(When(condition, then=expression), default=Value(ZERO), output_field=_AMOUNT)),
        Value(ZERO),
        output_field=_AMOUNT,
    )


def _partial_periods(company_id: int, date_from: dt.date, date_to: dt.date) -> list[Period]:
    """Regular periods that a range cuts through (it starts or ends inside them)."""
    return list(
        Period.objects.filter(company_id=company_id, kind=PeriodKind.REGULAR).filter(
            Q(start_date__lt=date_from, end_date__gte=date_from)
            | Q(start_date__lte=date_to, end_date__gt=date_to)
        )
    )


# --------------------------------------------------------------------------------------------
# trial balance


@dataclass
class TrialBalanceRow:
    account_id: int
    code: str
    name: str
    type: str
    subtype: str
    opening: Decimal
    debit: Decimal
    credit: Decimal

    @property
    def closing(self) -> Decimal:
        return self.opening + self.debit - self.credit


@dataclass
class TrialBalance:
    date_from: dt.date
    date_to: dt.date
    rows: list[TrialBalanceRow]

    @property
    def total_opening(self) -> Decimal:
        return sum((r.opening for r in self.rows), ZERO)

    @property
    def total_debit(self) -> Decimal:
        return sum((r.debit for r in self.rows), ZERO)

    @property
    def total_credit(self) -> Decimal:
        return sum((r.credit for r in self.rows), ZERO)

    @property
    def total_closing(self) -> Decimal:
        return sum((r.closing for r in self.rows), ZERO)

    @property
    def is_balanced(self) -> bool:
        return self.total_debit == self.total_credit and self.total_opening == 0 and self.total_closing == 0

    def row(self, code: str) -> TrialBalanceRow | None:
        return next((r for r in self.rows if r.code == code), None)


def _movements(company_id: int, date_from: dt.date, date_to: dt.date) -> dict[int, list[Decimal]]:
    """{account_id: [opening, debit, credit]} for the range, from balances (+ lines at the edges)."""
    opening_cond = Q(period__end_date__lt=date_from) | Q(
        period__kind=PeriodKind.OPENING, period__start_date=date_from
    )
    within = Q(period__start_date__gte=date_from, period__end_date__lte=date_to) & ~Q(
        period__kind=PeriodKind.OPENING, period__start_date=date_from
    )
    rows = (
        AccountBalance.objects.filter(company_id=company_id, period__start_date__lte=date_to)
        .values("account_id")
        .annotate(
            opening=_sum(F("debit") - F("credit"), opening_cond),
            debit_in=_sum(F("debit"), within),
            credit_in=_sum(F("credit"), within),
        )
    )
    result: dict[int, list[Decimal]] = {
        r["account_id"]: [cents(r["opening"]), cents(r["debit_in"]), cents(r["credit_in"])] for r in rows
    }
    partial = _partial_periods(company_id, date_from, date_to)
    if partial:
        line_rows = (
            JournalLine.objects.filter(
                company_id=company_id, period_id__in=[p.pk for p in partial], date__lte=date_to
            )
            .values("account_id")
            .annotate(
                opening=_sum(F("debit") - F("credit"), Q(date__lt=date_from)),
                debit_in=_sum(F("debit"), Q(date__gte=date_from)),
                credit_in=_sum(F("credit"), Q(date__gte=date_from)),
            )
        )
        for r in line_rows:
            acc = result.setdefault(r["account_id"], [ZERO, ZERO, ZERO])
            acc[0] += cents(r["opening"])
            acc[1] += cents(r["debit_in"])
            acc[2] += cents(r["credit_in"])
    return result


def trial_balance(
    company: Any, *, date_from: dt.date, date_to: dt.date, include_empty: bool = False
) -> TrialBalance:
    """Every account: opening balance, debit and credit in the range, closing balance."""
    company_id = _company_id(company)
    movements = _movements(company_id, date_from, date_to)
    accounts = Account.objects.filter(company_id=company_id, is_group=False).values(
        "id", "code", "name", "type", "subtype"
    )
    rows = []
    for acc in accounts:
        opening, debit, credit = movements.get(acc["id"], (ZERO, ZERO, ZERO))
        if not include_empty and not (opening or debit or credit):
            continue
        rows.append(
            TrialBalanceRow(
                account_id=acc["id"],
                code=acc["code"],
                name=acc["name"],
                type=acc["type"],
                subtype=acc["subtype"],
                opening=opening,
                debit=debit,
                credit=credit,
            )
        )
    rows.sort(key=lambda r: r.code)
    return TrialBalance(date_from=date_from, date_to=date_to, rows=rows)


# --------------------------------------------------------------------------------------------
# balance sheet and profit and loss


@dataclass
class ReportLine:
    account_id: int | None
    code: str
    name: str
    amount: Decimal
    compare: Decimal | None = None


@dataclass
class ReportSection:
    key: str
    title: str
    lines: list[ReportLine] = field(default_factory=list)

    @property
    def total(self) -> Decimal:
        return sum((ln.amount for ln in self.lines), ZERO)

    @property
    def compare_total(self) -> Decimal | None:
        if not self.lines or all(ln.compare is None for ln in self.lines):
            return None
        return sum((ln.compare or ZERO for ln in self.lines), ZERO)


def _balances_through(company_id: int, on: dt.date, types: tuple[str, ...]) -> dict[int, Decimal]:
    """Cumulative balance per account up to and including `on` (closing entries included)."""
    rows = (
        AccountBalance.objects.filter(
            company_id=company_id, period__end_date__lte=on, account__type__in=types
        )
        .values("account_id")
        .annotate(
            b=Coalesce(Sum(F("debit") - F("credit"), output_field=_AMOUNT), Value(ZERO), output_field=_AMOUNT)
        )
    )
    result = {r["account_id"]: cents(r["b"]) for r in rows}
    partial = Period.objects.filter(
        company_id=company_id, kind=PeriodKind.REGULAR, start_date__lte=on, end_date__gt=on
    ).values_list("pk", flat=True)
    if partial:
        for r in (
            JournalLine.objects.filter(
                company_id=company_id, period_id__in=list(partial), date__lte=on, account__type__in=types
            )
            .values("account_id")
            .annotate(b=Sum(F("debit") - F("credit"), output_field=_AMOUNT))
        ):
            result[r["account_id"]] = result.get(r["account_id"], ZERO) + cents(r["b"])
    return result


def account_balance_on(account: Account, on: dt.date) -> Decimal:
    return _balances_through(account.company_id, on, (account.type,)).get(account.pk, ZERO)


def _result_for(company_id: int, date_from: dt.date, date_to: dt.date) -> dict[int, Decimal]:
    """Movement per P&L account in the range, without year-end closing entries."""
    within = Q(period__start_date__gte=date_from, period__end_date__lte=date_to) & ~Q(
        period__kind=PeriodKind.CLOSING
    )
    rows = (
        AccountBalance.objects.filter(company_id=company_id, account__type__in=PROFIT_AND_LOSS_TYPES)
        .filter(within)
        .values("account_id")
        .annotate(b=Sum(F("debit") - F("credit"), output_field=_AMOUNT))
    )
    result = {r["account_id"]: cents(r["b"]) for r in rows}
    partial = _partial_periods(company_id, date_from, date_to)
    if partial:
        for r in (
            JournalLine.objects.filter(
                company_id=company_id,
                period_id__in=[p.pk for p in partial],
                date__gte=date_from,
                date__lte=date_to,
                account__type__in=PROFIT_AND_LOSS_TYPES,
            )
            .values("account_id")
            .annotate(b=Sum(F("debit") - F("credit"), output_field=_AMOUNT))
        ):
            result[r["account_id"]] = result.get(r["account_id"], ZERO) + cents(r["b"])
    return result


_PNL_SECTIONS = (
    ("revenue", "Revenue", {AccountSubtype.REVENUE}, -1),
    ("cost_of_sales", "Cost of sales", {AccountSubtype.COST_OF_SALES}, 1),
    (
        "expenses",
        "Operating expenses",
        {AccountSubtype.EXPENSE, AccountSubtype.DEPRECIATION, AccountSubtype.OTHER},
        1,
    ),
    ("other_income", "Other income", {AccountSubtype.OTHER_INCOME}, -1),
    ("financial", "Financial income and expense", {AccountSubtype.FINANCIAL}, 1),
)


@dataclass
class ProfitAndLoss:
    date_from: dt.date
    date_to: dt.date
    compare_from: dt.date | None
    compare_to: dt.date | None
    sections: list[ReportSection]
    result: Decimal  # profit (positive) or loss (negative)
    compare_result: Decimal | None

    def section(self, key: str) -> ReportSection:
        return next(s for s in self.sections if s.key == key)


def profit_and_loss(
    company: Any,
    *,
    date_from: dt.date,
    date_to: dt.date,
    compare_from: dt.date | None = None,
    compare_to: dt.date | None = None,
) -> ProfitAndLoss:
    """Income and expenses of the range (and of a comparison range), grouped into sections.

    Revenue and other income are shown positive; costs are shown positive; the result is
    revenue − costs. Financial lines show their cost (income negative).
    """
    company_id = _company_id(company)
    current = _result_for(company_id, date_from, date_to)
    compare = _result_for(company_id, compare_from, compare_to) if compare_from and compare_to else None
    accounts = {
        a["id"]: a
        for a in Account.objects.filter(
            company_id=company_id, type__in=PROFIT_AND_LOSS_TYPES, is_group=False
        ).values("id", "code", "name", "type", "subtype")
    }
    sections = []
    placed: set[int] = set()
    for key, title, subtypes, sign in _PNL_SECTIONS:
        section = ReportSection(key, title)
        for account_id in sorted(accounts, key=lambda i: accounts[i]["code"]):
            acc = accounts[account_id]
            if acc["subtype"] not in subtypes or account_id in placed:
                continue
            amount = current.get(account_id, ZERO)
            other = compare.get(account_id, ZERO) if compare is not None else None
            if not amount and not other:
                continue
            placed.add(account_id)
            section.lines.append(
                ReportLine(
                    account_id,
                    acc["code"],
                    acc["name"],
                    sign * amount,
                    None if other is None else sign * other,
                )
            )
        sections.append(section)
    leftovers = ReportSection("other", "Other")
    for account_id in sorted(set(current) - placed, key=lambda i: accounts.get(i, {}).get("code", "")):
        acc = accounts.get(account_id)
        if acc is None or not current[account_id]:
            continue
        sign = -1 if acc["type"] == AccountType.INCOME else 1
        other = compare.get(account_id, ZERO) if compare is not None else None
        leftovers.lines.append(
            ReportLine(
                account_id,
                acc["code"],
                acc["name"],
                sign * current[account_id],
                None if other is None else sign * other,
            )
        )
    if leftovers.lines:
        sections.append(leftovers)
    result = -sum(current.values(), ZERO)
    compare_result = -sum(compare.values(), ZERO) if compare is not None else None
    return ProfitAndLoss(date_from, date_to, compare_from, compare_to, sections, result, compare_result)


@dataclass
class BalanceSheet:
    on: dt.date
    compare_on: dt.date | None
    assets: ReportSection
    liabilities: ReportSection
    equity: ReportSection

    @property
    def total_assets(self) -> Decimal:
        return self.assets.total

    @property
    def total_liabilities_and_equity(self) -> Decimal:
        return self.liabilities.total + self.equity.total

    @property
    def is_balanced(self) -> bool:
        return self.total_assets == self.total_liabilities_and_equity


def balance_sheet(company: Any, *, on: dt.date, compare_on: dt.date | None = None) -> BalanceSheet:
    """Assets, liabilities and equity on a date; the result not yet closed shows under equity."""
    company_id = _company_id(company)

    def collect(day: dt.date) -> tuple[dict[int, Decimal], Decimal]:
        balances = _balances_through(company_id, day, (*BALANCE_SHEET_TYPES, *PROFIT_AND_LOSS_TYPES))
        accounts_types = dict(Account.objects.filter(company_id=company_id).values_list("id", "type"))
        unclosed = -sum(
            (b for a, b in balances.items() if accounts_types.get(a) in PROFIT_AND_LOSS_TYPES), ZERO
        )
        return {a: b for a, b in balances.items() if accounts_types.get(a) in BALANCE_SHEET_TYPES}, unclosed

    current, result = collect(on)
    previous, previous_result = collect(compare_on) if compare_on else ({}, None)
    accounts = list(
        Account.objects.filter(company_id=company_id, type__in=BALANCE_SHEET_TYPES, is_group=False)
        .order_by("code")
        .values("id", "code", "name", "type")
    )
    sections = {
        AccountType.ASSET: ReportSection("assets", "Assets"),
        AccountType.LIABILITY: ReportSection("liabilities", "Liabilities"),
        AccountType.EQUITY: ReportSection("equity", "Equity"),
    }
    for acc in accounts:
        amount = current.get(acc["id"], ZERO)
        other = previous.get(acc["id"], ZERO) if compare_on else None
        if not amount and not other:
            continue
        sign = 1 if acc["type"] == AccountType.ASSET else -1
        sections[acc["type"]].lines.append(
            ReportLine(
                acc["id"], acc["code"], acc["name"], sign * amount, None if other is None else sign * other
            )
        )
    if result or previous_result:
        sections[AccountType.EQUITY].lines.append(
            ReportLine(None, "", "Result not yet closed", result, previous_result)
        )
    return BalanceSheet(
        on=on,
        compare_on=compare_on,
        assets=sections[AccountType.ASSET],
        liabilities=sections[AccountType.LIABILITY],
        equity=sections[AccountType.EQUITY],
    )


# --------------------------------------------------------------------------------------------
# drill-down: one account's lines


@dataclass
class LedgerLine:
    id: int
    date: dt.date
    entry_id: int
    number: str
    journal: str
    description: str
    party: str
    debit: Decimal
    credit: Decimal
    balance: Decimal  # running balance after this line
    source_type: str
    source_id: int | None
    amount_currency: Decimal | None
    currency: str


@dataclass
class AccountLedger:
    account: Account
    date_from: dt.date
    date_to: dt.date
    opening: Decimal
    closing: Decimal
    lines: list[LedgerLine]
    next_cursor: str | None


# One statement per page, every part of it bounded by the range:
# - `page`: the range's lines newest first after the cursor, through the (account, date, id,
#   debit, credit) index, cut to the page before any other table is joined;
# - `balance`: the opening balance from the balance table (the periods that end before the
#   range) plus the lines of the one regular period the range starts inside, before its first
#   day — never a sum over the account's whole history of lines (the period's start bounds the
#   index range, so no database reads the lines before it); and the sum of the range's
#   lines up to the page's first line (index-only, like the page);
# - the running balance within the page: a window sum over the page's lines newer than each one.
# The LEFT JOIN keeps the balance row when the page is empty.
_LEDGER_PAGE_SQL = """
WITH page AS (
    SELECT id, date, debit - credit AS amount
      FROM ledger_journalline
     WHERE account_id = %(account)s AND date >= %(date_from)s AND date <= %(date_to)s
       AND {up_to_cursor}
     ORDER BY date DESC, id DESC
     LIMIT %(limit)s
),
balance AS (
    SELECT
        (SELECT COALESCE(SUM(b.debit - b.credit), 0)
           FROM ledger_accountbalance b
           JOIN ledger_period p ON p.id = b.period_id
          WHERE b.account_id = %(account)s AND p.end_date < %(date_from)s)
      + (SELECT COALESCE(SUM(debit - credit), 0)
           FROM ledger_journalline
          WHERE account_id = %(account)s AND date < %(date_from)s
            AND date >= (SELECT start_date FROM ledger_period WHERE {cut_period})
            AND period_id = (SELECT id FROM ledger_period WHERE {cut_period})) AS opening,
        (SELECT COALESCE(SUM(debit - credit), 0)
           FROM ledger_journalline
          WHERE account_id = %(account)s AND date >= %(date_from)s AND date <= %(date_to)s
            AND {up_to_cursor}) AS through_page,
        {movement} AS movement
)
SELECT balance.opening, balance.through_page, balance.movement,
       SUM(page.amount) OVER (
           ORDER BY page.date DESC, page.id DESC ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING
       ) AS newer_in_page,
       l.id, l.date, l.entry_id, l.debit, l.credit, l.description, l.amount_currency, l.currency,
       e.number, e.memo, e.source_type, e.source_id, j.code, party.name
  FROM balance
  LEFT JOIN page ON 1 = 1
  LEFT JOIN ledger_journalline l ON l.id = page.id
  LEFT JOIN ledger_journalentry e ON e.id = l.entry_id
  LEFT JOIN ledger_journal j ON j.id = e.journal_id
  LEFT JOIN parties_party party ON party.id = l.party_id
 ORDER BY page.date DESC, page.id DESC
"""
# The regular period the range starts inside (after its first day), if any. Its start bounds the
# lines read for the opening balance; with none, the bound is NULL and no line is read.
_CUT_PERIOD = (
    "company_id = %(company)s AND kind = %(regular)s"
    " AND start_date < %(date_from)s AND end_date >= %(date_from)s"
)
# A later page starts below the cursor's line; the closing balance then needs the whole range.
_OLDER_THAN_CURSOR = "(date < %(cursor_date)s OR (date = %(cursor_date)s AND id < %(cursor_id)s))"
_RANGE_MOVEMENT = """(SELECT COALESCE(SUM(debit - credit), 0)
           FROM ledger_journalline
          WHERE account_id = %(account)s AND date >= %(date_from)s AND date <= %(date_to)s)"""


def _amount(value: Any, places: int = 2) -> Decimal:
    """A raw SQL amount as an exact Decimal: PostgreSQL sends numerics, SQLite floats or ints."""
    return quantize(value if isinstance(value, Decimal) else Decimal(str(value)), places=places)


def _day(value: Any) -> dt.date:
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(value)


def parse_cursor(cursor: str) -> tuple[dt.date, int]:
    """ "<date>:<line id>" of the last line shown; ValueError when it is not one."""
    day_text, _sep, id_text = cursor.partition(":")
    return dt.date.fromisoformat(day_text), int(id_text)


def general_ledger(
    account: Account,
    *,
    date_from: dt.date,
    date_to: dt.date,
    page_size: int = 50,
    cursor: str | None = None,
) -> AccountLedger:
    """The account's lines in the range, newest first, with the balance after each line.

    `cursor` ("<date>:<line id>" of the last line shown) pages further back. One keyset query
    per page (see _LEDGER_PAGE_SQL): the balance after a line is the opening balance plus the
    sum of the range's lines up to and including it, so every page shows the same balances
    however it was reached.
    """
    adapt = connection.ops.adapt_datefield_value
    params: dict[str, Any] = {
        "account": account.pk,
        "company": account.company_id,
        "regular": PeriodKind.REGULAR,
        "date_from": adapt(date_from),
        "date_to": adapt(date_to),
        "limit": page_size + 1,
    }
    up_to_cursor, movement = "1 = 1", "NULL"
    if cursor:
        cursor_date, params["cursor_id"] = parse_cursor(cursor)
        params["cursor_date"] = adapt(cursor_date)
        up_to_cursor, movement = _OLDER_THAN_CURSOR, _RANGE_MOVEMENT
    with connection.cursor() as db:
        db.execute(
            _LEDGER_PAGE_SQL.format(cut_period=_CUT_PERIOD, up_to_cursor=up_to_cursor, movement=movement),
            params,
        )
        rows = db.fetchall()
    opening, through_page = _amount(rows[0][0]), _amount(rows[0][1])
    closing = opening + (through_page if movement == "NULL" else _amount(rows[0][2]))
    lines = [
        LedgerLine(
            id=line_id,
            date=_day(day),
            entry_id=entry_id,
            number=number,
            journal=journal,
            description=description or memo,
            party=party or "",
            debit=_amount(debit),
            credit=_amount(credit),
            balance=opening + through_page - _amount(newer or 0),
            source_type=source_type,
            source_id=source_id,
            amount_currency=None if in_currency is None else _amount(in_currency, places=3),
            currency=currency,
        )
        for (
            _opening,
            _through_page,
            _movement,
            newer,
            line_id,
            day,
            entry_id,
            debit,
            credit,
            description,
            in_currency,
            currency,
            number,
            memo,
            source_type,
            source_id,
            journal,
            party,
        ) in rows
        if line_id is not None
    ]
    more = len(lines) > page_size
    lines = lines[:page_size]
    next_cursor = f"{lines[-1].date.isoformat()}:{lines[-1].id}" if more else None
    return AccountLedger(account, date_from, date_to, opening, closing, lines, next_cursor)


# --------------------------------------------------------------------------------------------
# journal report and partner statements


@dataclass
class JournalReportEntry:
    entry: JournalEntry
    lines: list[JournalLine]


def journal_report(
    company: Any,
    *,
    date_from: dt.date,
    date_to: dt.date,
    journal: str | None = None,
    limit: int = 200,
    offset: int = 0,
) -> tuple[list[JournalReportEntry], dict[str, Decimal], int]:
    """Posted entries of a journal (or all) in the range with their lines, oldest first.

    Returns (entries of this page, totals {debit, credit} over the whole range, entry count).
    """
    company_id = _company_id(company)
    entries_qs = JournalEntry.objects.filter(
        company_id=company_id, date__gte=date_from, date__lte=date_to
    ).exclude(status="draft")
    if journal:
        entries_qs = entries_qs.filter(journal__code=journal)
    count = entries_qs.count()
    entries = list(
        entries_qs.select_related("journal").order_by("date", "journal__code", "number")[
            offset : offset + limit
        ]
    )
    by_entry: dict[int, list[JournalLine]] = defaultdict(list)
    for line in (
        JournalLine.objects.filter(entry_id__in=[e.pk for e in entries])
        .select_related("account", "party", "tax_code")
        .order_by("entry_id", "line_no")
    ):
        by_entry[line.entry_id].append(line)
    totals_qs = JournalLine.objects.filter(entry__in=entries_qs)
    totals = {
        key: cents(value)
        for key, value in totals_qs.aggregate(debit=Sum("debit"), credit=Sum("credit")).items()
    }
    return [JournalReportEntry(e, by_entry.get(e.pk, [])) for e in entries], totals, count


@dataclass
class StatementLine:
    date: dt.date
    number: str
    description: str
    due_date: dt.date | None
    debit: Decimal
    credit: Decimal
    balance: Decimal
    entry_id: int
    source_type: str
    source_id: int | None
    account: str


@dataclass
class PartnerStatement:
    party_id: int
    party: str
    date_from: dt.date
    date_to: dt.date
    opening: Decimal
    lines: list[StatementLine]

    @property
    def closing(self) -> Decimal:
        return self.lines[-1].balance if self.lines else self.opening


def partner_statement(
    company: Any,
    party: Any,
    *,
    date_from: dt.date,
    date_to: dt.date,
    subtypes: tuple[str, ...] = (AccountSubtype.RECEIVABLE, AccountSubtype.PAYABLE),
) -> PartnerStatement:
    """Everything a party owes or is owed on receivable/payable accounts, with running balance."""
    company_id = _company_id(company)
    party_id = getattr(party, "pk", party)
    base = JournalLine.objects.filter(company_id=company_id, party_id=party_id, account__subtype__in=subtypes)
    opening = cents(
        base.filter(date__lt=date_from).aggregate(b=Sum(F("debit") - F("credit"), output_field=_AMOUNT))["b"]
    )
    running = opening
    lines = []
    for row in (
        base.filter(date__gte=date_from, date__lte=date_to)
        .order_by("date", "id")
        .values(
            "date",
            "entry__number",
            "entry__memo",
            "description",
            "due_date",
            "debit",
            "credit",
            "entry_id",
            "entry__source_type",
            "entry__source_id",
            "entry__source_number",
            "account__code",
        )
    ):
        running += row["debit"] - row["credit"]
        lines.append(
            StatementLine(
                date=row["date"],
                number=row["entry__source_number"] or row["entry__number"],
                description=row["description"] or row["entry__memo"],
                due_date=row["due_date"],
                debit=row["debit"],
                credit=row["credit"],
                balance=running,
                entry_id=row["entry_id"],
                source_type=row["entry__source_type"],
                source_id=row["entry__source_id"],
                account=row["account__code"],
            )
        )
    name = getattr(party, "name", "") if not isinstance(party, int) else ""
    if not name:
        from kern.parties.models import Party

        name = Party.objects.filter(pk=party_id).values_list("name", flat=True).first() or ""
    return PartnerStatement(party_id, name, date_from, date_to, opening, lines)
