"""Getting a company's books into Kern: a chart of accounts and an opening balance from a file.

- Chart: `kern import accounts FILE` (the generic core importer): code, name, type, subtype,
  parent, group, RGS code; parents come before their children in the file.
- Opening balance: `kern import opening-balance FILE [--dry-run] [--date YYYY-MM-DD]`: a trial
  balance (account code + debit/credit), where lines on receivable/payable accounts name the
  party and the invoice (reference, due date) so each open item is its own line. It is posted as
  one opening entry in period 0 of the fiscal year, so a company can start on Kern mid-year.
  Every problem of every row is reported; nothing is posted unless the whole file is right.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.utils.translation import gettext as _

from kern.core.exceptions import KernError, ValidationFailed
from kern.core.imports import (
    Column,
    Importer,
    ImportFileError,
    bool_value,
    decimal_value,
    read_table,
    resolve_mapping,
)
from kern.ledger.exceptions import LedgerInvalid, NoFiscalYear
from kern.ledger.models import Account, AccountSubtype, AccountType, EntryKind, JournalEntry
from kern.ledger.selectors.config import config_for
from kern.ledger.services.posting import post_entry
from kern.ledger.services.setup import create_account
from kern.ledger.specs import ZERO, LineSpec, SourceRef

__all__ = [
    "ACCOUNT_IMPORTER",
    "OPENING_BALANCE_COLUMNS",
    "OpeningBalanceReport",
    "import_opening_balance",
    "run_opening_balance_import",
]

_TYPE_WORDS = {
    "asset": AccountType.ASSET,
    "activa": AccountType.ASSET,
    "activum": AccountType.ASSET,
    "liability": AccountType.LIABILITY,
    "passiva": AccountType.LIABILITY,
    "schuld": AccountType.LIABILITY,
    "equity": AccountType.EQUITY,
    "eigen vermogen": AccountType.EQUITY,
    "vermogen": AccountType.EQUITY,
    "income": AccountType.INCOME,
    "revenue": AccountType.INCOME,
    "opbrengst": AccountType.INCOME,
    "opbrengsten": AccountType.INCOME,
    "omzet": AccountType.INCOME,
    "expense": AccountType.EXPENSE,
    "kosten": AccountType.EXPENSE,
    "kost": AccountType.EXPENSE,
}


def account_type_value(text: str) -> str:
    value = _TYPE_WORDS.get(text.strip().lower())
    if value is None:
        raise ValueError(
            _("unknown account type %(type)r (asset, liability, equity, income, expense)") % {"type": text}
        )
    return value


def subtype_value(text: str) -> str:
    value = text.strip().lower().replace(" ", "_")
    if value not in AccountSubtype.values:
        raise ValueError(
            _("unknown subtype %(subtype)r; one of %(known)s")
            % {"subtype": text, "known": ", ".join(AccountSubtype.values)}
        )
    return value


def _import_account(company: Any, values: dict[str, Any], by: Any) -> Account:
    return create_account(
        company,
        code=values["code"],
        name=values.get("name", ""),
        type=values["type"],
        subtype=values.get("subtype", "other"),
        parent=values.get("parent"),
        is_group=values.get("is_group", False),
        rgs_code=values.get("rgs_code", ""),
        by=by,
    )


ACCOUNT_IMPORTER = Importer(
    kind="accounts",
    label="Chart of accounts",
    permission="ledger.add_account",
    create_row=_import_account,
    columns=[
        Column("code", "Code", required=True, aliases=("rekening", "grootboekrekening", "nummer", "account")),
        Column("name", "Name", required=True, aliases=("naam", "omschrijving", "description")),
        Column("type", "Type", required=True, parse=account_type_value, aliases=("soort", "account type")),
        Column("subtype", "Subtype", parse=subtype_value, aliases=("subsoort",)),
        Column("parent", "Parent", aliases=("groep", "hoofdrekening", "parent code")),
        Column("is_group", "Group", parse=bool_value, aliases=("groepsrekening", "is group")),
        Column("rgs_code", "RGS code", aliases=("rgs", "referentiecode")),
    ],
)

OPENING_BALANCE_COLUMNS = Importer(
    kind="opening-balance",
    label="Opening balance",
    permission="ledger.add_journalentry",
    create_row=lambda company, values, by: None,  # the rows are posted together, see import_opening_balance
    columns=[
        Column(
            "account",
            "Account",
            required=True,
            aliases=("rekening", "grootboekrekening", "code", "account code"),
        ),
        Column("debit", "Debit", parse=decimal_value, aliases=("debet",)),
        Column("credit", "Credit", parse=decimal_value),
        Column(
            "party", "Party", aliases=("relatie", "klant", "leverancier", "debiteur", "crediteur", "relation")
        ),
        Column("reference", "Reference", aliases=("factuur", "factuurnummer", "invoice", "referentie")),
        Column("due_date", "Due date", parse=dt.date.fromisoformat, aliases=("vervaldatum", "due")),
        Column("description", "Description", aliases=("omschrijving",)),
    ],
)


@dataclass
class OpeningBalanceReport:
    rows: int = 0
    errors: list[tuple[int, str, str]] = field(default_factory=list)  # (file row, column, message)
    entry: JournalEntry | None = None
    debit: Decimal = ZERO
    credit: Decimal = ZERO
    dry_run: bool = True

    @property
    def ok(self) -> bool:
        return not self.errors

    def as_dict(self) -> dict[str, Any]:
        return {
            "rows": self.rows,
            "dry_run": self.dry_run,
            "ok": self.ok,
            "debit": str(self.debit),
            "credit": str(self.credit),
            "entry": self.entry.number if self.entry else None,
            "errors": [{"row": r, "column": c, "message": m} for r, c, m in self.errors],
        }


def _find_party(company: Any, text: str) -> int | None:
    from kern.parties.models import Party

    parties = Party.objects.for_company(company)
    found = list(parties.filter(number=text).values_list("pk", flat=True)[:2]) or list(
        parties.filter(name__iexact=text).values_list("pk", flat=True)[:2]
    )
    return found[0] if len(found) == 1 else None


def import_opening_balance(
    company: Any,
    data: bytes,
    *,
    filename: str = "",
    on: dt.date | None = None,
    dry_run: bool = True,
    by: Any = None,
) -> OpeningBalanceReport:
    """Check every row, then (unless dry_run) post them as one opening entry in period 0."""
    headers, rows = read_table(data, filename=filename)
    mapping = resolve_mapping(OPENING_BALANCE_COLUMNS, headers, None)
    report = OpeningBalanceReport(rows=len(rows), dry_run=dry_run)
    if "account" not in mapping.values():
        report.errors.append((1, "account", _("the file needs an account column (rekening)")))
        return report
    index = {target: headers.index(header) for header, target in mapping.items()}
    cfg = config_for(company)
    year = cfg.year_of(on or dt.date.today())
    if year is None:
        raise NoFiscalYear(
            _("no fiscal year covers %(date)s: open the fiscal year first")
            % {"date": (on or dt.date.today()).isoformat()}
        )
    start = cfg.years[year][0]
    lines: list[LineSpec] = []
    for number, row in enumerate(rows, start=2):
        values: dict[str, Any] = {}
        for name, position in index.items():
            text = row[position].strip() if position < len(row) and row[position] is not None else ""
            if not text:
                continue
            column = OPENING_BALANCE_COLUMNS.column(name)
            try:
                values[name] = column.parse(text) if column.parse else text
            except ValueError as exc:
                report.errors.append((number, name, str(exc) or _("not a valid value")))
        account = cfg.accounts_by_code.get(values.get("account", ""))
        if "account" in values and account is None:
            report.errors.append(
                (number, "account", _("unknown account %(code)r") % {"code": values["account"]})
            )
            continue
        if account is None:
            if "account" not in values:
                report.errors.append((number, "account", _("a value is required")))
            continue
        debit, credit = values.get("debit", ZERO), values.get("credit", ZERO)
        if debit < 0:  # a negative debit is a credit, as spreadsheets often have it
            debit, credit = ZERO, credit - debit
        if credit < 0:
            debit, credit = debit - credit, ZERO
        if debit and credit:
            debit, credit = (debit - credit, ZERO) if debit > credit else (ZERO, credit - debit)
        party_id = None
        if "party" in values:
            party_id = _find_party(company, values["party"])
            if party_id is None:
                report.errors.append(
                    (
                        number,
                        "party",
                        _("no single party with number or name %(party)r") % {"party": values["party"]},
                    )
                )
                continue
        elif account.requires_party:
            report.errors.append(
                (
                    number,
                    "party",
                    _("account %(code)s is a %(subtype)s account: name the party")
                    % {"code": account.code, "subtype": account.subtype},
                )
            )
            continue
        description = values.get("description") or (
            f"{values['reference']}" if values.get("reference") else ""
        )
        lines.append(
            LineSpec(
                account=account.code,
                debit=debit,
                credit=credit,
                party_id=party_id,
                description=description[:255],
                due_date=values.get("due_date"),
            )
        )
        report.debit += debit
        report.credit += credit
    if not report.errors and report.debit != report.credit:
        report.errors.append(
            (
                0,
                "debit",
                _("the opening balance does not balance: debit %(debit)s, credit %(credit)s")
                % {"debit": report.debit, "credit": report.credit},
            )
        )
    if report.errors or dry_run:
        return report
    try:
        report.entry = post_entry(
            company=company,
            journal="general",
            on=start,
            lines=lines,
            memo=f"Opening balance {year} ({Path(filename).name or 'import'})",
            kind=EntryKind.OPENING,
            source=SourceRef("ledger.opening_balance", year, Path(filename).name[:60]),
            by=by,
        )
    except KernError as exc:
        report.errors.append((0, next(iter(exc.errors), "__all__"), exc.message))
    return report


def run_opening_balance_import(
    company: Any, path: Path, *, user: Any, options: dict[str, Any], stdout: Any
) -> int:
    """`kern import opening-balance FILE [--dry-run]` (registered as a core file import)."""
    try:
        report = import_opening_balance(
            company,
            Path(path).read_bytes(),
            filename=str(path),
            dry_run=bool(options.get("dry_run")),
            by=user,
        )
    except (ImportFileError, ValidationFailed, LedgerInvalid, NoFiscalYear) as exc:
        stdout.write(f"refused: {exc.message}\n")
        return 1
    if report.errors:
        stdout.write(f"{len(report.errors)} problem(s) — nothing was posted\n")
        for row, column, message in report.errors:
            stdout.write(f"  row {row} {column}: {message}\n")
        return 1
    if report.dry_run:
        stdout.write(
            f"{report.rows} rows are fine: debit {report.debit} = credit {report.credit} (dry run)\n"
        )
    else:
        stdout.write(f"posted opening entry {report.entry.number}: {report.rows} rows, {report.debit}\n")
    return 0
