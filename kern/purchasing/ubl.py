"""Reading and checking UBL 2.1 / Peppol BIS 3 e-invoices (Invoice and CreditNote).

`check_einvoice(data)` answers with every finding and, when nothing is fatal, the document read
into plain data (`EInvoice`). Two layers, in the order a Peppol access point applies them:

1. the OASIS UBL 2.1 XML Schema, shipped with Kern in `data/ubl-2.1-xsd/` (findings with id
   "XSD"). When the schema fails, nothing else is read: the structure cannot be trusted;
2. Kern's own checks of the EN 16931 business rules that matter for booking the bill, each with
   the rule id of the official CEN artefacts (BR-CO-10, BR-CO-15, BR-S-08 …): the document is
   identified and dated, seller and buyer are named and the seller identifiable, the currency is
   ISO 4217, and line, allowance/charge, VAT breakdown and document totals add up, with the same
   tolerances and rounding as the official XSLT.

The rules that do not change what gets booked (code lists of units, countries, payment means,
national CIUS rules, Peppol transport rules) are left to the sender's access point; the test
suite runs the official validator on the same files and checks that Kern agrees with it.

Nothing here touches the database.
"""

from __future__ import annotations

import datetime as dt
import functools
from dataclasses import asdict, dataclass, field
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from lxml import etree

from kern.core.data.iso4217 import CURRENCIES

__all__ = [
    "IMPLEMENTED_RULES",
    "MAX_BYTES",
    "CheckResult",
    "EInvoice",
    "EInvoiceLine",
    "EInvoiceParty",
    "EInvoiceTax",
    "Finding",
    "check_einvoice",
]

MAX_BYTES = 10 * 1024 * 1024
XSD_DIR = Path(__file__).resolve().parent / "data" / "ubl-2.1-xsd" / "maindoc"

NS = {
    "inv": "urn:oasis:names:specification:ubl:schema:xsd:Invoice-2",
    "cn": "urn:oasis:names:specification:ubl:schema:xsd:CreditNote-2",
    "cac": "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2",
    "cbc": "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2",
}
ROOTS = {
    f"{{{NS['inv']}}}Invoice": ("invoice", "UBL-Invoice-2.1.xsd"),
    f"{{{NS['cn']}}}CreditNote": ("credit_note", "UBL-CreditNote-2.1.xsd"),
}
ZERO = Decimal("0")
ONE = Decimal("1")
CENT = Decimal("0.01")
# Every rule id Kern checks itself (besides "XSD"); the tests compare them with the official validator.
IMPLEMENTED_RULES = frozenset(
    {
        f"BR-{n:02d}"
        for n in (1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 21, 22, 23, 24, 25, 26, 27)
    }
    | {"BR-31", "BR-32", "BR-36", "BR-37", "BR-45", "BR-46", "BR-47", "BR-48", "BR-53"}
    | {f"BR-CO-{n:02d}" for n in (4, 10, 11, 12, 13, 14, 15, 16, 17, 18, 26)}
    | {"BR-CL-03", "BR-CL-04", "BR-CL-05"}
    | {"BR-S-08", "BR-S-09"}
    | {f"BR-{c}-{n:02d}" for c in ("Z", "E", "AE", "K", "G", "O") for n in (8, 9)}
    | {f"BR-DEC-{n}" for n in (9, 10, 11, 12, 13, 14, 16, 17, 18, 19, 20, 23)}
)
# The amounts EN 16931 allows two decimals at most (BR-DEC-*), by where they sit.
_TOTAL_DECIMALS = {
    "LineExtensionAmount": "BR-DEC-09",
    "AllowanceTotalAmount": "BR-DEC-10",
    "ChargeTotalAmount": "BR-DEC-11",
    "TaxExclusiveAmount": "BR-DEC-12",
    "TaxInclusiveAmount": "BR-DEC-14",
    "PrepaidAmount": "BR-DEC-16",
    "PayableRoundingAmount": "BR-DEC-17",
    "PayableAmount": "BR-DEC-18",
}
_CATEGORY_NAMES = {
    "S": "Standard rated",
    "Z": "Zero rated",
    "E": "Exempt from VAT",
    "AE": "Reverse charge",
    "K": "Intra-community supply",
    "G": "Export outside the EU",
    "O": "Not subject to VAT",
    "L": "Canary Islands IGIC",
    "M": "Ceuta and Melilla IPSI",
}


# --- findings ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Finding:
    rule: str  # "XSD", "BR-CO-10", or "KERN-…" for Kern's own notes
    text: str
    fatal: bool = True
    location: str = ""

    def as_dict(self) -> dict[str, Any]:
        return {"rule": self.rule, "text": self.text, "fatal": self.fatal, "location": self.location}


# --- the document as data ------------------------------------------------------------------------


@dataclass
class EInvoiceParty:
    name: str = ""
    trade_name: str = ""
    vat_id: str = ""
    legal_id: str = ""
    legal_scheme: str = ""
    endpoint: str = ""
    endpoint_scheme: str = ""
    identifiers: list[tuple[str, str]] = field(default_factory=list)  # (scheme, id)
    street: str = ""
    street2: str = ""
    city: str = ""
    postcode: str = ""
    country: str = ""
    email: str = ""
    phone: str = ""


@dataclass
class EInvoiceLine:
    line_id: str
    quantity: Decimal
    unit_code: str
    net_amount: Decimal
    price: Decimal
    base_quantity: Decimal
    name: str
    description: str = ""
    sellers_item_id: str = ""
    buyers_item_id: str = ""
    standard_item_id: str = ""
    standard_scheme: str = ""
    order_line_ref: str = ""
    tax_category: str = ""
    tax_rate: Decimal | None = None
    is_allowance_charge: bool = False  # a document-level allowance (negative) or charge, as a line


@dataclass
class EInvoiceTax:
    category: str
    rate: Decimal
    base: Decimal
    amount: Decimal
    exemption_reason: str = ""


@dataclass
class EInvoice:
    kind: str  # invoice | credit_note
    number: str
    issue_date: dt.date
    due_date: dt.date | None
    type_code: str
    currency: str
    tax_currency: str
    customization_id: str
    buyer_reference: str
    order_reference: str
    preceding_invoice: str
    note: str
    seller: EInvoiceParty
    buyer: EInvoiceParty
    lines: list[EInvoiceLine]
    taxes: list[EInvoiceTax]
    line_total: Decimal
    allowance_total: Decimal
    charge_total: Decimal
    tax_exclusive: Decimal
    tax_total: Decimal
    tax_inclusive: Decimal
    prepaid: Decimal
    rounding: Decimal
    payable: Decimal
    payment_reference: str = ""
    ibans: list[str] = field(default_factory=list)
    payment_terms: str = ""

    def as_dict(self) -> dict[str, Any]:
        return _plain(asdict(self))


def _plain(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


@dataclass
class CheckResult:
    findings: list[Finding]
    document: EInvoice | None

    @property
    def ok(self) -> bool:
        return not any(f.fatal for f in self.findings)

    @property
    def fatal(self) -> list[Finding]:
        return [f for f in self.findings if f.fatal]


# --- parsing -------------------------------------------------------------------------------------


def _parser() -> etree.XMLParser:
    # No DTDs, no entities, no network: an e-invoice from outside must not make us read files or
    # fetch URLs (XXE), nor expand entities without end.
    return etree.XMLParser(
        resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False, remove_blank_text=False
    )


@functools.cache
def _schema(name: str) -> etree.XMLSchema:
    return etree.XMLSchema(etree.parse(str(XSD_DIR / name), _parser()))


def check_einvoice(data: bytes) -> CheckResult:
    """Every finding about the file, and the document when it may be booked."""
    if len(data) > MAX_BYTES:
        return CheckResult(
            [Finding("KERN-FILE", f"the file is larger than {MAX_BYTES // 1024 // 1024} MB")], None
        )
    head = data[:4096].lower()
    if b"<!doctype" in head or b"<!entity" in head:
        return CheckResult(
            [Finding("KERN-FILE", "document type declarations are not allowed in an e-invoice")], None
        )
    try:
        root = etree.fromstring(data, _parser())
    except etree.XMLSyntaxError as exc:
        return CheckResult([Finding("KERN-FILE", f"the file is not well-formed XML: {exc}")], None)
    known = ROOTS.get(root.tag)
    if known is None:
        return CheckResult(
            [Finding("XSD", f"root element {root.tag} is not a UBL 2.1 Invoice or CreditNote")], None
        )
    kind, xsd = known
    schema = _schema(xsd)
    if not schema.validate(root.getroottree()):
        return CheckResult(
            [Finding("XSD", e.message.strip(), location=f"line {e.line}") for e in schema.error_log], None
        )
    checker = _Checker(root, kind)
    checker.run()
    document = checker.read() if not any(f.fatal for f in checker.findings) else None
    return CheckResult(checker.findings, document)


def _text(node: Any, path: str) -> str:
    found = node.find(path, NS) if node is not None else None
    return " ".join((found.text or "").split()) if found is not None and found.text else ""


def _dec(text: str | None) -> Decimal | None:
    if text is None:
        return None
    try:
        value = Decimal(text.strip())
    except (InvalidOperation, AttributeError):
        return None
    return value if value.is_finite() else None


def _round2(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def _decimals(text: str) -> int:
    return len(text.strip().split(".", 1)[1]) if "." in text else 0


class _Checker:
    """The EN 16931 rules that matter for booking, evaluated like the official CEN XSLT."""

    def __init__(self, root: Any, kind: str):
        self.root = root
        self.kind = kind
        self.line_tag = "cac:InvoiceLine" if kind == "invoice" else "cac:CreditNoteLine"
        self.qty_tag = "cbc:InvoicedQuantity" if kind == "invoice" else "cbc:CreditedQuantity"
        self.findings: list[Finding] = []

    def fail(self, rule: str, text: str, location: str = "") -> None:
        self.findings.append(Finding(rule, text, True, location))

    def warn(self, rule: str, text: str, location: str = "") -> None:
        self.findings.append(Finding(rule, text, False, location))

    def amount(self, node: Any, path: str) -> Decimal | None:
        found = node.find(path, NS) if node is not None else None
        return _dec(found.text) if found is not None else None

    # -- the rules --

    def run(self) -> None:
        r = self.root
        self._header(r)
        self._parties(r)
        self._currency_codes(r)
        lines = r.findall(self.line_tag, NS)
        if not lines:
            self.fail("BR-16", "An Invoice shall have at least one Invoice line (BG-25).")
        for index, line in enumerate(lines, start=1):
            self._line(line, index)
        self._document_allowances(r)
        self._totals(r, lines)
        self._vat(r, lines)

    def _document_allowances(self, r: Any) -> None:
        for index, node in enumerate(r.findall("cac:AllowanceCharge", NS), start=1):
            charge = _text(node, "cbc:ChargeIndicator").lower() == "true"
            what = "charge" if charge else "allowance"
            where = f"AllowanceCharge[{index}]"
            amount_rule, vat_rule = ("BR-36", "BR-37") if charge else ("BR-31", "BR-32")
            amount_bt, vat_bt = ("BT-99", "BT-102") if charge else ("BT-92", "BT-95")
            group = "BG-21" if charge else "BG-20"
            if node.find("cbc:Amount", NS) is None:
                self.fail(
                    amount_rule,
                    f"Each Document level {what} ({group}) shall have a Document level {what} amount ({amount_bt}).",
                    where,
                )
            if not self._vat_category(node, "cac:TaxCategory"):
                self.fail(
                    vat_rule,
                    f"Each Document level {what} ({group}) shall have a Document level {what} VAT category code ({vat_bt}).",
                    where,
                )

    def _header(self, r: Any) -> None:
        required = [
            ("BR-01", "cbc:CustomizationID", "An Invoice shall have a Specification identifier (BT-24)."),
            ("BR-02", "cbc:ID", "An Invoice shall have an Invoice number (BT-1)."),
            ("BR-03", "cbc:IssueDate", "An Invoice shall have an Invoice issue date (BT-2)."),
            ("BR-05", "cbc:DocumentCurrencyCode", "An Invoice shall have an Invoice currency code (BT-5)."),
        ]
        for rule, path, text in required:
            if not _text(r, path):
                self.fail(rule, text)
        type_path = "cbc:InvoiceTypeCode" if self.kind == "invoice" else "cbc:CreditNoteTypeCode"
        if not _text(r, type_path):
            self.fail("BR-04", "An Invoice shall have an Invoice type code (BT-3).")
        issue, due = _text(r, "cbc:IssueDate"), _text(r, "cbc:DueDate")
        if issue and due and due < issue:
            self.warn("KERN-DATE", f"the due date {due} lies before the issue date {issue}")

    def _parties(self, r: Any) -> None:
        seller = r.find("cac:AccountingSupplierParty", NS)
        buyer = r.find("cac:AccountingCustomerParty/cac:Party", NS)
        seller_party = seller.find("cac:Party", NS) if seller is not None else None
        if not _text(seller_party, "cac:PartyLegalEntity/cbc:RegistrationName"):
            self.fail("BR-06", "An Invoice shall contain the Seller name (BT-27).")
        if not _text(buyer, "cac:PartyLegalEntity/cbc:RegistrationName"):
            self.fail("BR-07", "An Invoice shall contain the Buyer name (BT-44).")
        for party, exists_rule, country_rule, who, bt in (
            (seller_party, "BR-08", "BR-09", "Seller", "BT-40"),
            (buyer, "BR-10", "BR-11", "Buyer", "BT-55"),
        ):
            address = party.find("cac:PostalAddress", NS) if party is not None else None
            if address is None:
                self.fail(exists_rule, f"An Invoice shall contain the {who} postal address.")
            elif not _text(address, "cac:Country/cbc:IdentificationCode"):
                self.fail(
                    country_rule, f"The {who} postal address shall contain a {who} country code ({bt})."
                )
        if seller_party is not None:
            vat = any(
                _text(s, "cac:TaxScheme/cbc:ID").upper() == "VAT" and _text(s, "cbc:CompanyID")
                for s in seller_party.findall("cac:PartyTaxScheme", NS)
            )
            ident = any(
                (i.text or "").strip() and i.get("schemeID") != "SEPA"
                for i in seller_party.findall("cac:PartyIdentification/cbc:ID", NS)
            )
            legal = bool(_text(seller_party, "cac:PartyLegalEntity/cbc:CompanyID"))
            if not (vat or ident or legal):
                self.fail(
                    "BR-CO-26",
                    "In order for the buyer to automatically identify a supplier, the Seller identifier "
                    "(BT-29), the Seller legal registration identifier (BT-30) and/or the Seller VAT "
                    "identifier (BT-31) shall be present.",
                )

    def _currency_codes(self, r: Any) -> None:
        currency = _text(r, "cbc:DocumentCurrencyCode")
        if currency and currency not in CURRENCIES:
            self.fail("BR-CL-04", "Invoice currency code MUST be coded using ISO code list 4217 alpha-3")
        tax_currency = _text(r, "cbc:TaxCurrencyCode")
        if tax_currency and tax_currency not in CURRENCIES:
            self.fail("BR-CL-05", "Tax currency code MUST be coded using ISO code list 4217 alpha-3")
        bad = {
            node.get("currencyID")
            for node in r.iter()
            if node.get("currencyID") is not None and node.get("currencyID").strip() not in CURRENCIES
        }
        if bad:
            self.fail(
                "BR-CL-03",
                f"currencyID MUST be coded using ISO code list 4217 alpha-3 (found {', '.join(sorted(bad))})",
            )
        if tax_currency and not any(
            a.get("currencyID") == tax_currency for a in r.findall("cac:TaxTotal/cbc:TaxAmount", NS)
        ):
            self.fail(
                "BR-53",
                "If the VAT accounting currency code (BT-6) is present, then the Invoice total VAT amount "
                "in accounting currency (BT-111) shall be provided.",
            )

    def _line(self, line: Any, index: int) -> None:
        where = f"{self.line_tag.split(':')[1]}[{index}]"
        if not _text(line, "cbc:ID"):
            self.fail(
                "BR-21", "Each Invoice line (BG-25) shall have an Invoice line identifier (BT-126).", where
            )
        quantity = line.find(self.qty_tag, NS)
        if quantity is None:
            self.fail("BR-22", "Each Invoice line (BG-25) shall have an Invoiced quantity (BT-129).", where)
        elif not quantity.get("unitCode"):
            self.fail(
                "BR-23",
                "An Invoice line (BG-25) shall have an Invoiced quantity unit of measure code (BT-130).",
                where,
            )
        net = line.find("cbc:LineExtensionAmount", NS)
        if net is None:
            self.fail(
                "BR-24", "Each Invoice line (BG-25) shall have an Invoice line net amount (BT-131).", where
            )
        elif _decimals(net.text or "") > 2:
            self.fail(
                "BR-DEC-23",
                "The allowed maximum number of decimals for the Invoice line net amount (BT-131) is 2.",
                where,
            )
        if not _text(line, "cac:Item/cbc:Name"):
            self.fail("BR-25", "Each Invoice line (BG-25) shall contain the Item name (BT-153).", where)
        price = self.amount(line, "cac:Price/cbc:PriceAmount")
        if line.find("cac:Price/cbc:PriceAmount", NS) is None:
            self.fail("BR-26", "Each Invoice line (BG-25) shall contain the Item net price (BT-146).", where)
        elif price is not None and price < 0:
            self.fail("BR-27", "The Item net price (BT-146) shall NOT be negative.", where)
        if not self._vat_category(line.find("cac:Item", NS), "cac:ClassifiedTaxCategory"):
            self.fail(
                "BR-CO-04",
                "Each Invoice line (BG-25) shall be categorized with an Invoiced item VAT category code (BT-151).",
                where,
            )

    def _totals(self, r: Any, lines: list[Any]) -> None:
        totals = r.find("cac:LegalMonetaryTotal", NS)
        if totals is None:
            return  # the schema requires it; nothing more to check
        for rule, name, text in (
            ("BR-12", "LineExtensionAmount", "the Sum of Invoice line net amount (BT-106)"),
            ("BR-13", "TaxExclusiveAmount", "the Invoice total amount without VAT (BT-109)"),
            ("BR-14", "TaxInclusiveAmount", "the Invoice total amount with VAT (BT-112)"),
            ("BR-15", "PayableAmount", "the Amount due for payment (BT-115)"),
        ):
            if totals.find(f"cbc:{name}", NS) is None:
                self.fail(rule, f"An Invoice shall have {text}.")
        for name, rule in _TOTAL_DECIMALS.items():
            node = totals.find(f"cbc:{name}", NS)
            if node is not None and _decimals(node.text or "") > 2:
                self.fail(rule, f"The allowed maximum number of decimals for {name} is 2.")
        get = functools.partial(self.amount, totals)
        line_total = get("cbc:LineExtensionAmount")
        allowances = get("cbc:AllowanceTotalAmount")
        charges = get("cbc:ChargeTotalAmount")
        exclusive = get("cbc:TaxExclusiveAmount")
        inclusive = get("cbc:TaxInclusiveAmount")
        prepaid = get("cbc:PrepaidAmount")
        rounding = get("cbc:PayableRoundingAmount")
        payable = get("cbc:PayableAmount")
        line_sum = sum((self.amount(x, "cbc:LineExtensionAmount") or ZERO for x in lines), ZERO)
        if line_total is not None and line_total != _round2(line_sum):
            self.fail(
                "BR-CO-10",
                f"Sum of Invoice line net amount (BT-106) = Σ Invoice line net amount (BT-131): the document "
                f"says {line_total}, its lines add up to {_round2(line_sum)}.",
            )
        doc_charges = self._allowance_charges(r, charge=True)
        doc_allowances = self._allowance_charges(r, charge=False)
        for total, items, rule, what in (
            (allowances, doc_allowances, "BR-CO-11", "allowances on document level (BT-107)"),
            (charges, doc_charges, "BR-CO-12", "charges on document level (BT-108)"),
        ):
            item_sum = _round2(sum((a for a, _c, _r in items), ZERO))
            if (total is None and items) or (total is not None and total != item_sum):
                self.fail(
                    rule,
                    f"Sum of {what} = Σ of their amounts: the document says {total if total is not None else 'nothing'}, "
                    f"the items add up to {item_sum}.",
                )
        if line_total is not None and exclusive is not None:
            expected = _round2(line_total - (allowances or ZERO) + (charges or ZERO))
            if exclusive != expected:
                self.fail(
                    "BR-CO-13",
                    f"Invoice total amount without VAT (BT-109) = Σ Invoice line net amount (BT-131) - Sum of "
                    f"allowances on document level (BT-107) + Sum of charges on document level (BT-108): the "
                    f"document says {exclusive}, which should be {expected}.",
                )
        currency = _text(r, "cbc:DocumentCurrencyCode")
        tax_amounts = [
            _dec(a.text)
            for a in r.findall("cac:TaxTotal/cbc:TaxAmount", NS)
            if a.get("currencyID") == currency
        ]
        if len(tax_amounts) != 1 or tax_amounts[0] is None:
            self.fail(
                "BR-CO-15",
                f"Invoice total amount with VAT (BT-112) = Invoice total amount without VAT (BT-109) + Invoice "
                f"total VAT amount (BT-110): the document must give exactly one VAT total in {currency}.",
            )
        elif exclusive is not None and inclusive is not None:
            expected = _round2(exclusive + tax_amounts[0])
            if inclusive != expected:
                self.fail(
                    "BR-CO-15",
                    f"Invoice total amount with VAT (BT-112) = Invoice total amount without VAT (BT-109) + "
                    f"Invoice total VAT amount (BT-110): the document says {inclusive}, which should be {expected}.",
                )
            tax_node = next(
                a for a in r.findall("cac:TaxTotal/cbc:TaxAmount", NS) if a.get("currencyID") == currency
            )
            if _decimals(tax_node.text or "") > 2:
                self.fail(
                    "BR-DEC-13",
                    "The allowed maximum number of decimals for the Invoice total VAT amount (BT-110) is 2.",
                )
        if inclusive is not None and payable is not None:
            expected = _round2(inclusive - (prepaid or ZERO) + (rounding or ZERO))
            if payable != expected:
                self.fail(
                    "BR-CO-16",
                    f"Amount due for payment (BT-115) = Invoice total amount with VAT (BT-112) - Paid amount "
                    f"(BT-113) + Rounding amount (BT-114): the document says {payable}, which should be {expected}.",
                )

    def _allowance_charges(self, r: Any, *, charge: bool) -> list[tuple[Decimal, str, Decimal | None]]:
        """(amount, VAT category, rate) of each document-level allowance or charge."""
        out = []
        for node in r.findall("cac:AllowanceCharge", NS):
            if (_text(node, "cbc:ChargeIndicator").lower() == "true") != charge:
                continue
            category = self._vat_category(node, "cac:TaxCategory")
            rate = self.amount(node, "cac:TaxCategory/cbc:Percent")
            out.append((self.amount(node, "cbc:Amount") or ZERO, category, rate))
        return out

    @staticmethod
    def _vat_category(node: Any, path: str) -> str:
        if node is None:
            return ""
        for category in node.findall(path, NS):
            if _text(category, "cac:TaxScheme/cbc:ID").upper() == "VAT":
                return _text(category, "cbc:ID")
        return ""

    def _vat(self, r: Any, lines: list[Any]) -> None:
        currency = _text(r, "cbc:DocumentCurrencyCode")
        totals = r.findall("cac:TaxTotal", NS)
        subtotals = [s for t in totals for s in t.findall("cac:TaxSubtotal", NS)]
        if not subtotals:
            self.fail("BR-CO-18", "An Invoice shall at least have one VAT breakdown group (BG-23).")
        for total in totals:
            parts = total.findall("cac:TaxSubtotal", NS)
            amount = self.amount(total, "cbc:TaxAmount")
            if parts and amount is not None:
                expected = _round2(sum((self.amount(p, "cbc:TaxAmount") or ZERO for p in parts), ZERO))
                if amount != expected:
                    self.fail(
                        "BR-CO-14",
                        f"Invoice total VAT amount (BT-110) = Σ VAT category tax amount (BT-117): the document "
                        f"says {amount}, its breakdown adds up to {expected}.",
                    )
        # What each VAT category (and rate) should carry: line net amounts, plus charges, minus allowances.
        bases: dict[tuple[str, Decimal | None], Decimal] = {}
        for line in lines:
            category = self._vat_category(line.find("cac:Item", NS), "cac:ClassifiedTaxCategory")
            rate = self.amount(line, "cac:Item/cac:ClassifiedTaxCategory/cbc:Percent")
            key = (category, rate if category == "S" else None)
            bases[key] = bases.get(key, ZERO) + (self.amount(line, "cbc:LineExtensionAmount") or ZERO)
        for charge in (True, False):
            for amount, category, rate in self._allowance_charges(r, charge=charge):
                key = (category, rate if category == "S" else None)
                bases[key] = bases.get(key, ZERO) + (amount if charge else -amount)
        for index, sub in enumerate(subtotals, start=1):
            where = f"TaxSubtotal[{index}]"
            taxable_node = sub.find("cbc:TaxableAmount", NS)
            tax_node = sub.find("cbc:TaxAmount", NS)
            if taxable_node is None:
                self.fail(
                    "BR-45",
                    "Each VAT breakdown (BG-23) shall have a VAT category taxable amount (BT-116).",
                    where,
                )
            if tax_node is None:
                self.fail(
                    "BR-46",
                    "Each VAT breakdown (BG-23) shall have a VAT category tax amount (BT-117).",
                    where,
                )
            category = self._vat_category(sub, "cac:TaxCategory")
            if not category:
                self.fail(
                    "BR-47",
                    "Each VAT breakdown (BG-23) shall be defined through a VAT category code (BT-118).",
                    where,
                )
                continue
            rate = self.amount(sub, "cac:TaxCategory/cbc:Percent")
            if rate is None and category != "O":
                self.fail(
                    "BR-48",
                    "Each VAT breakdown (BG-23) shall have a VAT category rate (BT-119), except if the Invoice is not subject to VAT.",
                    where,
                )
            for node, rule, what in (
                (taxable_node, "BR-DEC-19", "taxable amount (BT-116)"),
                (tax_node, "BR-DEC-20", "tax amount (BT-117)"),
            ):
                if node is not None and _decimals(node.text or "") > 2:
                    self.fail(
                        rule,
                        f"The allowed maximum number of decimals for the VAT category {what} is 2.",
                        where,
                    )
            if taxable_node is None or tax_node is None:
                continue
            if tax_node.get("currencyID") != currency:
                continue
            taxable, tax = _dec(taxable_node.text) or ZERO, _dec(tax_node.text) or ZERO
            self._subtotal(category, rate, taxable, tax, bases, where)

    def _subtotal(
        self,
        category: str,
        rate: Decimal | None,
        taxable: Decimal,
        tax: Decimal,
        bases: dict[tuple[str, Decimal | None], Decimal],
        where: str,
    ) -> None:
        name = _CATEGORY_NAMES.get(category, category)
        # BR-CO-17: the tax of each category is its base times its rate, within one unit.
        if rate is not None:
            computed = _round2(abs(taxable) * rate / 100)
            if (round(rate) == 0 and round(tax) != 0) or (
                round(rate) != 0 and not (abs(tax) - ONE < computed < abs(tax) + ONE)
            ):
                self.fail(
                    "BR-CO-17",
                    f"VAT category tax amount (BT-117) = VAT category taxable amount (BT-116) x (VAT category "
                    f"rate (BT-119) / 100), rounded to two decimals: {taxable} × {rate}% is {computed}, the "
                    f"document says {tax}.",
                    where,
                )
        if category == "S":
            expected = bases.get(("S", rate), ZERO)
            if not (taxable - ONE < expected < taxable + ONE) or ("S", rate) not in bases:
                self.fail(
                    "BR-S-08",
                    f"For each different value of VAT category rate (BT-119) where the VAT category code (BT-118) "
                    f'is "Standard rated", the VAT category taxable amount (BT-116) shall equal the sum of '
                    f"Invoice line net amounts plus charges minus allowances at that rate: {rate}% carries "
                    f"{taxable}, the lines add up to {expected}.",
                    where,
                )
            if rate is not None:
                computed = _round2(abs(taxable) * rate / 100)
                if not (abs(tax) - ONE < computed < abs(tax) + ONE):
                    self.fail(
                        "BR-S-09",
                        f'The VAT category tax amount (BT-117) where the VAT category code (BT-118) is "Standard '
                        f'rated" shall equal the VAT category taxable amount (BT-116) multiplied by the VAT '
                        f"category rate (BT-119): {taxable} × {rate}% is {computed}, the document says {tax}.",
                        where,
                    )
            return
        if category in ("Z", "E", "AE", "K", "G", "O"):
            expected = bases.get((category, None), ZERO)
            if taxable != expected:
                self.fail(
                    f"BR-{category}-08",
                    f'In a VAT breakdown (BG-23) where the VAT category code (BT-118) is "{name}" the VAT '
                    f"category taxable amount (BT-116) shall equal the sum of Invoice line net amounts minus "
                    f"allowances plus charges of that category: the breakdown says {taxable}, the lines add up "
                    f"to {expected}.",
                    where,
                )
            if tax != 0:
                self.fail(
                    f"BR-{category}-09",
                    f"The VAT category tax amount (BT-117) in a VAT breakdown (BG-23) where the VAT category code "
                    f'(BT-118) is "{name}" shall be 0 (zero); the document says {tax}.',
                    where,
                )

    # -- reading --

    def read(self) -> EInvoice:
        r = self.root
        currency = _text(r, "cbc:DocumentCurrencyCode")
        totals = r.find("cac:LegalMonetaryTotal", NS)
        get = functools.partial(self.amount, totals)
        lines = [self._read_line(x) for x in r.findall(self.line_tag, NS)]
        for charge in (True, False):
            for node in r.findall("cac:AllowanceCharge", NS):
                if (_text(node, "cbc:ChargeIndicator").lower() == "true") != charge:
                    continue
                amount = self.amount(node, "cbc:Amount") or ZERO
                reason = _text(node, "cbc:AllowanceChargeReason") or _text(
                    node, "cbc:AllowanceChargeReasonCode"
                )
                signed = amount if charge else -amount
                lines.append(
                    EInvoiceLine(
                        line_id=f"{'charge' if charge else 'allowance'}-{len(lines) + 1}",
                        quantity=ONE,
                        unit_code="C62",
                        net_amount=signed,
                        price=signed,
                        base_quantity=ONE,
                        name=("Charge: " if charge else "Allowance: ") + (reason or "-"),
                        tax_category=self._vat_category(node, "cac:TaxCategory"),
                        tax_rate=self.amount(node, "cac:TaxCategory/cbc:Percent"),
                        is_allowance_charge=True,
                    )
                )
        taxes = []
        tax_total = ZERO
        for total in r.findall("cac:TaxTotal", NS):
            amount = total.find("cbc:TaxAmount", NS)
            if amount is None or amount.get("currencyID") != currency:
                continue
            tax_total = _dec(amount.text) or ZERO
            for sub in total.findall("cac:TaxSubtotal", NS):
                taxes.append(
                    EInvoiceTax(
                        category=self._vat_category(sub, "cac:TaxCategory"),
                        rate=self.amount(sub, "cac:TaxCategory/cbc:Percent") or ZERO,
                        base=self.amount(sub, "cbc:TaxableAmount") or ZERO,
                        amount=self.amount(sub, "cbc:TaxAmount") or ZERO,
                        exemption_reason=_text(sub, "cac:TaxCategory/cbc:TaxExemptionReason"),
                    )
                )
        due = _text(r, "cbc:DueDate") or _text(r, "cac:PaymentMeans/cbc:PaymentDueDate")
        ibans = [
            "".join((n.text or "").split()).upper()
            for n in r.findall("cac:PaymentMeans/cac:PayeeFinancialAccount/cbc:ID", NS)
            if (n.text or "").strip()
        ]
        notes = [" ".join((n.text or "").split()) for n in r.findall("cbc:Note", NS)]
        return EInvoice(
            kind=self.kind,
            number=_text(r, "cbc:ID"),
            issue_date=dt.date.fromisoformat(_text(r, "cbc:IssueDate")[:10]),
            due_date=dt.date.fromisoformat(due[:10]) if due else None,
            type_code=_text(r, "cbc:InvoiceTypeCode") or _text(r, "cbc:CreditNoteTypeCode"),
            currency=currency,
            tax_currency=_text(r, "cbc:TaxCurrencyCode"),
            customization_id=_text(r, "cbc:CustomizationID"),
            buyer_reference=_text(r, "cbc:BuyerReference"),
            order_reference=_text(r, "cac:OrderReference/cbc:ID"),
            preceding_invoice=_text(r, "cac:BillingReference/cac:InvoiceDocumentReference/cbc:ID"),
            note=" ".join(n for n in notes if n)[:2000],
            seller=self._read_party(r.find("cac:AccountingSupplierParty/cac:Party", NS)),
            buyer=self._read_party(r.find("cac:AccountingCustomerParty/cac:Party", NS)),
            lines=lines,
            taxes=taxes,
            line_total=get("cbc:LineExtensionAmount") or ZERO,
            allowance_total=get("cbc:AllowanceTotalAmount") or ZERO,
            charge_total=get("cbc:ChargeTotalAmount") or ZERO,
            tax_exclusive=get("cbc:TaxExclusiveAmount") or ZERO,
            tax_total=tax_total,
            tax_inclusive=get("cbc:TaxInclusiveAmount") or ZERO,
            prepaid=get("cbc:PrepaidAmount") or ZERO,
            rounding=get("cbc:PayableRoundingAmount") or ZERO,
            payable=get("cbc:PayableAmount") or ZERO,
            payment_reference=_text(r, "cac:PaymentMeans/cbc:PaymentID"),
            ibans=ibans,
            payment_terms=_text(r, "cac:PaymentTerms/cbc:Note"),
        )

    def _read_line(self, line: Any) -> EInvoiceLine:
        quantity_node = line.find(self.qty_tag, NS)
        item = line.find("cac:Item", NS)
        standard = item.find("cac:StandardItemIdentification/cbc:ID", NS) if item is not None else None
        return EInvoiceLine(
            line_id=_text(line, "cbc:ID"),
            quantity=_dec(quantity_node.text if quantity_node is not None else None) or ZERO,
            unit_code=(quantity_node.get("unitCode") or "") if quantity_node is not None else "",
            net_amount=self.amount(line, "cbc:LineExtensionAmount") or ZERO,
            price=self.amount(line, "cac:Price/cbc:PriceAmount") or ZERO,
            base_quantity=self.amount(line, "cac:Price/cbc:BaseQuantity") or ONE,
            name=_text(item, "cbc:Name"),
            description=_text(item, "cbc:Description"),
            sellers_item_id=_text(item, "cac:SellersItemIdentification/cbc:ID"),
            buyers_item_id=_text(item, "cac:BuyersItemIdentification/cbc:ID"),
            standard_item_id=" ".join((standard.text or "").split()) if standard is not None else "",
            standard_scheme=(standard.get("schemeID") or "") if standard is not None else "",
            order_line_ref=_text(line, "cac:OrderLineReference/cbc:LineID"),
            tax_category=self._vat_category(item, "cac:ClassifiedTaxCategory"),
            tax_rate=self.amount(item, "cac:ClassifiedTaxCategory/cbc:Percent"),
        )

    def _read_party(self, party: Any) -> EInvoiceParty:
        if party is None:
            return EInvoiceParty()
        vat = next(
            (
                _text(s, "cbc:CompanyID")
                for s in party.findall("cac:PartyTaxScheme", NS)
                if _text(s, "cac:TaxScheme/cbc:ID").upper() == "VAT"
            ),
            "",
        )
        legal = party.find("cac:PartyLegalEntity/cbc:CompanyID", NS)
        endpoint = party.find("cbc:EndpointID", NS)
        address = party.find("cac:PostalAddress", NS)
        return EInvoiceParty(
            name=_text(party, "cac:PartyLegalEntity/cbc:RegistrationName")
            or _text(party, "cac:PartyName/cbc:Name"),
            trade_name=_text(party, "cac:PartyName/cbc:Name"),
            vat_id=vat,
            legal_id=" ".join((legal.text or "").split()) if legal is not None else "",
            legal_scheme=(legal.get("schemeID") or "") if legal is not None else "",
            endpoint=" ".join((endpoint.text or "").split()) if endpoint is not None else "",
            endpoint_scheme=(endpoint.get("schemeID") or "") if endpoint is not None else "",
            identifiers=[
                (i.get("schemeID") or "", " ".join((i.text or "").split()))
                for i in party.findall("cac:PartyIdentification/cbc:ID", NS)
                if (i.text or "").strip()
            ],
            street=_text(address, "cbc:StreetName"),
            street2=_text(address, "cbc:AdditionalStreetName"),
            city=_text(address, "cbc:CityName"),
            postcode=_text(address, "cbc:PostalZone"),
            country=_text(address, "cac:Country/cbc:IdentificationCode"),
            email=_text(party, "cac:Contact/cbc:ElectronicMail"),
            phone=_text(party, "cac:Contact/cbc:Telephone"),
        )
