"""Reading ISO 20022 camt.053 bank statements (BankToCustomerStatement) with lxml.

How strict: a file must be well-formed XML whose root is a camt.053 `Document` with a
`BkToCstmrStmt` (versions .001.02 up to .001.13 are read: the elements Kern uses did not change),
and every statement and booked entry must carry what booking needs — the account, an amount with
its currency, credit or debit, a booking date. Otherwise the whole file is refused with one clear
error and nothing is imported. A .001.02 file is also checked against the official XSD (shipped in
kern/payments/data/); real bank files often break it (element order, cardinality — see the
viafintech samples), so XSD findings are reported as warnings, not refusals. Entries that are not
booked (`Sts` PDNG, INFO) are skipped: they are not on the account yet.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from functools import cache
from pathlib import Path

from lxml import etree

__all__ = [
    "CAMT053_NAMESPACE",
    "ParsedLine",
    "ParsedStatement",
    "StatementFileError",
    "parse_camt053",
    "render_camt053",
]

CAMT053_NAMESPACE = "urn:iso:std:iso:20022:tech:xsd:camt.053.001.02"
_NAMESPACE = re.compile(r"^urn:iso:std:iso:20022:tech:xsd:camt\.053\.001\.(\d\d)$")
XSD = Path(__file__).resolve().parent.parent / "data" / "camt.053.001.02.xsd"

# External entities and network access are refused: these files come from outside.
_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False)


class StatementFileError(ValueError):
    """The file cannot be read as a bank statement; the message says why, for the user."""


@dataclass
class ParsedLine:
    booking_date: dt.date
    amount: Decimal  # + money in, − money out
    currency: str
    value_date: dt.date | None = None
    counterparty_name: str = ""
    counterparty_iban: str = ""
    counterparty_bic: str = ""
    remittance: str = ""
    structured_reference: str = ""
    end_to_end_id: str = ""
    bank_reference: str = ""


@dataclass
class ParsedStatement:
    reference: str
    iban: str
    currency: str
    date: dt.date
    period_start: dt.date | None = None
    period_end: dt.date | None = None
    opening_balance: Decimal | None = None
    closing_balance: Decimal | None = None
    lines: list[ParsedLine] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


@cache
def _schema() -> etree.XMLSchema:
    return etree.XMLSchema(etree.parse(str(XSD)))


class _Reader:
    def __init__(self, ns: str):
        self.ns = {"c": ns}

    def all(self, node, path: str):
        return node.xpath(path, namespaces=self.ns)

    def text(self, node, path: str) -> str:
        found = node.xpath(path, namespaces=self.ns)
        if not found:
            return ""
        value = found[0] if isinstance(found[0], str) else found[0].text
        return " ".join((value or "").split())

    def date(self, node, path: str, where: str, *, required: bool = False) -> dt.date | None:
        raw = self.text(node, f"{path}/c:Dt") or self.text(node, f"{path}/c:DtTm")
        if not raw:
            if required:
                raise StatementFileError(f"{where}: the date is missing")
            return None
        try:
            return dt.date.fromisoformat(raw[:10])
        except ValueError:
            raise StatementFileError(f"{where}: {raw!r} is not a date") from None

    def amount(self, node, path: str, where: str) -> tuple[Decimal, str]:
        found = node.xpath(path, namespaces=self.ns)
        if not found:
            raise StatementFileError(f"{where}: the amount is missing")
        element = found[0]
        currency = (element.get("Ccy") or "").upper()
        try:
            value = Decimal((element.text or "").strip())
        except InvalidOperation:
            raise StatementFileError(f"{where}: {element.text!r} is not an amount") from None
        if not value.is_finite() or value < 0 or not re.fullmatch(r"[A-Z]{3}", currency):
            raise StatementFileError(f"{where}: an amount needs a positive value and a currency")
        return value, currency


def _signed(value: Decimal, indicator: str, where: str) -> Decimal:
    if indicator == "CRDT":
        return value
    if indicator == "DBIT":
        return -value
    raise StatementFileError(f"{where}: CdtDbtInd must be CRDT or DBIT, not {indicator!r}")


def parse_camt053(data: bytes) -> list[ParsedStatement]:
    """The statements in a camt.053 file, or StatementFileError naming what is wrong."""
    try:
        root = etree.fromstring(data, _PARSER)
    except etree.XMLSyntaxError as exc:
        raise StatementFileError(
            f"the file is not a camt.053 statement: it is not valid XML ({exc})"
        ) from None
    namespace = etree.QName(root).namespace or ""
    match = _NAMESPACE.match(namespace)
    if match is None or etree.QName(root).localname != "Document":
        what = (
            f"{etree.QName(root).localname} in namespace {namespace!r}"
            if namespace
            else etree.QName(root).localname
        )
        raise StatementFileError(f"the file is not a camt.053 bank statement (its root is {what})")
    r = _Reader(namespace)
    if not r.all(root, "c:BkToCstmrStmt"):
        raise StatementFileError("the file is not a camt.053 bank statement: BkToCstmrStmt is missing")
    warnings: list[str] = []
    if namespace == CAMT053_NAMESPACE and XSD.is_file():
        schema = _schema()
        if not schema.validate(root):
            errors = [f"line {e.line}: {e.message}" for e in schema.error_log][:5]
            warnings.append("the file deviates from the camt.053.001.02 schema: " + "; ".join(errors))
    statements = []
    for s_index, stmt in enumerate(r.all(root, "c:BkToCstmrStmt/c:Stmt"), start=1):
        where = f"statement {s_index}"
        reference = r.text(stmt, "c:Id") or r.text(stmt, "c:ElctrncSeqNb")
        if not reference:
            raise StatementFileError(f"{where}: the statement has no Id")
        iban = (
            (r.text(stmt, "c:Acct/c:Id/c:IBAN") or r.text(stmt, "c:Acct/c:Id/c:Othr/c:Id"))
            .replace(" ", "")
            .upper()
        )
        if not iban:
            raise StatementFileError(f"{where}: the account (Acct/Id) is missing")
        currency = r.text(stmt, "c:Acct/c:Ccy").upper()
        created = None  # CreDtTm is a bare date-time, not a Dt/DtTm choice
        raw_created = r.text(stmt, "c:CreDtTm")
        if raw_created:
            try:
                created = dt.date.fromisoformat(raw_created[:10])
            except ValueError:
                raise StatementFileError(f"{where}: CreDtTm {raw_created!r} is not a date") from None
        raw_from, raw_to = r.text(stmt, "c:FrToDt/c:FrDtTm"), r.text(stmt, "c:FrToDt/c:ToDtTm")
        try:
            start = dt.date.fromisoformat(raw_from[:10]) if raw_from else None
            end = dt.date.fromisoformat(raw_to[:10]) if raw_to else None
        except ValueError:
            raise StatementFileError(f"{where}: FrToDt is not a date range") from None
        opening = closing = None
        for bal in r.all(stmt, "c:Bal"):
            code = r.text(bal, "c:Tp/c:CdOrPrtry/c:Cd")
            value, bal_currency = r.amount(bal, "c:Amt", f"{where} balance {code}")
            currency = currency or bal_currency
            signed = _signed(value, r.text(bal, "c:CdtDbtInd"), f"{where} balance {code}")
            if code in ("OPBD", "PRCD") and opening is None:
                opening = signed
            elif code in ("CLBD",):
                closing = signed
        lines: list[ParsedLine] = []
        for e_index, entry in enumerate(r.all(stmt, "c:Ntry"), start=1):
            ewhere = f"{where}, entry {e_index}"
            status = r.text(entry, "c:Sts") or r.text(entry, "c:Sts/c:Cd")
            if status and status not in ("BOOK",):
                continue
            value, line_currency = r.amount(entry, "c:Amt", ewhere)
            if value == 0:
                continue
            signed = _signed(value, r.text(entry, "c:CdtDbtInd"), ewhere)
            currency = currency or line_currency
            booking = r.date(entry, "c:BookgDt", ewhere, required=True)
            value_date = r.date(entry, "c:ValDt", ewhere)
            entry_ref = r.text(entry, "c:AcctSvcrRef") or r.text(entry, "c:NtryRef")
            details = r.all(entry, "c:NtryDtls/c:TxDtls")
            parts = _split(r, details, signed, line_currency)
            extra = r.text(entry, "c:AddtlNtryInf")
            for t_index, (tx, amount) in enumerate(parts):
                line = ParsedLine(
                    booking_date=booking,
                    value_date=value_date,
                    amount=amount,
                    currency=line_currency,
                )
                if tx is not None:
                    _details(r, tx, line, incoming=signed > 0)
                if not line.remittance:
                    line.remittance = (r.text(tx, "c:AddtlTxInf") if tx is not None else "") or extra
                reference_here = line.bank_reference or entry_ref
                line.bank_reference = (
                    f"{reference_here}/{t_index + 1}" if reference_here and len(parts) > 1 else reference_here
                )[:80]
                lines.append(line)
        statement = ParsedStatement(
            reference=reference[:80],
            iban=iban[:34],
            currency=currency or "EUR",
            date=end or created or (max((ln.booking_date for ln in lines), default=None)) or dt.date.today(),
            period_start=start,
            period_end=end,
            opening_balance=opening,
            closing_balance=closing,
            lines=lines,
            warnings=list(warnings),
        )
        if opening is not None and closing is not None:
            moved = sum((ln.amount for ln in lines), Decimal("0"))
            if opening + moved != closing:
                statement.warnings.append(
                    f"{where}: opening balance {opening} plus the booked entries {moved} "
                    f"does not give the closing balance {closing}"
                )
        statements.append(statement)
    if not statements:
        raise StatementFileError("the camt.053 file holds no statement (Stmt)")
    return statements


def _split(r: _Reader, details: list, signed: Decimal, currency: str) -> list[tuple[object, Decimal]]:
    """One line per transaction of a batch entry when each has its own amount adding up to the
    entry; otherwise the entry is one line."""
    if len(details) <= 1:
        return [(details[0] if details else None, signed)]
    amounts = []
    for tx in details:
        found = r.all(tx, "c:AmtDtls/c:TxAmt/c:Amt") or r.all(tx, "c:Amt")
        if not found:
            return [(details[0], signed)]
        try:
            value = Decimal((found[0].text or "").strip())
        except InvalidOperation:
            return [(details[0], signed)]
        indicator = r.text(tx, "c:CdtDbtInd")
        amounts.append(-value if indicator == "DBIT" or (not indicator and signed < 0) else value)
    if sum(amounts, Decimal("0")) != signed:
        return [(details[0], signed)]
    return list(zip(details, amounts, strict=True))


def _details(r: _Reader, tx, line: ParsedLine, *, incoming: bool) -> None:
    party, agent = ("Dbtr", "DbtrAgt") if incoming else ("Cdtr", "CdtrAgt")
    line.counterparty_name = (
        r.text(tx, f"c:RltdPties/c:{party}/c:Nm") or r.text(tx, f"c:RltdPties/c:{party}/c:Pty/c:Nm")
    )[:140]
    line.counterparty_iban = (
        r.text(tx, f"c:RltdPties/c:{party}Acct/c:Id/c:IBAN").replace(" ", "").upper()[:34]
    )
    line.counterparty_bic = (
        r.text(tx, f"c:RltdAgts/c:{agent}/c:FinInstnId/c:BIC")
        or r.text(tx, f"c:RltdAgts/c:{agent}/c:FinInstnId/c:BICFI")
    )[:11]
    unstructured = " ".join(
        " ".join((u.text or "").split()) for u in r.all(tx, "c:RmtInf/c:Ustrd") if (u.text or "").strip()
    )
    line.remittance = unstructured[:500]
    line.structured_reference = r.text(tx, "c:RmtInf/c:Strd/c:CdtrRefInf/c:Ref").replace(" ", "")[:60]
    end_to_end = r.text(tx, "c:Refs/c:EndToEndId")
    line.end_to_end_id = "" if end_to_end.upper() == "NOTPROVIDED" else end_to_end[:60]
    line.bank_reference = r.text(tx, "c:Refs/c:AcctSvcrRef")[:80]


def render_camt053(statement: ParsedStatement, *, message_id: str = "", owner: str = "") -> bytes:
    """A camt.053.001.02 document for `statement` — what a bank sends. Kern uses it for the demo
    data and tests; it passes the official XSD."""
    ns = CAMT053_NAMESPACE

    def sub(parent, tag: str, text: str | None = None, **attrs: str):
        element = etree.SubElement(parent, f"{{{ns}}}{tag}", **attrs)
        if text is not None:
            element.text = text
        return element

    def balance(parent, code: str, value: Decimal, on: dt.date) -> None:
        bal = sub(parent, "Bal")
        sub(sub(sub(bal, "Tp"), "CdOrPrtry"), "Cd", code)
        sub(bal, "Amt", f"{abs(value):.2f}", Ccy=statement.currency)
        sub(bal, "CdtDbtInd", "CRDT" if value >= 0 else "DBIT")
        sub(sub(bal, "Dt"), "Dt", on.isoformat())

    root = etree.Element(f"{{{ns}}}Document", nsmap={None: ns})
    report = sub(root, "BkToCstmrStmt")
    header = sub(report, "GrpHdr")
    sub(header, "MsgId", (message_id or statement.reference)[:35])
    sub(header, "CreDtTm", f"{statement.date.isoformat()}T18:00:00")
    stmt = sub(report, "Stmt")
    sub(stmt, "Id", statement.reference[:35])
    sub(stmt, "CreDtTm", f"{statement.date.isoformat()}T18:00:00")
    if statement.period_start and statement.period_end:
        period = sub(stmt, "FrToDt")
        sub(period, "FrDtTm", f"{statement.period_start.isoformat()}T00:00:00")
        sub(period, "ToDtTm", f"{statement.period_end.isoformat()}T23:59:59")
    account = sub(stmt, "Acct")
    sub(sub(account, "Id"), "IBAN", statement.iban)
    sub(account, "Ccy", statement.currency)
    if owner:
        sub(sub(account, "Ownr"), "Nm", owner[:70])
    opening = statement.opening_balance or Decimal("0")
    closing = opening + sum((ln.amount for ln in statement.lines), Decimal("0"))
    balance(stmt, "OPBD", opening, statement.period_start or statement.date)
    balance(stmt, "CLBD", closing, statement.date)
    for line in statement.lines:
        incoming = line.amount > 0
        entry = sub(stmt, "Ntry")
        sub(entry, "Amt", f"{abs(line.amount):.2f}", Ccy=line.currency)
        sub(entry, "CdtDbtInd", "CRDT" if incoming else "DBIT")
        sub(entry, "Sts", "BOOK")
        sub(sub(entry, "BookgDt"), "Dt", line.booking_date.isoformat())
        sub(sub(entry, "ValDt"), "Dt", (line.value_date or line.booking_date).isoformat())
        if line.bank_reference:
            sub(entry, "AcctSvcrRef", line.bank_reference[:35])
        code = sub(sub(entry, "BkTxCd"), "Domn")
        sub(code, "Cd", "PMNT")
        family = sub(code, "Fmly")
        sub(family, "Cd", "RCDT" if incoming else "ICDT")
        sub(family, "SubFmlyCd", "ESCT")
        tx = sub(sub(entry, "NtryDtls"), "TxDtls")
        sub(sub(tx, "Refs"), "EndToEndId", line.end_to_end_id or "NOTPROVIDED")
        if line.counterparty_name or line.counterparty_iban:
            parties = sub(tx, "RltdPties")
            role = "Dbtr" if incoming else "Cdtr"
            if line.counterparty_name:
                sub(sub(parties, role), "Nm", line.counterparty_name[:70])
            if line.counterparty_iban:
                sub(sub(sub(parties, f"{role}Acct"), "Id"), "IBAN", line.counterparty_iban)
        if line.remittance or line.structured_reference:
            remittance = sub(tx, "RmtInf")
            if line.remittance:
                sub(remittance, "Ustrd", line.remittance[:140])
            if line.structured_reference:
                reference = sub(sub(remittance, "Strd"), "CdtrRefInf")
                tp = sub(reference, "Tp")
                sub(sub(tp, "CdOrPrtry"), "Cd", "SCOR")
                sub(reference, "Ref", line.structured_reference[:35])
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)
