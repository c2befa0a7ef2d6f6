"""UBL 2.1 invoices and credit notes following Peppol BIS Billing 3.0 (EN 16931), with lxml.

What a receiver's access point checks, and how Kern fills it:

- seller and buyer electronic addresses (EndpointID): the VAT number with its country's EAS
  scheme (NL 9944, BE 9925, DE 9930 …), else the KvK number (0106);
- a buyer reference: the customer's reference, else the order number, else the invoice number;
- the VAT breakdown per UNCL 5305 category and rate, from the invoice's VAT summary (which the
  ledger's `compute_taxes` made): S standard/reduced, Z zero, E exempt, AE reverse charge,
  K intra-community supply, G export — with the exemption reason each non-S/Z category needs
  and, for K, the delivery date and country;
- lines at their net price (list price less the line discount); the line amount is quantity ×
  net price, as posted, so the sums match BR-CO-10/BR-CO-15 exactly;
- payment means 58 (SEPA credit transfer) to the company's IBAN with the RF payment reference,
  and the payment terms as text (2 % within 10 days, net 30);
- a credit note refers to the invoice it credits (BillingReference).

The document is refused (ExportRefused, 409) when the master data lacks what the standard
requires, naming what to fill in — a file that a validator would reject is never produced.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from lxml import etree

from kern.core.exceptions import Conflict
from kern.sales.models import Invoice, InvoiceStatus

__all__ = ["ExportRefused", "ubl_invoice"]

NS_INVOICE = "urn:oasis:names:specification:ubl:schema:xsd:Invoice-2"
NS_CREDIT = "urn:oasis:names:specification:ubl:schema:xsd:CreditNote-2"
CAC = "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2"
CBC = "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2"
CUSTOMIZATION = "urn:cen.eu:en16931:2017#compliant#urn:fdc:peppol.eu:2017:poacc:billing:3.0"
PROFILE = "urn:fdc:peppol.eu:2017:poacc:billing:01:1.0"

# Peppol EAS codes for VAT numbers per country (the electronic address scheme).
VAT_SCHEMES = {
    "AD": "9922", "AL": "9923", "AT": "9914", "BA": "9924", "BE": "9925", "BG": "9926", "CH": "9927",
    "CY": "9928", "CZ": "9929", "DE": "9930", "EE": "9931", "ES": "9920", "FR": "9957", "GB": "9932",
    "GR": "9933", "EL": "9933", "HR": "9934", "HU": "9910", "IE": "9935", "LI": "9936", "LT": "9937",
    "LU": "9938", "LV": "9939", "MC": "9940", "ME": "9941", "MK": "9942", "MT": "9943", "NL": "9944",
    "PL": "9945", "PT": "9946", "RO": "9947", "RS": "9948", "SI": "9949", "SK": "9950", "SM": "9951",
    "TR": "9952", "VA": "9953",
}  # fmt: skip
KVK_SCHEME = "0106"
EXEMPTION = {
    "E": ("VATEX-EU-132", "Exempt from VAT"),
    "AE": ("VATEX-EU-AE", "Reverse charge"),
    "K": ("VATEX-EU-IC", "Intra-Community supply"),
    "G": ("VATEX-EU-G", "Export outside the EU"),
}
UNIT_FALLBACK = "C62"  # "one" (UN/ECE rec. 20) for lines without a unit


class ExportRefused(Conflict):
    code = "ubl_refused"
    title = "The e-invoice cannot be made"


def _amount(value: Decimal) -> str:
    return f"{value:.2f}"


def _quantity(value: Decimal) -> str:
    text = format(value.normalize(), "f")
    return text if text not in ("", "-0") else "0"


def _price(value: Decimal) -> str:
    return format(value.quantize(Decimal("0.0001")).normalize(), "f")


def _percent(value: Decimal) -> str:
    return format(Decimal(value).quantize(Decimal("0.01")).normalize(), "f")


class _Builder:
    def __init__(self, root: etree._Element, currency: str):
        self.root = root
        self.currency = currency

    def el(self, parent: etree._Element, tag: str, text: Any = None, **attrs: str) -> etree._Element:
        ns, name = tag.split(":")
        node = etree.SubElement(parent, f"{{{CAC if ns == 'cac' else CBC}}}{name}")
        for key, value in attrs.items():
            node.set(key.replace("_", ""), value)
        if text is not None:
            node.text = str(text)
        return node

    def money(self, parent: etree._Element, tag: str, value: Decimal) -> etree._Element:
        return self.el(parent, tag, _amount(value), currencyID=self.currency)


def _vat_scheme(vat_id: str) -> str | None:
    return VAT_SCHEMES.get((vat_id or "")[:2].upper())


def _endpoint(vat_id: str, kvk: str) -> tuple[str, str] | None:
    if vat_id and _vat_scheme(vat_id):
        return _vat_scheme(vat_id), vat_id.replace(" ", "").upper()
    if kvk:
        return KVK_SCHEME, kvk
    return None


def _address(
    b: _Builder, parent: etree._Element, *, street: str, street2: str, city: str, postcode: str, country: str
) -> None:
    address = b.el(parent, "cac:PostalAddress")
    if street:
        b.el(address, "cbc:StreetName", street)
    if street2:
        b.el(address, "cbc:AdditionalStreetName", street2)
    if city:
        b.el(address, "cbc:CityName", city)
    if postcode:
        b.el(address, "cbc:PostalZone", postcode)
    b.el(b.el(address, "cac:Country"), "cbc:IdentificationCode", country)


def _check(invoice: Invoice) -> list[str]:
    company, customer = invoice.company, invoice.customer
    missing = []
    if invoice.status != InvoiceStatus.POSTED:
        missing.append("the invoice must be posted (it has no legal number yet)")
    if not _endpoint(company.vat_id, company.kvk_number):
        missing.append("the company needs a VAT number or KvK number (its electronic address)")
    categories = {t["category"] for t in invoice.tax_summary}
    if not company.vat_id:
        missing.append("the company needs a VAT number (seller VAT identifier)")
    if not (company.street and company.city and company.postcode):
        missing.append("the company address needs street, postcode and city")
    if not company.iban and not invoice.is_credit_note:
        missing.append("the company needs an IBAN to be paid to")
    if not _endpoint(customer.vat_id, customer.kvk_number):
        missing.append(f"customer {customer.name} needs a VAT number or KvK number (its electronic address)")
    if categories & {"AE", "K"} and not customer.vat_id:
        missing.append(f"customer {customer.name} needs a VAT number for reverse-charge or intra-EU supplies")
    address = invoice.invoice_address
    if address is None:
        missing.append(f"customer {customer.name} needs a billing address")
    elif not (address.street and address.city and address.postcode):
        missing.append(f"the billing address of {customer.name} needs street, postcode and city")
    return missing


def _terms_note(invoice: Invoice) -> str:
    term = invoice.payment_term
    if term is None:
        return f"Due {invoice.due_date.isoformat()}" if invoice.due_date else ""
    parts = []
    if invoice.discount_amount and invoice.discount_date:
        parts.append(
            f"{_percent(term.discount_percent)}% discount ({_amount(invoice.discount_amount)} {invoice.currency_id}) "
            f"if paid by {invoice.discount_date.isoformat()}"
        )
    parts.append(f"net {term.net_days} days, due {invoice.due_date.isoformat()}")
    return "; ".join(parts)


def _breakdown(invoice: Invoice) -> list[dict[str, Any]]:
    """VAT per (category, rate): the ledger's codes grouped the way EN 16931 groups them."""
    groups: dict[tuple[str, Decimal], dict[str, Any]] = {}
    for t in invoice.tax_summary:
        key = (t["category"], Decimal(t["rate"]))
        g = groups.setdefault(
            key, {"category": key[0], "rate": key[1], "base": Decimal(0), "tax": Decimal(0)}
        )
        g["base"] += Decimal(t["base"])
        g["tax"] += Decimal(t["tax"])
    return list(groups.values())


def ubl_invoice(invoice: Invoice) -> bytes:
    """The invoice (or credit note) as a UBL 2.1 document, Peppol BIS Billing 3.0."""
    missing = _check(invoice)
    if missing:
        raise ExportRefused(
            f"{invoice} cannot be sent as an e-invoice: " + "; ".join(missing), missing=missing
        )
    company, customer = invoice.company, invoice.customer
    credit = invoice.is_credit_note
    root = etree.Element(
        "CreditNote" if credit else "Invoice",
        nsmap={None: NS_CREDIT if credit else NS_INVOICE, "cac": CAC, "cbc": CBC},
    )
    b = _Builder(root, invoice.currency_id)
    b.el(root, "cbc:CustomizationID", CUSTOMIZATION)
    b.el(root, "cbc:ProfileID", PROFILE)
    b.el(root, "cbc:ID", invoice.number)
    b.el(root, "cbc:IssueDate", invoice.invoice_date.isoformat())
    if not credit and invoice.due_date:
        b.el(root, "cbc:DueDate", invoice.due_date.isoformat())
    b.el(root, "cbc:CreditNoteTypeCode" if credit else "cbc:InvoiceTypeCode", "381" if credit else "380")
    if invoice.notes:
        b.el(root, "cbc:Note", " ".join(invoice.notes.split())[:1000])
    b.el(root, "cbc:DocumentCurrencyCode", invoice.currency_id)
    order = invoice.order
    buyer_reference = invoice.customer_reference or (order.number if order else "") or invoice.number
    b.el(root, "cbc:BuyerReference", buyer_reference[:200])
    if order is not None and order.customer_reference:
        b.el(b.el(root, "cac:OrderReference"), "cbc:ID", order.customer_reference[:200])
    if credit and invoice.original is not None:
        ref = b.el(b.el(root, "cac:BillingReference"), "cac:InvoiceDocumentReference")
        b.el(ref, "cbc:ID", invoice.original.number)
        b.el(ref, "cbc:IssueDate", invoice.original.invoice_date.isoformat())

    # Seller
    party = b.el(b.el(root, "cac:AccountingSupplierParty"), "cac:Party")
    scheme, value = _endpoint(company.vat_id, company.kvk_number)
    b.el(party, "cbc:EndpointID", value, schemeID=scheme)
    b.el(b.el(party, "cac:PartyName"), "cbc:Name", company.name)
    _address(
        b,
        party,
        street=company.street,
        street2="",
        city=company.city,
        postcode=company.postcode,
        country=str(company.country),
    )
    tax_scheme = b.el(party, "cac:PartyTaxScheme")
    b.el(tax_scheme, "cbc:CompanyID", company.vat_id.replace(" ", "").upper())
    b.el(b.el(tax_scheme, "cac:TaxScheme"), "cbc:ID", "VAT")
    legal = b.el(party, "cac:PartyLegalEntity")
    b.el(legal, "cbc:RegistrationName", company.legal_name or company.name)
    if company.kvk_number:
        b.el(legal, "cbc:CompanyID", company.kvk_number, schemeID=KVK_SCHEME)
    if company.email or company.phone:
        contact = b.el(party, "cac:Contact")
        if company.phone:
            b.el(contact, "cbc:Telephone", company.phone)
        if company.email:
            b.el(contact, "cbc:ElectronicMail", company.email)

    # Buyer
    party = b.el(b.el(root, "cac:AccountingCustomerParty"), "cac:Party")
    scheme, value = _endpoint(customer.vat_id, customer.kvk_number)
    b.el(party, "cbc:EndpointID", value, schemeID=scheme)
    if customer.number:
        b.el(b.el(party, "cac:PartyIdentification"), "cbc:ID", customer.number)
    b.el(b.el(party, "cac:PartyName"), "cbc:Name", customer.name)
    address = invoice.invoice_address
    _address(
        b,
        party,
        street=address.street,
        street2=address.street2,
        city=address.city,
        postcode=address.postcode,
        country=str(address.country),
    )
    if customer.vat_id:
        tax_scheme = b.el(party, "cac:PartyTaxScheme")
        b.el(tax_scheme, "cbc:CompanyID", customer.vat_id.replace(" ", "").upper())
        b.el(b.el(tax_scheme, "cac:TaxScheme"), "cbc:ID", "VAT")
    legal = b.el(party, "cac:PartyLegalEntity")
    b.el(legal, "cbc:RegistrationName", customer.name)
    if customer.kvk_number:
        b.el(legal, "cbc:CompanyID", customer.kvk_number, schemeID=KVK_SCHEME)
    if customer.email:
        b.el(b.el(party, "cac:Contact"), "cbc:ElectronicMail", customer.email)

    breakdown = _breakdown(invoice)
    if any(g["category"] == "K" for g in breakdown):
        # Intra-community supplies name when and where the goods went (BR-IC-11, BR-IC-12).
        delivery = b.el(root, "cac:Delivery")
        b.el(delivery, "cbc:ActualDeliveryDate", invoice.invoice_date.isoformat())
        shipped_to = order.delivery_address if order is not None and order.delivery_address_id else address
        location = b.el(b.el(delivery, "cac:DeliveryLocation"), "cac:Address")
        if shipped_to.street:
            b.el(location, "cbc:StreetName", shipped_to.street)
        if shipped_to.city:
            b.el(location, "cbc:CityName", shipped_to.city)
        if shipped_to.postcode:
            b.el(location, "cbc:PostalZone", shipped_to.postcode)
        b.el(b.el(location, "cac:Country"), "cbc:IdentificationCode", str(shipped_to.country))

    if not credit or company.iban:
        means = b.el(root, "cac:PaymentMeans")
        b.el(means, "cbc:PaymentMeansCode", "58", name="SEPA credit transfer")
        if invoice.payment_reference:
            b.el(means, "cbc:PaymentID", invoice.payment_reference)
        if company.iban:
            account = b.el(means, "cac:PayeeFinancialAccount")
            b.el(account, "cbc:ID", company.iban.replace(" ", "").upper())
            b.el(account, "cbc:Name", company.legal_name or company.name)
            if company.bic:
                b.el(b.el(account, "cac:FinancialInstitutionBranch"), "cbc:ID", company.bic)
    note = _terms_note(invoice)
    if note and not credit:
        b.el(b.el(root, "cac:PaymentTerms"), "cbc:Note", note)

    total = b.el(root, "cac:TaxTotal")
    b.money(total, "cbc:TaxAmount", invoice.tax_total)
    for g in breakdown:
        sub = b.el(total, "cac:TaxSubtotal")
        b.money(sub, "cbc:TaxableAmount", g["base"])
        b.money(sub, "cbc:TaxAmount", g["tax"])
        _category(b, sub, "cac:TaxCategory", g["category"], g["rate"], reason=True)

    lines = list(invoice.lines.select_related("uom", "product").order_by("line_no"))
    line_total = sum((ln.amount for ln in lines), Decimal(0))
    monetary = b.el(root, "cac:LegalMonetaryTotal")
    b.money(monetary, "cbc:LineExtensionAmount", line_total)
    b.money(monetary, "cbc:TaxExclusiveAmount", invoice.net_total)
    b.money(monetary, "cbc:TaxInclusiveAmount", invoice.total)
    b.money(monetary, "cbc:PayableAmount", invoice.total)

    categories = {t["code"]: (t["category"], Decimal(t["rate"])) for t in invoice.tax_summary}
    for ln in lines:
        row = b.el(root, "cac:CreditNoteLine" if credit else "cac:InvoiceLine")
        b.el(row, "cbc:ID", ln.line_no)
        unit = (ln.uom.unece_code if ln.uom_id and ln.uom.unece_code else "") or UNIT_FALLBACK
        b.el(
            row,
            "cbc:CreditedQuantity" if credit else "cbc:InvoicedQuantity",
            _quantity(ln.quantity),
            unitCode=unit,
        )
        b.money(row, "cbc:LineExtensionAmount", ln.amount)
        item = b.el(row, "cac:Item")
        b.el(item, "cbc:Name", (ln.product.name if ln.product_id else ln.description)[:200])
        if ln.product_id and ln.description and ln.description != ln.product.name:
            item.insert(0, _text(CBC, "Description", ln.description))
        if ln.product_id:
            b.el(b.el(item, "cac:SellersItemIdentification"), "cbc:ID", ln.product.sku)
        category, rate = categories.get(ln.tax_code, ("S", ln.tax_rate))
        _category(b, item, "cac:ClassifiedTaxCategory", category, rate, reason=False)
        price = b.el(row, "cac:Price")
        b.el(price, "cbc:PriceAmount", _price(ln.unit_price), currencyID=invoice.currency_id)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)


def _text(ns: str, name: str, text: str) -> etree._Element:
    node = etree.Element(f"{{{ns}}}{name}")
    node.text = text
    return node


def _category(
    b: _Builder, parent: etree._Element, tag: str, category: str, rate: Decimal, *, reason: bool
) -> None:
    node = b.el(parent, tag)
    b.el(node, "cbc:ID", category)
    b.el(node, "cbc:Percent", _percent(rate if category in ("S", "Z") else Decimal(0)))
    if reason and category in EXEMPTION:
        code, text = EXEMPTION[category]
        b.el(node, "cbc:TaxExemptionReasonCode", code)
        b.el(node, "cbc:TaxExemptionReason", text)
    b.el(b.el(node, "cac:TaxScheme"), "cbc:ID", "VAT")
