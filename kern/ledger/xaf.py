"""XML Auditfile Financieel (XAF): `kern export xaf --year YYYY [--version 4.0|3.2] --output FILE`.

XAF 4.0 (the Belastingdienst's current version, default) carries each account's RGS code; 3.2
is for older years. The file is written as a stream (lxml.etree.xmlfile), so a year of millions
of lines never sits in memory: the totals the header needs are one aggregate query first, then
the lines follow journal by journal, entry by entry.

Mapping: the opening balance is the trial balance's opening column (everything before the year
plus the year's opening period 0), so opening entries do not appear again as transactions; the
transactions are every posted (or reversed) entry of periods 1–13. Amounts are positive with a
D/C type. A base line carries the VAT code, rate and the VAT on it; a VAT line carries its own
amount as VAT. Parties are listed when they appear on a line of the year or have a balance.
"""

from __future__ import annotations

import argparse
import datetime as dt
import re
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from importlib.metadata import PackageNotFoundError
from importlib.metadata import version as package_version
from pathlib import Path
from typing import IO, Any

from django.db.models import Count, F, Q, Sum
from lxml import etree

from kern.core.money import quantize
from kern.ledger.models import (
    Account,
    AccountSubtype,
    AccountType,
    FiscalYear,
    Journal,
    JournalLine,
    Period,
    PeriodKind,
    TaxCode,
)
from kern.ledger.selectors.reports import cents, trial_balance

__all__ = ["NAMESPACES", "export_xaf", "run_export"]

NAMESPACES = {
    "4.0": "http://www.odb.belastingdienst.nl/Belastingdienst/BCPP/1.1/structures/XmlauditfileXAF_4.0",
    "3.2": "http://www.auditfiles.nl/XAF/3.2",
}
_SCHEMA_FILES = {"4.0": "XmlAuditfileFinancieel4.0.xsd", "3.2": "XmlAuditfileFinancieel3.2.xsd"}
_JOURNAL_TYPES = {
    "sale": "S",
    "purchase": "P",
    "bank": "B",
    "cash": "C",
    "general": "M",
    "stock": "G",
    "payroll": "Y",
}
_RGS_VERSION = "3.7"
ZERO = Decimal("0")


class XafError(Exception):
    pass


def _software_version() -> str:
    try:
        return package_version("kern-erp")[:20]
    except PackageNotFoundError:  # pragma: no cover - running from a source tree without install
        return "dev"


def _split_street(street: str) -> tuple[str, str, str]:
    match = re.match(r"^(.*?)[\s,]+(\d+)\s*[-\s]?\s*([A-Za-z0-9/\-]{0,10})$", (street or "").strip())
    if not match:
        return (street or "").strip(), "", ""
    return match.group(1).strip(), match.group(2), match.group(3).strip()


def _amount(value: Decimal) -> tuple[str, str]:
    """(positive amount, D or C) for a signed debit − credit amount."""
    value = quantize(value, places=2)
    return (f"{abs(value):.2f}", "D" if value >= 0 else "C")


@dataclass
class _Writer:
    xf: Any
    ns: str

    def leaf(self, name: str, value: Any) -> None:
        if value is None or value == "":
            return
        with self.xf.element(f"{{{self.ns}}}{name}"):
            self.xf.write(str(value))

    def element(self, name: str) -> Any:
        return self.xf.element(f"{{{self.ns}}}{name}")


def _address(
    w: _Writer, tag: str, street: str, postcode: str, city: str, country: str, *, version: str
) -> None:
    name, number, extension = _split_street(street)
    with w.element(tag):
        w.leaf("streetname", name[:100])
        w.leaf("number", number[:15])
        w.leaf("numberExtension", extension)
        w.leaf("city", (city or "")[:50])
        w.leaf(
            "postalCode",
            (postcode or "").replace(" ", "")[:10] if version == "3.2" else (postcode or "")[:10],
        )
        w.leaf("country", (country or "")[:2].upper())


def _parties(company: Any, fiscal_year: FiscalYear) -> list[dict[str, Any]]:
    from kern.parties.models import Address, Party

    party_subtypes = (AccountSubtype.RECEIVABLE, AccountSubtype.PAYABLE)
    lines = JournalLine.objects.filter(company=company, party__isnull=False)
    used = set(
        lines.filter(date__gte=fiscal_year.start_date, date__lte=fiscal_year.end_date)
        .values_list("party_id", flat=True)
        .distinct()
    )
    opening = {
        r["party_id"]: cents(r["b"])
        for r in lines.filter(date__lt=fiscal_year.start_date, account__subtype__in=party_subtypes)
        .values("party_id")
        .annotate(b=Sum(F("debit") - F("credit")))
    }
    closing = {
        r["party_id"]: cents(r["b"])
        for r in lines.filter(date__lte=fiscal_year.end_date, account__subtype__in=party_subtypes)
        .values("party_id")
        .annotate(b=Sum(F("debit") - F("credit")))
    }
    ids = used | {p for p, b in opening.items() if b} | {p for p, b in closing.items() if b}
    addresses: dict[int, Any] = {}
    for address in Address.objects.filter(party_id__in=ids).order_by("party_id", "-is_default", "kind", "id"):
        addresses.setdefault(address.party_id, address)
    out = []
    for party in Party.objects.filter(pk__in=ids).order_by("number"):
        out.append(
            {
                "party": party,
                "address": addresses.get(party.pk),
                "opening": opening.get(party.pk, ZERO),
                "closing": closing.get(party.pk, ZERO),
            }
        )
    return out


def _customers_suppliers(w: _Writer, company: Any, fiscal_year: FiscalYear, version: str) -> None:
    parties = _parties(company, fiscal_year)
    if not parties:
        return
    with w.element("customersSuppliers"):
        for item in parties:
            party, address = item["party"], item["address"]
            with w.element("customerSupplier"):
                w.leaf("custSupID", party.number[:35])
                w.leaf("custSupName", party.name[:50])
                if version == "3.2":
                    w.leaf("telephone", party.phone[:30])
                w.leaf("eMail", party.email)
                if version == "3.2":
                    w.leaf("website", party.website)
                w.leaf("commerceNr", party.kvk_number)
                country = str(address.country) if address else (party.vat_id[:2] if party.vat_id else "")
                w.leaf("taxRegistrationCountry", country[:2].upper() if country else "")
                w.leaf("taxRegIdent", party.vat_id[:30])
                kind = "B" if party.is_customer and party.is_vendor else ("S" if party.is_vendor else "C")
                w.leaf("custSupTp", kind)
                if version == "3.2" and party.credit_limit:
                    w.leaf("custCreditLimit", f"{party.credit_limit:.2f}")
                if version == "4.0":
                    amount, side = _amount(item["opening"])
                    w.leaf("opBalDesc", amount)
                    w.leaf("opBalTp", side)
                    amount, side = _amount(item["closing"])
                    w.leaf("clBalDesc", amount)
                    w.leaf("clBalTp", side)
                if address is not None:
                    _address(
                        w,
                        "streetAddress",
                        address.street,
                        address.postcode,
                        address.city,
                        str(address.country),
                        version=version,
                    )


def _general_ledger(w: _Writer, company: Any, version: str) -> dict[int, Account]:
    accounts = {a.pk: a for a in Account.objects.filter(company=company, is_group=False).order_by("code")}
    with w.element("generalLedger"):
        for account in accounts.values():
            with w.element("ledgerAccount"):
                w.leaf("accID", account.code[:35])
                w.leaf("accDesc", account.name[:255])
                is_pnl = account.type in (AccountType.INCOME, AccountType.EXPENSE)
                w.leaf("accTp", "P" if is_pnl else "B")
                if version == "4.0":
                    w.leaf("RGScode", account.rgs_code)
                elif account.rgs_code:
                    w.leaf("leadReference", account.rgs_code)
    return accounts


def _vat_codes(w: _Writer, company: Any, accounts: dict[int, Account]) -> dict[int, TaxCode]:
    taxes = {t.pk: t for t in TaxCode.objects.filter(company=company).order_by("code")}
    if not taxes:
        return taxes
    with w.element("vatCodes"):
        for tax in taxes.values():
            with w.element("vatCode"):
                w.leaf("vatID", tax.code[:35])
                w.leaf("vatDesc", tax.name[:100])
                pay = tax.account_id if (tax.direction == "sale" or tax.deductible_account_id) else None
                claim = tax.deductible_account_id or (tax.account_id if tax.direction == "purchase" else None)
                if pay and pay in accounts:
                    w.leaf("vatToPayAccID", accounts[pay].code)
                if claim and claim in accounts:
                    w.leaf("vatToClaimAccID", accounts[claim].code)
    return taxes


def _periods(w: _Writer, fiscal_year: FiscalYear) -> None:
    with w.element("periods"):
        for period in Period.objects.filter(fiscal_year=fiscal_year).order_by("number"):
            with w.element("period"):
                w.leaf("periodNumber", period.number)
                w.leaf("startDatePeriod", period.start_date.isoformat())
                w.leaf("endDatePeriod", period.end_date.isoformat())


def _opening_balance(
    w: _Writer, company: Any, fiscal_year: FiscalYear, accounts: dict[int, Account], version: str
) -> None:
    tb = trial_balance(company, date_from=fiscal_year.start_date, date_to=fiscal_year.end_date)
    rows = [(r.account_id, r.opening) for r in tb.rows if r.opening]
    debit = sum((b for _a, b in rows if b > 0), ZERO)
    credit = -sum((b for _a, b in rows if b < 0), ZERO)
    with w.element("openingBalance"):
        if version == "3.2":
            w.leaf("opBalDate", fiscal_year.start_date.isoformat())
            w.leaf("opBalDesc", f"Beginbalans {fiscal_year.year}")
        w.leaf("linesCount", len(rows))
        w.leaf("totalDebit", f"{debit:.2f}")
        w.leaf("totalCredit", f"{credit:.2f}")
        for n, (account_id, balance) in enumerate(rows, start=1):
            amount, side = _amount(balance)
            with w.element("obLine"):
                w.leaf("nr", n)
                w.leaf("accID", accounts[account_id].code)
                w.leaf("amnt", amount)
                w.leaf("amntTp", side)


def _transaction_lines(company: Any, fiscal_year: FiscalYear) -> Any:
    return JournalLine.objects.filter(
        company=company,
        date__gte=fiscal_year.start_date,
        date__lte=fiscal_year.end_date,
    ).exclude(period__kind=PeriodKind.OPENING)


def _lines_by_entry(
    company: Any, fiscal_year: FiscalYear, journal: Journal
) -> Iterator[tuple[dict[str, Any], list[dict[str, Any]]]]:
    rows = (
        _transaction_lines(company, fiscal_year)
        .filter(entry__journal=journal)
        .order_by("date", "entry__number", "entry_id", "line_no")
        .values(
            "entry_id",
            "entry__number",
            "entry__memo",
            "entry__source_number",
            "entry__source_type",
            "entry__posted_by__username",
            "period__number",
            "date",
            "line_no",
            "account_id",
            "party__number",
            "debit",
            "credit",
            "amount_currency",
            "currency",
            "tax_code_id",
            "tax_kind",
            "description",
            "analytic",
            "due_date",
        )
        .iterator(chunk_size=5000)
    )
    current: list[dict[str, Any]] = []
    for row in rows:
        if current and current[0]["entry_id"] != row["entry_id"]:
            yield current[0], current
            current = []
        current.append(row)
    if current:
        yield current[0], current


def _transactions(
    w: _Writer,
    company: Any,
    fiscal_year: FiscalYear,
    accounts: dict[int, Account],
    taxes: dict[int, TaxCode],
    version: str,
) -> None:
    lines = _transaction_lines(company, fiscal_year)
    totals = lines.aggregate(n=Count("id"), d=Sum("debit"), c=Sum("credit"))
    with w.element("transactions"):
        w.leaf("linesCount", totals["n"] or 0)
        w.leaf("totalDebit", f"{cents(totals['d']):.2f}")
        w.leaf("totalCredit", f"{cents(totals['c']):.2f}")
        journal_ids = set(lines.values_list("entry__journal_id", flat=True).distinct())
        for journal in Journal.objects.filter(pk__in=journal_ids).order_by("code"):
            with w.element("journal"):
                w.leaf("jrnID", journal.code[:35])
                w.leaf("desc", journal.name)
                w.leaf("jrnTp", _JOURNAL_TYPES.get(journal.kind, "Z"))
                if journal.default_account_id and journal.default_account_id in accounts:
                    w.leaf("offsetAccID", accounts[journal.default_account_id].code)
                for head, entry_lines in _lines_by_entry(company, fiscal_year, journal):
                    with w.element("transaction"):
                        w.leaf("nr", head["entry__number"][:35])
                        w.leaf("desc", head["entry__memo"])
                        w.leaf("periodNumber", head["period__number"])
                        w.leaf("trDt", head["date"].isoformat())
                        if version == "4.0":
                            w.leaf("Source", head["entry__source_type"])
                            w.leaf("User", head["entry__posted_by__username"])
                        else:
                            w.leaf("userID", (head["entry__posted_by__username"] or "")[:35])
                        for line in entry_lines:
                            _transaction_line(w, line, accounts, taxes, version)


def _transaction_line(
    w: _Writer, line: dict[str, Any], accounts: dict[int, Account], taxes: dict[int, TaxCode], version: str
) -> None:
    balance = line["debit"] - line["credit"]
    amount, side = _amount(balance)
    analytic = line["analytic"] or {}
    with w.element("trLine"):
        w.leaf("nr", line["line_no"])
        w.leaf("accID", accounts[line["account_id"]].code)
        w.leaf("docRef", (line["entry__source_number"] or line["entry__number"])[:255])
        w.leaf("effDate", line["date"].isoformat())
        w.leaf("desc", line["description"])
        w.leaf("amnt", amount)
        w.leaf("amntTp", side)
        w.leaf("custSupID", line["party__number"])
        if line["party__number"] and line["entry__source_number"]:
            w.leaf("invRef", line["entry__source_number"][:255])
        if version == "4.0":
            w.leaf("cost", analytic.get("cost_centre", "")[:999])
            w.leaf("project", analytic.get("project", "")[:999])
        else:
            w.leaf("costID", analytic.get("cost_centre", "")[:35])
            w.leaf("projID", analytic.get("project", "")[:35])
        tax = taxes.get(line["tax_code_id"]) if line["tax_code_id"] else None
        if tax is not None:
            vat = balance if line["tax_kind"] == "tax" else quantize(balance * tax.rate / 100, places=2)
            vat_amount, vat_side = _amount(vat)
            with w.element("vat"):
                w.leaf("vatID", tax.code[:35])
                w.leaf("vatPerc", f"{tax.rate:.3f}".rstrip("0").rstrip(".") if tax.rate else "0")
                w.leaf("vatAmnt", vat_amount)
                w.leaf("vatAmntTp", vat_side)
        if line["currency"] and line["amount_currency"] is not None:
            with w.element("currency"):
                w.leaf("curCode", line["currency"])
                w.leaf("curAmnt", f"{abs(quantize(line['amount_currency'], places=2)):.2f}")


def export_xaf(company: Any, year: int, out: IO[bytes], *, version: str = "4.0") -> None:
    """Write the audit file of fiscal year `year` to the binary stream `out`."""
    if version not in NAMESPACES:
        raise XafError(f"unknown XAF version {version!r}; choose 4.0 or 3.2")
    fiscal_year = FiscalYear.objects.filter(company=company, year=year).first()
    if fiscal_year is None:
        raise XafError(f"{company} has no fiscal year {year}")
    ns = NAMESPACES[version]
    with etree.xmlfile(out, encoding="UTF-8") as xf:
        xf.write_declaration()
        w = _Writer(xf, ns)
        with xf.element(f"{{{ns}}}auditfile", nsmap={None: ns}):
            with w.element("header"):
                w.leaf("fiscalYear", str(fiscal_year.year))
                w.leaf("startDate", fiscal_year.start_date.isoformat())
                w.leaf("endDate", fiscal_year.end_date.isoformat())
                w.leaf("curCode", company.base_currency_id)
                w.leaf("dateCreated", dt.date.today().isoformat())
                w.leaf("softwareDesc", "Kern")
                w.leaf("softwareVersion", _software_version())
                if version == "4.0" and Account.objects.filter(company=company).exclude(rgs_code="").exists():
                    w.leaf("RGSVersion", _RGS_VERSION)
            with w.element("company"):
                if version == "4.0":
                    w.leaf("Commercenr", company.kvk_number)
                else:
                    w.leaf("companyIdent", company.kvk_number)
                w.leaf("companyName", company.legal_name or company.name)
                w.leaf("taxRegistrationCountry", str(company.country)[:2])
                w.leaf("taxRegIdent", (company.vat_id or company.kvk_number or "-")[:30])
                if company.street or company.city:
                    _address(
                        w,
                        "streetAddress",
                        company.street,
                        company.postcode,
                        company.city,
                        str(company.country),
                        version=version,
                    )
                _customers_suppliers(w, company, fiscal_year, version)
                accounts = _general_ledger(w, company, version)
                taxes = _vat_codes(w, company, accounts)
                _periods(w, fiscal_year)
                _opening_balance(w, company, fiscal_year, accounts, version)
                _transactions(w, company, fiscal_year, accounts, taxes, version)


def run_export(argv: list[str], *, stdout: Any, stderr: Any) -> int:
    """`kern export xaf --year YYYY [--version 4.0|3.2] --output FILE [--company ID|KVK]`."""
    from kern.core.models import Company

    parser = argparse.ArgumentParser(
        prog="kern export xaf", description="Write the XML Auditfile Financieel of a year."
    )
    parser.add_argument("--year", type=int, required=True)
    parser.add_argument("--version", choices=sorted(NAMESPACES), default="4.0")
    parser.add_argument("--output", required=True, help="the .xaf file to write ('-' for standard output)")
    parser.add_argument("--company", help="company id or KvK number (required when there are several)")
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:
        return int(exc.code or 2)
    companies = Company.objects.filter(is_active=True)
    if args.company:
        company = companies.filter(
            Q(kvk_number=args.company) | Q(pk=int(args.company) if args.company.isdigit() else 0)
        ).first()
        if company is None:
            stderr.write(f"no company {args.company!r}")
            return 2
    elif companies.count() == 1:
        company = companies.get()
    else:
        stderr.write("several companies exist: choose one with --company ID|KVK")
        return 2
    try:
        if args.output == "-":
            export_xaf(
                company,
                args.year,
                stdout.buffer if hasattr(stdout, "buffer") else stdout,
                version=args.version,
            )
        else:
            path = Path(args.output)
            with path.open("wb") as handle:
                export_xaf(company, args.year, handle, version=args.version)
            stdout.write(f"XAF {args.version} of {company.name} {args.year} written to {path}")
    except XafError as exc:
        stderr.write(str(exc))
        return 1
    return 0
