"""Build UBL 2.1 / Peppol BIS Billing 3.0 invoices for tests: the totals are computed the EN 16931
way (line amounts rounded, VAT per category and rate rounded once), so a file is valid unless the
test asks for a `tamper`. The official validator checks this builder's output too."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from xml.sax.saxutils import escape

CENT = Decimal("0.01")


def _r(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


@dataclass
class Party:
    name: str
    vat: str = ""
    kvk: str = ""
    street: str = "Stationsplein 1"
    city: str = "Utrecht"
    postcode: str = "3511 ED"
    country: str = "NL"
    endpoint: tuple[str, str] | None = None
    email: str = ""


@dataclass
class Line:
    name: str
    quantity: Decimal
    price: Decimal
    rate: Decimal = Decimal("21")
    category: str = "S"
    unit_code: str = "C62"
    sellers_id: str = ""
    buyers_id: str = ""
    order_line: str = ""


@dataclass
class Invoice:
    number: str
    seller: Party
    buyer: Party
    lines: list[Line]
    issue_date: dt.date = field(default_factory=lambda: dt.date(dt.date.today().year, 3, 2))
    due_date: dt.date | None = None
    currency: str = "EUR"
    order_reference: str = ""
    buyer_reference: str = "KERN"
    iban: str = "NL91ABNA0417164300"
    credit_note: bool = False
    preceding: str = "F2026-001"  # the invoice a credit note corrects
    tamper: dict[str, str] = field(default_factory=dict)  # element name → replacement text

    def totals(self) -> dict[str, Decimal]:
        line_total = sum((_r(ln.quantity * ln.price) for ln in self.lines), Decimal("0"))
        bases: dict[tuple[str, Decimal], Decimal] = defaultdict(Decimal)
        for ln in self.lines:
            bases[(ln.category, ln.rate)] += _r(ln.quantity * ln.price)
        taxes = {key: _r(base * key[1] / 100) for key, base in bases.items()}
        tax = sum(taxes.values(), Decimal("0"))
        return {"lines": line_total, "tax": tax, "total": line_total + tax, "bases": bases, "taxes": taxes}

    def xml(self) -> bytes:
        t = self.totals()
        c = self.currency
        root = "CreditNote" if self.credit_note else "Invoice"
        line_tag = "CreditNoteLine" if self.credit_note else "InvoiceLine"
        qty_tag = "CreditedQuantity" if self.credit_note else "InvoicedQuantity"
        type_tag = "CreditNoteTypeCode" if self.credit_note else "InvoiceTypeCode"
        type_code = "381" if self.credit_note else "380"

        def amount(name: str, value: Decimal) -> str:
            text = self.tamper.get(name, f"{value:.2f}")
            return f'<cbc:{name} currencyID="{c}">{text}</cbc:{name}>'

        parts = [
            '<?xml version="1.0" encoding="UTF-8"?>',
            f'<{root} xmlns="urn:oasis:names:specification:ubl:schema:xsd:{root}-2" '
            'xmlns:cac="urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2" '
            'xmlns:cbc="urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2">',
            "<cbc:CustomizationID>urn:cen.eu:en16931:2017#compliant#urn:fdc:peppol.eu:2017:poacc:billing:3.0</cbc:CustomizationID>",
            "<cbc:ProfileID>urn:fdc:peppol.eu:2017:poacc:billing:01:1.0</cbc:ProfileID>",
            f"<cbc:ID>{escape(self.number)}</cbc:ID>",
            f"<cbc:IssueDate>{self.tamper.get('IssueDate', self.issue_date.isoformat())}</cbc:IssueDate>",
        ]
        if self.due_date and not self.credit_note:
            parts.append(f"<cbc:DueDate>{self.due_date.isoformat()}</cbc:DueDate>")
        parts += [
            f"<cbc:{type_tag}>{type_code}</cbc:{type_tag}>",
            f"<cbc:DocumentCurrencyCode>{c}</cbc:DocumentCurrencyCode>",
            f"<cbc:BuyerReference>{escape(self.buyer_reference)}</cbc:BuyerReference>",
        ]
        if self.order_reference:
            parts.append(
                f"<cac:OrderReference><cbc:ID>{escape(self.order_reference)}</cbc:ID></cac:OrderReference>"
            )
        if self.credit_note and self.preceding:
            parts.append(
                "<cac:BillingReference><cac:InvoiceDocumentReference>"
                f"<cbc:ID>{escape(self.preceding)}</cbc:ID></cac:InvoiceDocumentReference></cac:BillingReference>"
            )
        parts.append(self._party("AccountingSupplierParty", self.seller))
        parts.append(self._party("AccountingCustomerParty", self.buyer))
        parts.append(
            "<cac:PaymentMeans><cbc:PaymentMeansCode>30</cbc:PaymentMeansCode>"
            f"<cbc:PaymentID>{escape(self.number)}</cbc:PaymentID>"
            f"<cac:PayeeFinancialAccount><cbc:ID>{self.iban}</cbc:ID></cac:PayeeFinancialAccount></cac:PaymentMeans>"
        )
        parts.append("<cac:TaxTotal>" + amount("TaxAmount", t["tax"]))
        for (category, rate), base in t["bases"].items():
            parts.append(
                "<cac:TaxSubtotal>"
                f'<cbc:TaxableAmount currencyID="{c}">{base:.2f}</cbc:TaxableAmount>'
                f'<cbc:TaxAmount currencyID="{c}">{t["taxes"][(category, rate)]:.2f}</cbc:TaxAmount>'
                f"<cac:TaxCategory><cbc:ID>{category}</cbc:ID><cbc:Percent>{rate}</cbc:Percent>"
                + (
                    "<cbc:TaxExemptionReasonCode>vatex-eu-ae</cbc:TaxExemptionReasonCode>"
                    if category == "AE"
                    else ""
                )
                + "<cac:TaxScheme><cbc:ID>VAT</cbc:ID></cac:TaxScheme></cac:TaxCategory></cac:TaxSubtotal>"
            )
        parts.append("</cac:TaxTotal>")
        parts.append(
            "<cac:LegalMonetaryTotal>"
            + amount("LineExtensionAmount", t["lines"])
            + amount("TaxExclusiveAmount", t["lines"])
            + amount("TaxInclusiveAmount", t["total"])
            + amount("PayableAmount", t["total"])
            + "</cac:LegalMonetaryTotal>"
        )
        for n, ln in enumerate(self.lines, start=1):
            item_ids = ""
            if ln.buyers_id:
                item_ids += f"<cac:BuyersItemIdentification><cbc:ID>{escape(ln.buyers_id)}</cbc:ID></cac:BuyersItemIdentification>"
            if ln.sellers_id:
                item_ids += f"<cac:SellersItemIdentification><cbc:ID>{escape(ln.sellers_id)}</cbc:ID></cac:SellersItemIdentification>"
            parts.append(
                f"<cac:{line_tag}><cbc:ID>{n}</cbc:ID>"
                f'<cbc:{qty_tag} unitCode="{ln.unit_code}">{ln.quantity}</cbc:{qty_tag}>'
                f'<cbc:LineExtensionAmount currencyID="{c}">{_r(ln.quantity * ln.price):.2f}</cbc:LineExtensionAmount>'
                + (
                    f"<cac:OrderLineReference><cbc:LineID>{ln.order_line}</cbc:LineID></cac:OrderLineReference>"
                    if ln.order_line
                    else ""
                )
                + f"<cac:Item><cbc:Name>{escape(ln.name)}</cbc:Name>{item_ids}"
                f"<cac:ClassifiedTaxCategory><cbc:ID>{ln.category}</cbc:ID><cbc:Percent>{ln.rate}</cbc:Percent>"
                "<cac:TaxScheme><cbc:ID>VAT</cbc:ID></cac:TaxScheme></cac:ClassifiedTaxCategory></cac:Item>"
                f'<cac:Price><cbc:PriceAmount currencyID="{c}">{ln.price}</cbc:PriceAmount></cac:Price>'
                f"</cac:{line_tag}>"
            )
        parts.append(f"</{root}>")
        return "\n".join(parts).encode()

    @staticmethod
    def _party(tag: str, p: Party) -> str:
        endpoint = p.endpoint or (
            ("0106", p.kvk) if p.kvk else ("9944", p.vat) if p.vat else ("0088", "7300010000001")
        )
        legal = f'<cbc:CompanyID schemeID="0106">{p.kvk}</cbc:CompanyID>' if p.kvk else ""
        vat = (
            f"<cac:PartyTaxScheme><cbc:CompanyID>{p.vat}</cbc:CompanyID><cac:TaxScheme><cbc:ID>VAT</cbc:ID></cac:TaxScheme></cac:PartyTaxScheme>"
            if p.vat
            else ""
        )
        contact = (
            f"<cac:Contact><cbc:ElectronicMail>{escape(p.email)}</cbc:ElectronicMail></cac:Contact>"
            if p.email
            else ""
        )
        return (
            f"<cac:{tag}><cac:Party>"
            f'<cbc:EndpointID schemeID="{endpoint[0]}">{escape(endpoint[1])}</cbc:EndpointID>'
            f"<cac:PartyName><cbc:Name>{escape(p.name)}</cbc:Name></cac:PartyName>"
            f"<cac:PostalAddress><cbc:StreetName>{escape(p.street)}</cbc:StreetName>"
            f"<cbc:CityName>{escape(p.city)}</cbc:CityName><cbc:PostalZone>{escape(p.postcode)}</cbc:PostalZone>"
            f"<cac:Country><cbc:IdentificationCode>{p.country}</cbc:IdentificationCode></cac:Country></cac:PostalAddress>"
            f"{vat}<cac:PartyLegalEntity><cbc:RegistrationName>{escape(p.name)}</cbc:RegistrationName>{legal}</cac:PartyLegalEntity>"
            f"{contact}</cac:Party></cac:{tag}>"
        )


SELLER = Party(
    "Houthandel Jansen B.V.", vat="NL123456794B01", kvk="12345678", email="facturen@jansen.example"
)
BUYER = Party("Acme B.V.", kvk="10000001", street="Damrak 1", city="Amsterdam", postcode="1012 LG")


def an_invoice(number: str = "F2026-001", **kwargs) -> Invoice:
    kwargs.setdefault("seller", SELLER)
    kwargs.setdefault("buyer", BUYER)
    kwargs.setdefault("lines", [Line("Chair", Decimal("10"), Decimal("40.00"))])
    return Invoice(number=number, **kwargs)
