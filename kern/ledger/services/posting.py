"""Posting: the one door through which every financial fact enters the books.

`post_entry` / `post_entries` check everything first (balance, accounts, party, tax codes,
period, lock date), then write with a fixed number of statements however many lines:

1. one UPDATE of the company's `Books` row: takes the posting lock, advances the hash chain and
   returns the settings version and lock date (the settings cache is reloaded if it moved);
2. one `UPDATE … RETURNING` per journal and year on core's sequence: gapless numbers;
3. one INSERT of the entries, 4. one INSERT of the lines;
5. one `INSERT … ON CONFLICT DO UPDATE` adding the amounts to the per-account-per-period balances;
6. (batches only) one UPDATE writing the new chain head.

The lock order is always: books row, then sequence rows (by kind), then balance rows (sorted),
so two postings of one company never deadlock.
"""

from __future__ import annotations

import datetime as dt
import json
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from decimal import Decimal
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from kern.core import audit, context
from kern.core.db import atomic, current_connection, statement_cursor
from kern.core.events import emit
from kern.core.exceptions import KernError, ValidationFailed
from kern.core.money import InvalidAmount, UnknownCurrency, minor_units, quantize, to_decimal
from kern.core.numbering import NumberClaim, claim_numbers, next_numbers
from kern.core.prepared import Prepared
from kern.core.rows import column_casts, inserted_ids
from kern.core.selectors import rate_on
from kern.core.workflow import transition
from kern.ledger.events import ENTRY_POSTED, EntryPosted
from kern.ledger.exceptions import (
    BeforeLockDate,
    LedgerCode,
    LedgerConflict,
    LedgerInvalid,
    NoFiscalYear,
    PeriodClosed,
    UnbalancedEntry,
    UnknownAccount,
    UnknownTaxCode,
)
from kern.ledger.models import (
    AccountBalance,
    AccountSubtype,
    Books,
    DraftLine,
    EntryKind,
    EntryStatus,
    JournalEntry,
    JournalLine,
)
from kern.ledger.selectors.chain import chain_hash, content_hash, line_fingerprint
from kern.ledger.selectors.config import (
    AccountInfo,
    BooksConfig,
    JournalInfo,
    PeriodInfo,
    config_for,
    remember_parties,
)
from kern.ledger.specs import EntrySpec, LineSpec, SourceRef

__all__ = [
    "ZERO",
    "EntrySpec",
    "LineSpec",
    "SourceRef",
    "post_entries",
    "post_entry",
    "reverse_entry",
]

ZERO = Decimal("0")


@dataclass
class _Line:
    line_no: int
    account: AccountInfo
    party_id: int | None
    debit: Decimal
    credit: Decimal
    amount_currency: Decimal | None
    currency: str
    tax_code_id: int | None
    tax_kind: str
    vat_box: str
    description: str
    analytic: dict[str, str] | None
    due_date: dt.date | None

    def fingerprint(self) -> list[Any]:
        return line_fingerprint(
            line_no=self.line_no,
            account_id=self.account.id,
            party_id=self.party_id,
            debit=self.debit,
            credit=self.credit,
            amount_currency=self.amount_currency,
            currency=self.currency,
            tax_code_id=self.tax_code_id,
            vat_box=self.vat_box,
            description=self.description,
            due_date=self.due_date,
        )


@dataclass
class _Prepared:
    spec: EntrySpec
    journal: JournalInfo
    period: PeriodInfo
    lines: list[_Line]
    total: Decimal
    content: str
    draft: JournalEntry | None = None
    number: str = ""
    seq: int = 0
    prev_hash: str = ""
    hash: str = ""
    entry: JournalEntry | None = field(default=None, repr=False)


# --------------------------------------------------------------------------------------------
# validation


def _fail(field_name: str, message: str, *, code: str = LedgerCode.INVALID_LINE, cls=LedgerInvalid) -> None:
    raise cls(f"{field_name}: {message}", code=code, errors={field_name: [message]})


def _amount(value: Any, currency: str, field_name: str) -> Decimal:
    try:
        amount = to_decimal(value if value is not None else ZERO)
    except InvalidAmount as exc:
        _fail(field_name, str(exc))
    if amount < 0:
        _fail(field_name, _("must not be negative; put it on the other side"))
    if quantize(amount, currency) != amount:
        _fail(
            field_name,
            _("has more decimals than %(currency)s allows (%(places)s)")
            % {"currency": currency, "places": minor_units(currency)},
        )
    return amount + ZERO


def _resolve_account(spec: LineSpec, cfg: BooksConfig, where: str) -> AccountInfo:
    if spec.account and spec.role:
        _fail(f"{where}.account", _("give an account code or a role, not both"))
    if spec.role:
        account_id = cfg.roles.get(spec.role)
        if account_id is None:
            raise UnknownAccount(
                f"{where}.role: "
                + _("no account plays the role %(role)r in this company") % {"role": spec.role},
                errors={f"{where}.role": [_("no account has the role %(role)r") % {"role": spec.role}]},
            )
        account = cfg.accounts_by_id[account_id]
    elif spec.account:
        account = cfg.accounts_by_code.get(str(spec.account))
        if account is None:
            raise UnknownAccount(
                f"{where}.account: " + _("there is no account %(code)r") % {"code": spec.account},
                errors={f"{where}.account": [_("unknown account %(code)r") % {"code": spec.account}]},
            )
    else:
        _fail(f"{where}.account", _("an account code or a role is required"))
    if account.is_group:
        _fail(
            f"{where}.account",
            _("%(code)s is a group account; post to one of its children") % {"code": account.code},
            code=LedgerCode.ACCOUNT_NOT_POSTABLE,
        )
    if not account.is_active:
        _fail(
            f"{where}.account",
            _("%(code)s is inactive") % {"code": account.code},
            code=LedgerCode.ACCOUNT_NOT_POSTABLE,
        )
    return account


def _resolve_period(spec: EntrySpec, cfg: BooksConfig) -> PeriodInfo:
    on = spec.on
    if spec.kind in (EntryKind.OPENING, EntryKind.CLOSING):
        year = cfg.year_of(on)
        if year is None:
            raise NoFiscalYear(
                _("no fiscal year covers %(date)s: open the fiscal year first") % {"date": on.isoformat()},
                date=on.isoformat(),
            )
        start, end, _status = cfg.years[year]
        expected = start if spec.kind == EntryKind.OPENING else end
        if on != expected:
            _fail(
                "on",
                (
                    _("opening entries are dated %(date)s, the first day of fiscal year %(year)s")
                    if spec.kind == EntryKind.OPENING
                    else _("closing entries are dated %(date)s, the last day of fiscal year %(year)s")
                )
                % {"date": expected.isoformat(), "year": year},
            )
        period = cfg.special_periods.get((year, spec.kind))
    else:
        period = cfg.regular_period_on(on)
    if period is None:
        raise NoFiscalYear(
            _("no fiscal year covers %(date)s: open the fiscal year first") % {"date": on.isoformat()},
            date=on.isoformat(),
        )
    return period


class _Rates:
    """Exchange rates looked up once per (currency, date) within one posting."""

    def __init__(self, company: Any, base: str):
        self.company = company
        self.base = base
        self.rates: dict[tuple[str, dt.date], Decimal] = {}

    def convert(self, amount: Decimal, currency: str, on: dt.date) -> Decimal:
        key = (currency, on)
        if key not in self.rates:
            self.rates[key] = rate_on(currency, self.base, on, company=self.company)
        return quantize(amount * self.rates[key], self.base)


def _prepare(spec: EntrySpec, cfg: BooksConfig, base: str, rates: _Rates, index: int) -> _Prepared:
    prefix = f"entries[{index}]." if index >= 0 else ""
    journal = cfg.journals_by_code.get(spec.journal) or cfg.journals_by_kind.get(spec.journal)
    if journal is None:
        _fail(
            f"{prefix}journal",
            _("no journal with code or kind %(journal)r") % {"journal": spec.journal},
            code=LedgerCode.UNKNOWN_JOURNAL,
        )
    if not journal.is_active:
        _fail(
            f"{prefix}journal",
            _("journal %(code)s is inactive") % {"code": journal.code},
            code=LedgerCode.UNKNOWN_JOURNAL,
        )
    if not isinstance(spec.on, dt.date) or isinstance(spec.on, dt.datetime):
        _fail(f"{prefix}on", _("a date is required"))
    if len(spec.memo or "") > 255:
        _fail(f"{prefix}memo", _("at most 255 characters"))
    period = _resolve_period(spec, cfg)
    if not spec.lines or len(spec.lines) < 2:
        _fail(f"{prefix}lines", _("an entry needs at least two lines"))
    lines: list[_Line] = []
    converted = 0
    for n, line_spec in enumerate(spec.lines, start=1):
        where = f"{prefix}lines[{n - 1}]"
        account = _resolve_account(line_spec, cfg, where)
        debit = _amount(line_spec.debit, base, f"{where}.debit")
        credit = _amount(line_spec.credit, base, f"{where}.credit")
        if debit and credit:
            _fail(f"{where}", _("a line is either a debit or a credit, not both"))
        currency = (line_spec.currency or "").upper()
        amount_currency = None
        if line_spec.amount_currency is not None or currency:
            if not currency:
                _fail(f"{where}.currency", _("the currency of amount_currency is required"))
            try:
                places = minor_units(currency)
            except UnknownCurrency:
                _fail(f"{where}.currency", _("unknown currency %(currency)r") % {"currency": currency})
            if line_spec.amount_currency is None:
                _fail(
                    f"{where}.amount_currency",
                    _("the amount in %(currency)s is required") % {"currency": currency},
                )
            try:
                amount_currency = to_decimal(line_spec.amount_currency) + ZERO
            except InvalidAmount as exc:
                _fail(f"{where}.amount_currency", str(exc))
            if quantize(amount_currency, places=places) != amount_currency:
                _fail(
                    f"{where}.amount_currency",
                    _("has more decimals than %(currency)s allows (%(places)s)")
                    % {"currency": currency, "places": places},
                )
            if currency == base:
                if amount_currency != debit - credit:
                    _fail(
                        f"{where}.amount_currency",
                        _("in %(currency)s it must equal debit minus credit") % {"currency": base},
                    )
            elif not debit and not credit and amount_currency:
                # Convert at the day's rate; the caller gave only the foreign amount.
                value = rates.convert(abs(amount_currency), currency, spec.on)
                debit, credit = (value, ZERO) if amount_currency > 0 else (ZERO, value)
                converted += 1
            elif (amount_currency > 0 and credit) or (amount_currency < 0 and debit):
                _fail(f"{where}.amount_currency", _("must have the same sign as debit minus credit"))
        if account.currency and account.currency != base and currency != account.currency:
            _fail(
                f"{where}.currency",
                _("account %(code)s is kept in %(currency)s")
                % {"code": account.code, "currency": account.currency},
            )
        party_id = line_spec.party_id
        if party_id is not None and (not isinstance(party_id, int) or isinstance(party_id, bool)):
            _fail(f"{where}.party_id", _("must be a party id"))
        if account.requires_party and party_id is None:
            _fail(
                f"{where}.party_id",
                _("account %(code)s is a %(subtype)s account: name the party")
                % {"code": account.code, "subtype": account.subtype},
                code=LedgerCode.PARTY_REQUIRED,
            )
        tax_code_id, tax_kind, vat_box = None, "", ""
        if line_spec.tax_code:
            tax = cfg.taxes_by_code.get(line_spec.tax_code)
            if tax is None or not tax.is_active:
                raise UnknownTaxCode(
                    f"{where}.tax_code: "
                    + _("there is no active tax code %(code)r") % {"code": line_spec.tax_code},
                    errors={
                        f"{where}.tax_code": [_("unknown tax code %(code)r") % {"code": line_spec.tax_code}]
                    },
                )
            tax_code_id = tax.id
            if account.id == tax.deductible_account_id:
                tax_kind, vat_box = "tax", tax.deductible_box
            elif account.id == tax.account_id or account.subtype == AccountSubtype.VAT:
                tax_kind, vat_box = "tax", tax.tax_box
            else:
                tax_kind, vat_box = "base", tax.base_box
        description = line_spec.description or ""
        if len(description) > 255:
            _fail(f"{where}.description", _("at most 255 characters"))
        analytic = line_spec.analytic
        if analytic is not None:
            if not isinstance(analytic, dict) or not all(
                isinstance(k, str) and isinstance(v, str) for k, v in analytic.items()
            ):
                _fail(f"{where}.analytic", _("analytic tags are text keys with text values"))
            analytic = dict(analytic) or None
        lines.append(
            _Line(
                line_no=n,
                account=account,
                party_id=party_id,
                debit=debit,
                credit=credit,
                amount_currency=amount_currency,
                currency=currency if amount_currency is not None else "",
                tax_code_id=tax_code_id,
                tax_kind=tax_kind,
                vat_box=vat_box or "",
                description=description,
                analytic=analytic,
                due_date=line_spec.due_date,
            )
        )
    debit_total = sum((ln.debit for ln in lines), ZERO)
    credit_total = sum((ln.credit for ln in lines), ZERO)
    difference = debit_total - credit_total
    if difference and converted and abs(difference) <= Decimal("0.01") * converted:
        # Converting each foreign line at the day's rate can leave a cent per line; book it
        # on the rounding account rather than refusing an entry balanced in its own currency.
        rounding = cfg.roles.get("rounding")
        if rounding is None:
            raise UnbalancedEntry(debit_total, credit_total, base)
        lines.append(
            _Line(
                line_no=len(lines) + 1,
                account=cfg.accounts_by_id[rounding],
                party_id=None,
                debit=-difference if difference < 0 else ZERO,
                credit=difference if difference > 0 else ZERO,
                amount_currency=None,
                currency="",
                tax_code_id=None,
                tax_kind="",
                vat_box="",
                description="currency rounding",
                analytic=None,
                due_date=None,
            )
        )
        debit_total = credit_total = max(debit_total, credit_total)
        difference = ZERO
    if difference:
        raise UnbalancedEntry(debit_total, credit_total, base)
    if not debit_total and not any(ln.amount_currency for ln in lines):
        _fail(f"{prefix}lines", _("the entry moves no amount"))
    source = spec.source
    content = content_hash(
        company_id=cfg.company_id,
        journal_id=journal.id,
        date=spec.on,
        kind=spec.kind,
        memo=spec.memo or "",
        source_type=source.type if source else "",
        source_id=source.id if source else None,
        source_number=source.number if source else "",
        reversal_of_id=spec.reversal_of.pk if spec.reversal_of is not None else None,
        lines=[ln.fingerprint() for ln in lines],
    )
    return _Prepared(
        spec=spec, journal=journal, period=period, lines=lines, total=debit_total, content=content
    )


def _check_open(prepared: list[_Prepared], lock_date: dt.date | None) -> None:
    for item in prepared:
        on = item.spec.on
        if lock_date is not None and on <= lock_date:
            raise BeforeLockDate(
                _("the books are locked up to %(lock_date)s; %(date)s cannot be posted")
                % {"lock_date": lock_date.isoformat(), "date": on.isoformat()},
                lock_date=lock_date.isoformat(),
                date=on.isoformat(),
            )
        if not item.period.is_open:
            raise PeriodClosed(
                _("the period of %(date)s is closed; reopen it or post in an open period")
                % {"date": on.isoformat()},
                date=on.isoformat(),
            )


def _parties_query(_shape: tuple[int], *, company_id: int, party_ids: tuple[int, ...]) -> Any:
    from kern.parties.models import Party

    return Party.objects.filter(company_id=company_id, pk__in=party_ids).order_by().values_list("pk")


# A posting's first line for a party not seen before asks whether it is this company's; the ORM
# built that question anew each time (about 1 % of an O2C order while customers are new).
_PARTIES = Prepared(_parties_query)


def _check_parties(cfg: BooksConfig, prepared: list[_Prepared]) -> None:
    wanted = {ln.party_id for item in prepared for ln in item.lines if ln.party_id is not None}
    unknown = wanted - cfg.parties
    if not unknown:
        return
    ids = tuple(sorted(unknown))
    found = {pk for (pk,) in _PARTIES.rows((len(ids),), company_id=cfg.company_id, party_ids=ids)}
    missing = sorted(unknown - found)
    if missing:
        raise LedgerInvalid(
            "party_id: " + _("no party %(id)s in this company") % {"id": missing[0]},
            code=LedgerCode.INVALID_LINE,
            errors={"party_id": [_("unknown party %(id)s") % {"id": pid} for pid in missing]},
        )
    remember_parties(cfg, found)


# --------------------------------------------------------------------------------------------
# the chain and the books row

_ADVANCE_ONE = {
    "postgresql": (
        "UPDATE ledger_books SET prev_head = chain_head, "
        "chain_head = encode(sha256(convert_to(chain_head || ':' || (chain_length + 1)::text || ':' || %s, "
        "'UTF8')), 'hex'), chain_length = chain_length + 1 WHERE company_id = %s "
        "RETURNING prev_head, chain_head, chain_length, version, lock_date"
    ),
    "sqlite": (
        "UPDATE ledger_books SET prev_head = chain_head, "
        "chain_head = kern_chain_hash(chain_head, chain_length + 1, %s), chain_length = chain_length + 1 "
        "WHERE company_id = %s RETURNING prev_head, chain_head, chain_length, version, lock_date"
    ),
}
_ADVANCE_MANY = (
    "UPDATE ledger_books SET prev_head = chain_head, chain_length = chain_length + %s "
    "WHERE company_id = %s RETURNING prev_head, chain_head, chain_length, version, lock_date"
)
_SET_HEAD = "UPDATE ledger_books SET chain_head = %s WHERE company_id = %s"


# PostgreSQL, one entry: the books row and the journal's counter in one round trip. The counter
# is updated only once the books row is locked (its WHERE reads b: an InitPlan run first), so the
# lock order books → sequence holds as in the two-statement form.
_ADVANCE_ONE_AND_NUMBER = (
    "WITH b AS (" + _ADVANCE_ONE["postgresql"] + "), "  # noqa: S608 (constants of this module)
    "s AS (UPDATE core_sequence SET last_value = last_value + %s WHERE company_id = %s AND kind = %s "
    "AND period_key = %s AND EXISTS (SELECT 1 FROM b) RETURNING last_value, pattern) "
    "SELECT b.prev_head, b.chain_head, b.chain_length, b.version, b.lock_date, s.last_value, s.pattern "
    "FROM b LEFT JOIN s ON TRUE"
)


def _lock_books(
    company_id: int, prepared: list[_Prepared], claim: NumberClaim | None = None
) -> tuple[int, dt.date | None]:
    """Lock the books, advance the chain; returns (version, lock_date) as they are now.

    With a `claim` (one entry, PostgreSQL) the entry's number is taken in the same statement and
    set on it; it stays empty when the counter does not exist yet (`_assign_numbers` creates it).
    """
    with statement_cursor() as cursor:
        if claim is not None:
            cursor.execute(_ADVANCE_ONE_AND_NUMBER, [prepared[0].content, company_id, *claim.params])
        elif len(prepared) == 1:
            cursor.execute(_ADVANCE_ONE[current_connection().vendor], [prepared[0].content, company_id])
        else:
            cursor.execute(_ADVANCE_MANY, [len(prepared), company_id])
        row = cursor.fetchone()
    return _take_books_row(row, prepared, claim)


def _take_books_row(
    row: tuple | None, prepared: list[_Prepared], claim: NumberClaim | None
) -> tuple[int, dt.date | None]:
    """Set the chain position (and a claimed number) on the entries from the books row the lock
    returned; returns (version, lock_date)."""
    if row is None:
        raise LedgerConflict(
            _("this company has no books yet: install a chart of accounts first"), code=LedgerCode.NOT_ALLOWED
        )
    if claim is not None:
        row, (last, pattern) = row[:5], row[5:7]
        if last is not None:
            prepared[0].number = claim.numbers(last, pattern)[0]
    prev, head, length, version, lock_date = row
    if isinstance(lock_date, str):  # SQLite returns dates from raw SQL as text
        lock_date = dt.date.fromisoformat(lock_date)
    seq = length - len(prepared)
    for item in prepared:
        seq += 1
        item.seq = seq
        item.prev_hash = prev
        item.hash = prev = chain_hash(prev, seq, item.content)
    if len(prepared) == 1 and prepared[0].hash != head:
        raise RuntimeError("the database and Python disagree on the chain hash")  # pragma: no cover
    return version, lock_date


def _write_head(company_id: int, head: str) -> None:
    with statement_cursor() as cursor:
        cursor.execute(_SET_HEAD, [head, company_id])


# --------------------------------------------------------------------------------------------
# writing

_BALANCE_COLUMNS = ("company_id", "account_id", "period_id", "debit", "credit")
_UPSERT_HEAD = "INSERT INTO ledger_accountbalance (company_id, account_id, period_id, debit, credit) VALUES "
_UPSERT_TAIL = (
    " ON CONFLICT (account_id, period_id) DO UPDATE SET "
    "debit = ledger_accountbalance.debit + excluded.debit, "
    "credit = ledger_accountbalance.credit + excluded.credit"
)
_UPSERT_CHUNK = 190  # rows per statement: 5 parameters each stays under 999 (SQLite's old limit)


def add_to_balances(company_id: int, totals: dict[tuple[int, int], list[Decimal]]) -> None:
    """Add debit/credit per (account, period) to the balance table: one statement per 190 keys."""
    keys = sorted(totals)  # a fixed order: concurrent postings lock balance rows in the same order
    with statement_cursor() as cursor:
        for start in range(0, len(keys), _UPSERT_CHUNK):
            chunk = keys[start : start + _UPSERT_CHUNK]
            params: list[Any] = []
            for account_id, period_id in chunk:
                debit, credit = totals[(account_id, period_id)]
                params += [company_id, account_id, period_id, debit, credit]
            values = ", ".join(["(%s, %s, %s, %s, %s)"] * len(chunk))
            cursor.execute(_UPSERT_HEAD + values + _UPSERT_TAIL, params)


def _assign_numbers(company: Any, prepared: list[_Prepared]) -> None:
    groups: dict[tuple[str, int], list[_Prepared]] = defaultdict(list)
    for item in prepared:
        if item.number:  # claimed with the books lock
            continue
        groups[(item.journal.sequence_kind, company.fiscal_year_of(item.spec.on))].append(item)
    for kind, _year in sorted(groups):
        items = groups[(kind, _year)]
        numbers = next_numbers(company, kind, items[0].spec.on, len(items))
        for item, number in zip(items, numbers, strict=True):
            item.number = number


_ENTRY_COLUMNS = (
    "company_id",
    "journal_id",
    "number",
    "date",
    "period_id",
    "status",
    "kind",
    "memo",
    "source_type",
    "source_id",
    "source_number",
    "reversal_of_id",
    "total",
    "chain_seq",
    "prev_hash",
    "hash",
    "posted_at",
    "posted_by_id",
    "created_at",
    "created_by_id",
)
_LINE_COLUMNS = (
    "company_id",
    "entry_id",
    "line_no",
    "account_id",
    "date",
    "period_id",
    "party_id",
    "debit",
    "credit",
    "amount_currency",
    "currency",
    "tax_code_id",
    "tax_kind",
    "vat_box",
    "description",
    "analytic",
    "due_date",
)


def _max_parameters() -> int:
    db = current_connection()
    if db.vendor == "sqlite":
        import sqlite3

        db.ensure_connection()
        return min(db.connection.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER), 32766)
    return 65535  # the PostgreSQL protocol's limit on bind parameters


def sql_insert(
    table: str, columns: Sequence[str], rows: list[list[Any]], *, returning: str = ""
) -> list[tuple]:
    """Multi-row INSERT in as few statements as the driver allows (one for any normal entry).

    Django's bulk_create caps SQLite batches at 999 parameters (about 50 lines); posting wants
    one statement whatever the number of lines. `returning="id"` on SQLite gives the ids in the
    rows' order without RETURNING, whose temporary b-tree costs more than the insert: the rows
    of one INSERT get consecutive rowids (the tables' ids are AUTOINCREMENT rowids), the last
    one reported by the driver.
    """
    if not rows:
        return []
    placeholders = ["%s"] * len(columns)
    if current_connection().vendor == "postgresql" and "analytic" in columns:
        placeholders[columns.index("analytic")] = "%s::jsonb"
    row_sql = "(" + ", ".join(placeholders) + ")"
    # Table and column names are constants of this module, never user input.
    head = f"INSERT INTO {table} ({', '.join(columns)}) VALUES "  # noqa: S608
    by_rowid = returning == "id" and current_connection().vendor == "sqlite"
    tail = f" RETURNING {returning}" if returning and not by_rowid else ""
    per_statement = max(1, _max_parameters() // len(columns))
    out: list[tuple] = []
    with statement_cursor() as cursor:
        for start in range(0, len(rows), per_statement):
            chunk = rows[start : start + per_statement]
            params = [value for row in chunk for value in row]
            cursor.execute(head + ", ".join([row_sql] * len(chunk)) + tail, params)
            if by_rowid:
                out.extend((pk,) for pk in inserted_ids(cursor, len(chunk)))
            elif returning:
                out.extend(cursor.fetchall())
    return out


def _db(value: Any) -> Any:
    if current_connection().vendor == "sqlite" and isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    return value


def _mark_saved(inserts: list[_Prepared]) -> None:
    for item in inserts:
        item.entry._state.adding = False
        item.entry._state.db = current_connection().alias
    audit.record_created([item.entry for item in inserts])


def _passes(cfg: BooksConfig, prepared: list[_Prepared]) -> bool:
    """The checks after the books lock, made before it (against the cached settings, which may be
    stale: a refusal is left to the usual way, which checks against the current ones)."""
    try:
        _check_open(prepared, None)
        _check_parties(cfg, prepared)
    except KernError:
        return False
    return True


def _fits_one_statement(item: _Prepared) -> bool:
    lines = len(item.lines)
    return len(_ENTRY_COLUMNS) + 12 + lines * (len(_LINE_COLUMNS) + len(_BALANCE_COLUMNS)) < 60000


def _one_statement(prepared: list[_Prepared], line_rows: list[list[Any]], totals: dict) -> bool:
    """One new entry on PostgreSQL that fits the protocol's parameter limit: one round trip."""
    return (
        current_connection().vendor == "postgresql"
        and len(prepared) == 1
        and prepared[0].draft is None
        and len(_ENTRY_COLUMNS) + len(line_rows) * len(_LINE_COLUMNS) + len(totals) * 5 < 60000
    )


def _insert_one_entry(
    company_id: int,
    entry_row: list[Any],
    line_rows: list[list[Any]],
    totals: dict[tuple[int, int], list[Decimal]],
) -> int:
    """PostgreSQL: the entry, its lines and the balance update in one statement (data-modifying CTEs).

    The lines take the new id from `(SELECT id FROM e)`; the balance rows are added in the same
    sorted order as `add_to_balances`, so the lock order is unchanged.
    """
    entry_values = "(" + ", ".join(["%s"] * len(_ENTRY_COLUMNS)) + ")"
    line_placeholders = ["%s"] * len(_LINE_COLUMNS)
    line_placeholders[1] = "(SELECT id FROM e)"
    line_placeholders[_LINE_COLUMNS.index("analytic")] = "%s::jsonb"
    line_values = "(" + ", ".join(line_placeholders) + ")"
    params: list[Any] = list(entry_row)
    for row in line_rows:
        params += row[:1] + row[2:]
    keys, balance_params = _balance_rows(company_id, totals)
    params += balance_params
    sql = (
        f"WITH e AS (INSERT INTO ledger_journalentry ({', '.join(_ENTRY_COLUMNS)}) "  # noqa: S608
        f"VALUES {entry_values} RETURNING id), "
        f"l AS (INSERT INTO ledger_journalline ({', '.join(_LINE_COLUMNS)}) "
        f"VALUES {', '.join([line_values] * len(line_rows))}), "
        f"b AS ({_UPSERT_HEAD}{', '.join(['(%s, %s, %s, %s, %s)'] * len(keys))}{_UPSERT_TAIL}) "
        "SELECT id FROM e"
    )
    with statement_cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchone()[0]


def _balance_rows(
    company_id: int, totals: dict[tuple[int, int], list[Decimal]]
) -> tuple[list[tuple[int, int]], list[Any]]:
    """The balance keys in lock order (as `add_to_balances` takes them) and their upsert values."""
    keys = sorted(totals)
    params: list[Any] = []
    for account_id, period_id in keys:
        debit, credit = totals[(account_id, period_id)]
        params += [company_id, account_id, period_id, debit, credit]
    return keys, params


@dataclass
class _BooksInStatement:
    """PostgreSQL, one new entry: lock the books, claim the number and insert the entry in one
    statement (`_insert_with_books`). The insert is conditional on what the lock returns — the
    settings' version the entry was prepared with, a date after the lock date, the counter's
    pattern being the scheme's — and when it did not happen `books` holds what `_lock_books`
    would have returned and the posting goes on the usual way from there."""

    claim: NumberClaim
    version: int
    books: tuple[int, dt.date | None] | None = None


def _insert_with_books(
    company_id: int,
    item: _Prepared,
    entry_row: list[Any],
    line_rows: list[list[Any]],
    totals: dict[tuple[int, int], list[Decimal]],
    fast: _BooksInStatement,
) -> int | None:
    """The entry's id, or None when the conditions held it back (books advanced all the same)."""
    in_sql = fast.claim.in_sql()
    if in_sql is None:  # pragma: no cover - the caller checks first
        raise RuntimeError("the journal's numbering pattern cannot be rendered in SQL")
    _cte, _cte_params, number_sql, number_params = in_sql
    db = current_connection()
    entry_exprs = column_casts(JournalEntry, _ENTRY_COLUMNS, db)
    chained = {"chain_seq": "b.chain_length", "prev_hash": "b.prev_head", "hash": "b.chain_head"}
    entry_params: list[Any] = []
    for n, column in enumerate(_ENTRY_COLUMNS):
        if column == "number":
            entry_exprs[n] = number_sql
            entry_params += number_params
        elif column in chained:
            entry_exprs[n] = chained[column]
        else:
            entry_params.append(entry_row[n])
    line_columns = [c for c in _LINE_COLUMNS if c != "entry_id"]
    line_casts = "(" + ", ".join(column_casts(JournalLine, line_columns, db)) + ")"
    line_params = [value for row in line_rows for value in row[:1] + row[2:]]
    keys, balance_params = _balance_rows(company_id, totals)
    balance_casts = "(" + ", ".join(column_casts(AccountBalance, _BALANCE_COLUMNS, db)) + ")"
    # Table and column names are constants of this module and the models' metadata.
    sql = (
        f"WITH b AS ({_ADVANCE_ONE['postgresql']}), "  # noqa: S608
        f"s AS (UPDATE core_sequence SET last_value = last_value + %s WHERE company_id = %s AND kind = %s "
        "AND period_key = %s AND EXISTS (SELECT 1 FROM b) RETURNING last_value, pattern), "
        f"e AS (INSERT INTO ledger_journalentry ({', '.join(_ENTRY_COLUMNS)}) "
        f"SELECT {', '.join(entry_exprs)} FROM b, s WHERE b.version = %s "
        "AND (b.lock_date IS NULL OR b.lock_date < %s) AND s.pattern = %s RETURNING id), "
        f"l AS (INSERT INTO ledger_journalline ({', '.join(_LINE_COLUMNS)}) "
        f"SELECT v.{line_columns[0]}, e.id, {', '.join('v.' + c for c in line_columns[1:])} "
        f"FROM e CROSS JOIN (VALUES {', '.join([line_casts] * len(line_rows))}) AS v({', '.join(line_columns)})), "
        f"t AS (INSERT INTO ledger_accountbalance ({', '.join(_BALANCE_COLUMNS)}) "
        f"SELECT v.* FROM e CROSS JOIN (VALUES {', '.join([balance_casts] * len(keys))}) "
        f"AS v({', '.join(_BALANCE_COLUMNS)}) ORDER BY v.account_id, v.period_id{_UPSERT_TAIL}) "
        "SELECT b.prev_head, b.chain_head, b.chain_length, b.version, b.lock_date, s.last_value, s.pattern, "
        "(SELECT id FROM e) FROM b LEFT JOIN s ON TRUE"
    )
    claim = fast.claim
    params = [
        item.content,
        company_id,
        *claim.params,
        *entry_params,
        fast.version,
        item.spec.on,
        claim.pattern,
        *line_params,
        *balance_params,
    ]
    with statement_cursor() as cursor:
        cursor.execute(sql, params)
        row = cursor.fetchone()
    fast.books = _take_books_row(row[:7] if row else None, [item], claim)
    return row[7]


def _write(
    company: Any, prepared: list[_Prepared], by: Any, fast: _BooksInStatement | None = None
) -> list[JournalEntry] | None:
    """Insert the entries (or post the drafts); with `fast`, lock the books in the same statement —
    None when its conditions held the entry back (see `_BooksInStatement`)."""
    now = timezone.now()
    user_id = getattr(by, "pk", None) or context.current().user_id
    stamp = current_connection().ops.adapt_datetimefield_value(now)
    inserts: list[_Prepared] = []
    for item in prepared:
        spec = item.spec
        fields = {
            "number": item.number,
            "date": spec.on,
            "period_id": item.period.id,
            "kind": spec.kind,
            "memo": spec.memo or "",
            "total": item.total,
            "chain_seq": item.seq,
            "prev_hash": item.prev_hash,
            "hash": item.hash,
            "posted_at": now,
            "posted_by_id": user_id,
        }
        if item.draft is not None:
            # A draft becomes the posted entry: one conditional UPDATE through the state table.
            transition(item.draft, to=EntryStatus.POSTED, by=by, fields=fields, action="post")
            item.entry = item.draft
            continue
        source = spec.source
        item.entry = JournalEntry(
            company_id=company.pk,
            journal_id=item.journal.id,
            status=EntryStatus.POSTED,
            source_type=source.type if source else "",
            source_id=source.id if source else None,
            source_number=source.number if source else "",
            reversal_of=spec.reversal_of,
            created_at=now,
            created_by_id=user_id,
            **fields,
        )
        inserts.append(item)
    entry_rows: list[list[Any]] = []
    for item in inserts:
        e = item.entry
        entry_rows.append(
            [
                company.pk,
                e.journal_id,
                e.number,
                _db(e.date),
                e.period_id,
                e.status,
                e.kind,
                e.memo,
                e.source_type,
                e.source_id,
                e.source_number,
                e.reversal_of_id,
                e.total,
                e.chain_seq,
                e.prev_hash,
                e.hash,
                stamp,
                e.posted_by_id,
                stamp,
                e.created_by_id,
            ]
        )
    drafts = [item.draft.pk for item in prepared if item.draft is not None]
    if drafts:
        DraftLine.objects.filter(entry_id__in=drafts).delete()
    rows = []
    totals: dict[tuple[int, int], list[Decimal]] = {}
    for item in prepared:
        entry_id = item.entry.pk  # None until inserted: filled in below
        on = _db(item.spec.on)
        period_id = item.period.id
        for ln in item.lines:
            rows.append(
                [
                    company.pk,
                    entry_id,
                    ln.line_no,
                    ln.account.id,
                    on,
                    period_id,
                    ln.party_id,
                    ln.debit,
                    ln.credit,
                    ln.amount_currency,
                    ln.currency,
                    ln.tax_code_id,
                    ln.tax_kind,
                    ln.vat_box,
                    ln.description,
                    json.dumps(ln.analytic) if ln.analytic is not None else None,
                    _db(ln.due_date),
                ]
            )
            key = (ln.account.id, period_id)
            if key in totals:
                totals[key][0] += ln.debit
                totals[key][1] += ln.credit
            else:
                totals[key] = [ln.debit, ln.credit]
    if fast is not None:
        item = inserts[0]
        entry_id = _insert_with_books(company.pk, item, entry_rows[0], rows, totals, fast)
        if entry_id is None:
            return None
        entry = item.entry
        entry.pk, entry.number, entry.chain_seq = entry_id, item.number, item.seq
        entry.prev_hash, entry.hash = item.prev_hash, item.hash
        _mark_saved(inserts)
    elif inserts and _one_statement(prepared, rows, totals):
        inserts[0].entry.pk = _insert_one_entry(company.pk, entry_rows[0], rows, totals)
        _mark_saved(inserts)
    else:
        if inserts:
            if current_connection().vendor == "sqlite":  # ids in the rows' order (sql_insert)
                returned = sql_insert("ledger_journalentry", _ENTRY_COLUMNS, entry_rows, returning="id")
                for item, (pk,) in zip(inserts, returned, strict=True):
                    item.entry.pk = pk
            else:
                # Ids come back with their chain position: RETURNING need not keep the VALUES order.
                returned = sql_insert(
                    "ledger_journalentry", _ENTRY_COLUMNS, entry_rows, returning="id, chain_seq"
                )
                ids = {seq: pk for pk, seq in returned}
                for item in inserts:
                    item.entry.pk = ids[item.seq]
            _mark_saved(inserts)
            entry_ids = [item.entry.pk for item in prepared]
            n = 0
            for item, entry_id in zip(prepared, entry_ids, strict=True):
                for _ln in item.lines:
                    rows[n][1] = entry_id
                    n += 1
        sql_insert("ledger_journalline", _LINE_COLUMNS, rows)
        add_to_balances(company.pk, totals)
    for item in prepared:
        entry = item.entry
        emit(
            ENTRY_POSTED,
            EntryPosted(
                entry_id=entry.pk,
                company_id=company.pk,
                journal=item.journal.code,
                number=entry.number,
                date=entry.date.isoformat(),
                total=str(entry.total),
                source_type=entry.source_type,
                source_id=entry.source_id,
            ),
            company=company.pk,
        )
    return [item.entry for item in prepared]


def _post_for_company(
    company: Any, specs: list[EntrySpec], by: Any, drafts: list[JournalEntry | None]
) -> list[JournalEntry]:
    base = company.base_currency_id
    rates = _Rates(company, base)
    indexed = len(specs) > 1
    cfg = config_for(company)
    try:
        prepared = [_prepare(spec, cfg, base, rates, i if indexed else -1) for i, spec in enumerate(specs)]
    except KernError:
        # The cached settings may be a few seconds old: refuse only if they are current.
        current = Books.objects.filter(company_id=company.pk).values_list("version", flat=True).first()
        if current is None or current == cfg.version:
            raise
        cfg = config_for(company, version=current)
        prepared = [_prepare(spec, cfg, base, rates, i if indexed else -1) for i, spec in enumerate(specs)]
    for item, draft in zip(prepared, drafts, strict=True):
        item.draft = draft
    claim = None
    if current_connection().vendor == "postgresql" and len(prepared) == 1 and prepared[0].draft is None:
        claim = claim_numbers(company, prepared[0].journal.sequence_kind, prepared[0].spec.on)
    if (
        claim is not None
        and claim.in_sql() is not None
        and _fits_one_statement(prepared[0])
        and _passes(cfg, prepared)
    ):
        # The lock date and the settings' version are conditions of the statement itself.
        fast = _BooksInStatement(claim, cfg.version)
        entries = _write(company, prepared, by, fast)
        if entries is not None:
            return entries
        version, lock_date = fast.books
    else:
        version, lock_date = _lock_books(company.pk, prepared, claim)
    if version != cfg.version:
        # The settings changed since they were cached: check again against the current ones.
        old_contents = [item.content for item in prepared]
        old_number = prepared[0].number
        cfg = config_for(company, version=version)
        fresh = [_prepare(spec, cfg, base, rates, i if indexed else -1) for i, spec in enumerate(specs)]
        for item, new in zip(prepared, fresh, strict=True):
            new.draft, new.seq, new.prev_hash, new.hash = item.draft, item.seq, item.prev_hash, item.hash
        prepared = fresh
        if claim is not None and old_number:
            if prepared[0].journal.sequence_kind == claim.kind:
                prepared[0].number = old_number
            else:  # the journal's numbering moved with the settings: claim from the new counter
                claim.give_back()
        if [item.content for item in prepared] != old_contents:
            prev = prepared[0].prev_hash
            for item in prepared:
                item.prev_hash = prev
                item.hash = prev = chain_hash(prev, item.seq, item.content)
            _write_head(company.pk, prev)
    _check_open(prepared, lock_date)
    _check_parties(cfg, prepared)
    _assign_numbers(company, prepared)
    entries = _write(company, prepared, by)
    if len(prepared) > 1:
        _write_head(company.pk, prepared[-1].hash)
    return entries


def _post(
    specs: Sequence[EntrySpec], by: Any, drafts: Sequence[JournalEntry | None] | None = None
) -> list[JournalEntry]:
    if not specs:
        return []
    drafts = list(drafts) if drafts is not None else [None] * len(specs)
    by_company: dict[int, list[int]] = defaultdict(list)
    for i, spec in enumerate(specs):
        by_company[getattr(spec.company, "pk", None)].append(i)
    if None in by_company:
        raise ValidationFailed.on("company", _("a company is required"))
    results: dict[int, JournalEntry] = {}
    with atomic(), context.acting(by) if by is not None else _nothing():
        for company_id in sorted(by_company):
            indexes = by_company[company_id]
            company = specs[indexes[0]].company
            posted = _post_for_company(company, [specs[i] for i in indexes], by, [drafts[i] for i in indexes])
            results.update(zip(indexes, posted, strict=True))
    return [results[i] for i in range(len(specs))]


class _nothing:
    def __enter__(self) -> None:
        return None

    def __exit__(self, *exc: Any) -> None:
        return None


def post_entry(
    *,
    company: Any,
    journal: str,
    on: dt.date,
    lines: Sequence[LineSpec],
    source: SourceRef | None = None,
    memo: str = "",
    by: Any = None,
    kind: str = EntryKind.NORMAL,
) -> JournalEntry:
    """Post one balanced entry. Raises a typed error and writes nothing when anything is wrong."""
    spec = EntrySpec(
        company=company, journal=journal, on=on, lines=lines, source=source, memo=memo, kind=kind
    )
    return _post([spec], by)[0]


def post_entries(entries: Sequence[EntrySpec], *, by: Any = None) -> list[JournalEntry]:
    """Post several entries at once, sharing the lock, numbering, inserts and balance update.

    All or nothing: one bad entry and none is posted. Entries keep their order in the chain.
    """
    return _post(list(entries), by)


def reverse_entry(
    entry: JournalEntry, *, on: dt.date | None = None, by: Any = None, memo: str = ""
) -> JournalEntry:
    """Post the mirror image of `entry` and mark it reversed. Dated `on` (default: its own date)."""
    if entry.status != EntryStatus.POSTED:
        raise LedgerConflict(
            _("journal entry %(number)s is %(status)s; only a posted entry can be reversed")
            % {"number": entry.number or entry.pk, "status": entry.status},
            code=LedgerCode.NOT_ALLOWED,
        )
    lines = [
        LineSpec(
            account=code,
            debit=credit,
            credit=debit,
            party_id=party_id,
            amount_currency=-amount_currency if amount_currency is not None else None,
            currency=currency or None,
            tax_code=tax_code,
            description=description,
            analytic=analytic,
            due_date=due_date,
        )
        for code, debit, credit, party_id, amount_currency, currency, tax_code, description, analytic, due_date in (
            JournalLine.objects.filter(entry=entry)
            .order_by("line_no")
            .values_list(
                "account__code",
                "debit",
                "credit",
                "party_id",
                "amount_currency",
                "currency",
                "tax_code__code",
                "description",
                "analytic",
                "due_date",
            )
        )
    ]
    source = SourceRef(entry.source_type, entry.source_id, entry.source_number) if entry.source_type else None
    spec = EntrySpec(
        company=entry.company,
        journal=entry.journal.code,
        on=on or entry.date,
        lines=lines,
        source=source,
        memo=memo or f"Reversal of {entry.number}",
        kind=EntryKind.REVERSAL if entry.kind != EntryKind.CLOSING else EntryKind.CLOSING,
        reversal_of=entry,
    )
    with atomic():
        reversal = _post([spec], by)[0]
        transition(entry, to=EntryStatus.REVERSED, by=by, action="reverse")
    return reversal


def post_drafts(
    drafts: Sequence[JournalEntry], specs: Sequence[EntrySpec], *, by: Any = None
) -> list[JournalEntry]:
    """Post draft entries (used by services.drafts): the draft rows become the posted entries."""
    return _post(list(specs), by, drafts=list(drafts))


def respec(spec: EntrySpec, **changes: Any) -> EntrySpec:
    return replace(spec, **changes)
