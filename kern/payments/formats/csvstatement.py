"""Reading bank statements exported as CSV (or XLSX), with a column mapping.

The file is read by core.imports.read_table (delimiter and encoding detected, Dutch numbers).
Columns are recognised by their names in common Dutch bank exports (ING, Rabobank, ABN AMRO,
bunq, Knab) or mapped explicitly (`{"Bedrag (EUR)": "amount"}`). An amount is either signed, or
unsigned with a debit/credit column ("Af Bij": Af = out, Bij = in).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from decimal import Decimal

from kern.core.exceptions import KernError
from kern.core.imports import Column, Importer, decimal_value, read_table, resolve_mapping
from kern.payments.formats.camt053 import ParsedLine, ParsedStatement, StatementFileError

__all__ = ["CSV_COLUMNS", "parse_csv_statement"]

CSV_COLUMNS = [
    Column("date", "Booking date", required=True, aliases=("Datum", "Boekdatum", "Transactiedatum", "Date")),
    Column(
        "amount",
        "Amount",
        required=True,
        aliases=("Bedrag", "Bedrag (EUR)", "Transactiebedrag", "Amount (EUR)"),
    ),
    Column("direction", "Debit/credit", aliases=("Af Bij", "Af/Bij", "Debet/Credit", "D/C", "Credit/Debit")),
    Column("currency", "Currency", aliases=("Munt", "Valuta", "Muntsoort")),
    Column("account", "Own account", aliases=("Rekening", "IBAN/BBAN", "Rekeningnummer", "Account")),
    Column(
        "counterparty_name",
        "Counterparty",
        aliases=(
            "Naam / Omschrijving",
            "Naam tegenpartij",
            "Tegenpartij",
            "Naam",
            "Name",
            "Counterparty name",
        ),
    ),
    Column(
        "counterparty_iban",
        "Counterparty IBAN",
        aliases=("Tegenrekening", "Tegenrekening IBAN/BBAN", "IBAN tegenpartij", "Counterparty account"),
    ),
    Column(
        "description",
        "Description",
        aliases=("Mededelingen", "Omschrijving", "Omschrijving-1", "Description"),
    ),
    Column("reference", "Payment reference", aliases=("Betalingskenmerk", "Kenmerk", "Reference")),
    Column("end_to_end_id", "End-to-end id", aliases=("End-to-end ID", "End to end id")),
    Column("bank_reference", "Bank reference", aliases=("Transactiereferentie", "Volgnr", "Transaction id")),
    Column("value_date", "Value date", aliases=("Rentedatum", "Valutadatum")),
]

_IMPORTER = Importer(
    kind="bank_statement_csv",
    label="Bank statement (CSV)",
    columns=CSV_COLUMNS,
    create_row=lambda company, values, by: None,
)


def parse_date(text: str) -> dt.date:
    raw = text.strip()[:19]
    for pattern in ("%Y-%m-%d", "%Y%m%d", "%d-%m-%Y", "%d/%m/%Y", "%d.%m.%Y", "%Y-%m-%dT%H:%M:%S"):
        try:
            return dt.datetime.strptime(raw[: len(dt.date(2000, 1, 1).strftime(pattern))], pattern).date()
        except ValueError:
            continue
    raise ValueError(f"{text!r} is not a date (use YYYY-MM-DD, YYYYMMDD or DD-MM-YYYY)")


def parse_csv_statement(
    data: bytes, *, filename: str = "", mapping: dict[str, str] | None = None, default_currency: str = "EUR"
) -> ParsedStatement:
    try:
        headers, rows = read_table(data, filename=filename)
        resolved = resolve_mapping(_IMPORTER, headers, mapping)
    except KernError as exc:
        raise StatementFileError(exc.message) from None
    missing = [c.name for c in CSV_COLUMNS if c.required and c.name not in resolved.values()]
    if missing:
        raise StatementFileError(
            f'the CSV file has no column for {", ".join(missing)}: map one (e.g. "Bedrag=amount")'
        )
    index = {target: headers.index(header) for header, target in resolved.items()}

    def cell(row: list[str], name: str) -> str:
        position = index.get(name)
        if position is None or position >= len(row):
            return ""
        return " ".join((row[position] or "").split())

    lines: list[ParsedLine] = []
    accounts: set[str] = set()
    for number, row in enumerate(rows, start=2):
        where = f"row {number}"
        try:
            booking = parse_date(cell(row, "date"))
            amount = decimal_value(cell(row, "amount"))
            value_text = cell(row, "value_date")
            value_date = parse_date(value_text) if value_text else None
        except ValueError as exc:
            raise StatementFileError(f"{where}: {exc}") from None
        direction = cell(row, "direction").lower()
        if direction:
            if direction in ("af", "d", "debit", "debet", "dbit", "-"):
                amount = -abs(amount)
            elif direction in ("bij", "c", "credit", "crdt", "+"):
                amount = abs(amount)
            else:
                raise StatementFileError(f"{where}: {direction!r} is neither debit (Af) nor credit (Bij)")
        if amount == 0:
            continue
        if amount != amount.quantize(Decimal("0.01")):
            raise StatementFileError(f"{where}: {amount} has more than two decimals")
        account = cell(row, "account").replace(" ", "").upper()
        if account:
            accounts.add(account)
        currency = (cell(row, "currency") or default_currency).upper()
        if not re.fullmatch(r"[A-Z]{3}", currency):
            raise StatementFileError(f"{where}: {currency!r} is not a currency code")
        lines.append(
            ParsedLine(
                booking_date=booking,
                value_date=value_date,
                amount=amount,
                currency=currency,
                counterparty_name=cell(row, "counterparty_name")[:140],
                counterparty_iban=cell(row, "counterparty_iban").replace(" ", "").upper()[:34],
                remittance=cell(row, "description")[:500],
                structured_reference=cell(row, "reference").replace(" ", "")[:60],
                end_to_end_id=cell(row, "end_to_end_id")[:60],
                bank_reference=cell(row, "bank_reference")[:80],
            )
        )
    if not lines:
        raise StatementFileError("the CSV file holds no transactions")
    if len(accounts) > 1:
        raise StatementFileError(
            f"the file mixes several accounts ({', '.join(sorted(accounts))}): one per import"
        )
    currencies = {ln.currency for ln in lines}
    if len(currencies) > 1:
        raise StatementFileError("the file mixes currencies: one account, one currency per import")
    start = min(ln.booking_date for ln in lines)
    end = max(ln.booking_date for ln in lines)
    digest = hashlib.sha256(data).hexdigest()[:8]
    return ParsedStatement(
        reference=f"CSV {start.isoformat()}/{end.isoformat()} {digest}",
        iban=next(iter(accounts), ""),
        currency=currencies.pop(),
        date=end,
        period_start=start,
        period_end=end,
        lines=lines,
    )
