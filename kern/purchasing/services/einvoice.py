"""Importing a UBL 2.1 / Peppol BIS 3 e-invoice as a draft vendor bill.

The file is checked first (`kern.purchasing.ubl`: the UBL XML Schema, then the EN 16931 rules
that matter for booking). A file with any fatal finding is refused with all findings and nothing
is written. A valid file becomes a draft bill with the vendor's own amounts:

- the vendor is found by the identifiers the invoice names (a remembered endpoint or
  registration, the VAT id, the KvK number, the IBAN); when none matches it is created from the
  seller party (name, VAT id, KvK, address, IBAN) and flagged for review;
- a referenced purchase order of that vendor is linked, and its lines matched by line number or
  product; products are recognised by our SKU, the GTIN or the vendor's product code;
- each VAT category and rate maps to one of the company's purchase VAT codes; VAT of another
  country that no code covers is kept, but booked as cost (not deductible);
- the original file is attached to the bill.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.validators import validate_email
from django.utils.translation import gettext as _

from kern.catalog.models import Product, Uom
from kern.core import services as core_services
from kern.core.db import atomic, savepoint
from kern.core.exceptions import KernError
from kern.core.labels import stored_label
from kern.core.models import Company, Currency
from kern.core.validators import normalise_iban, normalise_vat_id, validate_iban, validate_vat_id
from kern.ledger.models import TaxCode
from kern.parties import services as party_services
from kern.parties.models import BankAccount, Party
from kern.purchasing.exceptions import DuplicateBill, EInvoiceRejected
from kern.purchasing.models import (
    BillKind,
    BillLine,
    BillSource,
    BillTax,
    OrderLine,
    OrderStatus,
    PurchaseOrder,
    VendorBill,
    VendorIdentifier,
    VendorPrice,
)
from kern.purchasing.selectors.bills import duplicate_of, normalise_reference
from kern.purchasing.services._common import ZERO, acting, user_id
from kern.purchasing.services.setup import remember_vendor_identifier
from kern.purchasing.ubl import EInvoice, EInvoiceLine, EInvoiceParty, Finding, check_einvoice

__all__ = ["REVIEW_TAG", "ImportedBill", "import_einvoice"]

REVIEW_TAG = "Review: created from e-invoice"
# ISO 6523 / EAS schemes that carry a Dutch KvK number or a VAT id.
KVK_SCHEMES = {"0106"}
VAT_SCHEMES = {"9944", "9925", "9957", "9906", "9907", "9930", "9931", "9932", "9933", "9934", "9935", "9936"}
# VAT category (UNCL5305) → the kind of purchase code it books to.
CATEGORY_KINDS = {
    "Z": ("zero",),
    "E": ("exempt",),
    "AE": ("reverse_charge",),
    "K": ("intra_eu_goods", "intra_eu_services"),
    "G": ("zero",),
}


@dataclass
class ImportedBill:
    bill: VendorBill
    vendor: Party
    vendor_created: bool
    findings: list[Finding] = field(default_factory=list)
    document: EInvoice | None = None

    def as_dict(self) -> dict[str, Any]:
        bill = self.bill
        return {
            "bill": {
                "id": bill.pk,
                "status": bill.status,
                "kind": bill.kind,
                "vendor_reference": bill.vendor_reference,
                "bill_date": bill.bill_date.isoformat(),
                "due_date": bill.due_date.isoformat() if bill.due_date else None,
                "purchase_order": bill.purchase_order.number if bill.purchase_order_id else None,
                "lines": bill.lines.count(),
                "untaxed": str(bill.untaxed_amount),
                "tax": str(bill.tax_amount),
                "total": str(bill.total_amount),
                "amount_due": str(bill.amount_due),
            },
            "vendor": {
                "id": self.vendor.pk,
                "number": self.vendor.number,
                "name": self.vendor.name,
                "vat_id": self.vendor.vat_id,
                "created": self.vendor_created,
                "needs_review": self.vendor_created,
            },
            "total": str(bill.total_amount),
            "currency": bill.currency_id,
            "findings": [f.as_dict() for f in self.findings],
        }


def import_einvoice(company: Company, data: bytes, *, by: Any = None, filename: str = "") -> ImportedBill:
    """Check the file and, when it may be booked, create the draft bill (all or nothing)."""
    checked = check_einvoice(data)
    if not checked.ok or checked.document is None:
        raise EInvoiceRejected(checked.findings or [Finding("KERN-FILE", _("the file could not be read"))])
    doc = checked.document
    findings = list(checked.findings)
    currency = doc.currency
    if not Currency.objects.filter(code=currency, is_active=True).exists():
        raise EInvoiceRejected(
            [
                Finding(
                    "KERN-CURRENCY",
                    _("the currency %(currency)s is not in use in Kern") % {"currency": currency},
                )
            ]
        )
    with atomic(), acting(by):
        vendor, created = _vendor_for(company, doc, findings, by=by)
        existing = duplicate_of(company, vendor, doc.number)
        if existing is not None:
            raise DuplicateBill(existing, doc.number)
        _check_buyer(company, doc.buyer, findings)
        order = _order_for(company, vendor, doc, findings)
        negative = doc.kind == "invoice" and doc.tax_inclusive < 0
        kind = BillKind.CREDIT_NOTE if doc.kind == "credit_note" or negative else BillKind.BILL
        flip = -1 if negative else 1
        bill = VendorBill(
            company=company,
            vendor=vendor,
            kind=kind,
            source=BillSource.EINVOICE,
            vendor_reference=doc.number[:60],
            reference_key=normalise_reference(doc.number[:60]),
            bill_date=doc.issue_date,
            due_date=doc.due_date,
            currency_id=currency,
            payment_term=vendor.payment_term,
            purchase_order=order,
            order_reference=doc.order_reference[:60],
            payment_reference=doc.payment_reference[:140],
            iban=next((i for i in doc.ibans if _valid_iban(i)), "")[:34],
            notes="\n".join(x for x in (doc.note, doc.payment_terms) if x)[:5000],
            untaxed_amount=doc.tax_exclusive * flip,
            tax_amount=doc.tax_total * flip,
            total_amount=doc.tax_inclusive * flip,
            prepaid_amount=doc.prepaid * flip,
            rounding_amount=doc.rounding * flip,
            amount_due=doc.payable * flip,
            entered_by_id=user_id(by),
        )
        from kern.purchasing.services.bills import _save_bill

        _save_bill(bill)
        codes = _purchase_codes(company)
        lines = []
        for position, line in enumerate(doc.lines, start=1):
            lines.append(_bill_line(company, bill, vendor, order, line, position, flip, codes, findings))
        BillLine.objects.bulk_create(lines)
        taxes = []
        for tax in doc.taxes:
            code = _code_for(codes, tax.category, tax.rate, vendor)
            if not code and tax.amount:
                findings.append(
                    Finding(
                        "KERN-VAT",
                        f"{tax.category} {tax.rate}% VAT of {tax.amount} {currency} has no purchase code here: "
                        "it is booked as cost",
                        fatal=False,
                    )
                )
            taxes.append(
                BillTax(
                    company=company,
                    bill=bill,
                    tax_code=code,
                    category=tax.category,
                    rate=tax.rate,
                    base=tax.base * flip,
                    amount=tax.amount * flip,
                    deductible=bool(code),
                )
            )
        BillTax.objects.bulk_create(taxes)
        from kern.core import audit

        audit.record_created(lines + taxes)
        VendorBill.objects.filter(pk=bill.pk).update(einvoice_findings=[f.as_dict() for f in findings])
        bill.einvoice_findings = [f.as_dict() for f in findings]
        core_services.add_attachment(
            bill, file=ContentFile(data, name=(filename or f"{doc.number}.xml")[-200:]), by=by
        )
    return ImportedBill(bill=bill, vendor=vendor, vendor_created=created, findings=findings, document=doc)


# --- the vendor ----------------------------------------------------------------------------------


def _identifiers(seller: EInvoiceParty) -> list[tuple[str, str]]:
    pairs = []
    if seller.endpoint:
        pairs.append((seller.endpoint_scheme, seller.endpoint))
    if seller.legal_id:
        pairs.append((seller.legal_scheme, seller.legal_id))
    pairs += [(scheme, ident) for scheme, ident in seller.identifiers if scheme != "SEPA"]
    if seller.vat_id:
        pairs.append(("VAT", normalise_vat_id(seller.vat_id)))
    return [(scheme[:10], ident[:120]) for scheme, ident in pairs if ident]


def _vendor_for(company: Company, doc: EInvoice, findings: list[Finding], *, by: Any) -> tuple[Party, bool]:
    seller = doc.seller
    pairs = _identifiers(seller)
    known = (
        VendorIdentifier.objects.filter(company=company, identifier__in=[i for _s, i in pairs])
        .select_related("vendor")
        .order_by("id")
    )
    for row in known:
        if (row.scheme, row.identifier) in pairs:
            return _as_vendor(row.vendor, by), False
    parties = Party.objects.filter(company=company)
    vat = normalise_vat_id(seller.vat_id)
    candidates = []
    if vat:
        candidates.append(parties.filter(vat_id=vat))
    for scheme, ident in pairs:
        if scheme in KVK_SCHEMES and ident.isdigit() and len(ident) == 8:
            candidates.append(parties.filter(kvk_number=ident))
        if scheme in VAT_SCHEMES:
            candidates.append(parties.filter(vat_id=normalise_vat_id(ident)))
    for qs in candidates:
        found = qs.order_by("-is_vendor", "id").first()
        if found is not None:
            _remember(found, pairs, by=by, needs_review=False)
            return _as_vendor(found, by), False
    ibans = [normalise_iban(i) for i in doc.ibans if i]
    if ibans:
        account = (
            BankAccount.objects.filter(company=company, iban__in=ibans, party__is_vendor=True)
            .select_related("party")
            .order_by("id")
            .first()
        )
        if account is not None:
            _remember(account.party, pairs, by=by, needs_review=False)
            return account.party, False
    vendor = _create_vendor(company, seller, pairs, findings, by=by)
    _add_ibans(vendor, ibans, findings, by=by)
    return vendor, True


def _as_vendor(party: Party, by: Any) -> Party:
    if not party.is_vendor:
        party = party_services.update_party(party, by=by, is_vendor=True)
    return party


def _remember(party: Party, pairs: list[tuple[str, str]], *, by: Any, needs_review: bool) -> None:
    for scheme, ident in pairs:
        remember_vendor_identifier(party, scheme=scheme, identifier=ident, needs_review=needs_review, by=by)


def _create_vendor(
    company: Company, seller: EInvoiceParty, pairs: list[tuple[str, str]], findings: list[Finding], *, by: Any
) -> Party:
    fields: dict[str, Any] = {"name": (seller.name or seller.trade_name)[:200], "is_vendor": True}
    vat = normalise_vat_id(seller.vat_id)
    if vat:
        try:
            validate_vat_id(vat)
            fields["vat_id"] = vat
        except ValidationError:
            findings.append(
                Finding(
                    "KERN-VENDOR",
                    f"the seller's VAT id {seller.vat_id} is not valid; not recorded",
                    fatal=False,
                )
            )
    kvk = next((i for s, i in pairs if s in KVK_SCHEMES and i.isdigit() and len(i) == 8), "")
    if kvk:
        fields["kvk_number"] = kvk
    if seller.email:
        try:
            validate_email(seller.email)
            fields["email"] = seller.email[:254]
        except ValidationError:
            pass
    if seller.phone:
        fields["phone"] = seller.phone[:40]
    vendor = party_services.create_party(company, by=by, tags=[REVIEW_TAG], **fields)
    if seller.city or seller.street:
        try:
            with savepoint():
                party_services.add_address(
                    vendor,
                    by=by,
                    street=(seller.street or "-")[:200],
                    street2=seller.street2[:200],
                    postcode=seller.postcode[:16],
                    city=(seller.city or "-")[:100],
                    country=(seller.country or company.country or "NL")[:2],
                )
        except KernError as exc:
            findings.append(
                Finding("KERN-VENDOR", f"the seller's address was not recorded: {exc.message}", fatal=False)
            )
    _remember(vendor, pairs, by=by, needs_review=True)
    findings.append(
        Finding(
            "KERN-VENDOR",
            f"{vendor.name} was not known: created as vendor {vendor.number}, to be reviewed before payment",
            fatal=False,
        )
    )
    return vendor


def _add_ibans(vendor: Party, ibans: list[str], findings: list[Finding], *, by: Any) -> None:
    known = set(BankAccount.objects.filter(party=vendor).values_list("iban", flat=True))
    for iban in ibans:
        iban = normalise_iban(iban)
        if iban in known:
            continue
        if not _valid_iban(iban):
            findings.append(
                Finding("KERN-VENDOR", f"the seller's IBAN {iban} is not valid; not recorded", fatal=False)
            )
            continue
        with savepoint():
            party_services.add_bank_account(vendor, by=by, iban=iban, holder_name=vendor.name[:140])
        known.add(iban)


def _valid_iban(value: str) -> bool:
    try:
        validate_iban(value)
    except ValidationError:
        return False
    return bool(value)


def _check_buyer(company: Company, buyer: EInvoiceParty, findings: list[Finding]) -> None:
    ours = {normalise_vat_id(company.vat_id), company.kvk_number} - {""}
    theirs = {normalise_vat_id(buyer.vat_id), buyer.legal_id, buyer.endpoint} | {
        i for _s, i in buyer.identifiers
    }
    if ours and not (ours & {normalise_vat_id(t) for t in theirs if t} | (ours & theirs)):
        findings.append(
            Finding(
                "KERN-BUYER",
                f"the invoice is addressed to {buyer.name or 'another buyer'}, not visibly to {company.legal_name}",
                fatal=False,
            )
        )


# --- the order and the lines ---------------------------------------------------------------------


def _order_for(
    company: Company, vendor: Party, doc: EInvoice, findings: list[Finding]
) -> PurchaseOrder | None:
    reference = doc.order_reference.strip()
    if not reference:
        return None
    order = PurchaseOrder.objects.filter(company=company, number__iexact=reference).first()
    if order is None:
        findings.append(
            Finding(
                "KERN-ORDER", f"order {reference} is not one of ours; the bill is not matched", fatal=False
            )
        )
        return None
    if order.vendor_id != vendor.pk:
        findings.append(
            Finding(
                "KERN-ORDER",
                f"order {order.number} was placed with {order.vendor}, not with {vendor}",
                fatal=False,
            )
        )
        return None
    if order.status in (OrderStatus.DRAFT, OrderStatus.TO_APPROVE, OrderStatus.CANCELLED):
        findings.append(
            Finding(
                "KERN-ORDER", f"order {order.number} is {stored_label(order, 'status').lower()}", fatal=False
            )
        )
        return None
    return order


def _product_for(company: Company, vendor: Party, line: EInvoiceLine) -> Product | None:
    products = Product.objects.filter(company=company)
    if line.buyers_item_id:
        found = products.filter(sku=line.buyers_item_id).first()
        if found:
            return found
    if line.standard_item_id:
        found = products.filter(barcode=line.standard_item_id).first()
        if found:
            return found
    if line.sellers_item_id:
        price = (
            VendorPrice.objects.filter(company=company, vendor=vendor, vendor_sku=line.sellers_item_id)
            .select_related("product")
            .first()
        )
        if price:
            return price.product
    return None


def _bill_line(
    company: Company,
    bill: VendorBill,
    vendor: Party,
    order: PurchaseOrder | None,
    line: EInvoiceLine,
    position: int,
    flip: int,
    codes: dict[tuple[str, Decimal], str],
    findings: list[Finding],
) -> BillLine:
    product = None if line.is_allowance_charge else _product_for(company, vendor, line)
    order_line = None
    if order is not None and not line.is_allowance_charge:
        lines = OrderLine.objects.filter(order=order).select_related("product", "uom")
        if line.order_line_ref and line.order_line_ref.isdigit():
            order_line = lines.filter(position=int(line.order_line_ref)).first()
        if order_line is None and product is not None:
            order_line = lines.filter(product=product).order_by("position").first()
        if order_line is None:
            findings.append(
                Finding(
                    "KERN-ORDER",
                    f"line {line.line_id} ({line.name[:60]}) is not on order {order.number}",
                    fatal=False,
                )
            )
        elif product is None:
            product = order_line.product
    uom = Uom.objects.filter(unece_code=line.unit_code).order_by("factor").first() if line.unit_code else None
    if order_line is not None and (uom is None or uom.category_id != order_line.uom.category_id):
        uom = order_line.uom
    unit_price = (line.price / line.base_quantity) if line.base_quantity else line.price
    description = line.name if not line.description else f"{line.name} – {line.description}"
    code = _code_for(codes, line.tax_category, line.tax_rate or ZERO, vendor)
    return BillLine(
        company=company,
        bill=bill,
        position=position,
        order_line=order_line,
        product=product,
        description=description[:255],
        vendor_sku=line.sellers_item_id[:60],
        quantity=(line.quantity if not line.is_allowance_charge else Decimal(1)) * flip,
        uom=uom,
        unit_price=unit_price.quantize(Decimal("0.000001")),
        net_amount=line.net_amount * flip,
        tax_code=code,
        tax_category=line.tax_category[:3],
        tax_rate=line.tax_rate,
    )


def _purchase_codes(company: Company) -> dict[tuple[str, Decimal], str]:
    """(kind, rate) → code of the company's active purchase VAT codes (first code wins)."""
    out: dict[tuple[str, Decimal], str] = {}
    for code, kind, rate in (
        TaxCode.objects.filter(company=company, direction="purchase", is_active=True)
        .order_by("code")
        .values_list("code", "kind", "rate")
    ):
        out.setdefault((kind, rate.normalize()), code)
        out.setdefault((kind, None), code)
    return out


def _code_for(
    codes: dict[tuple[str, Decimal | None], str], category: str, rate: Decimal, vendor: Party
) -> str:
    """The purchase code for a VAT category and rate; "" when the company has none (foreign VAT)."""
    if category == "S":
        for kind in ("standard", "reduced"):
            code = codes.get((kind, (rate or ZERO).normalize()))
            if code:
                return code
        return ""
    if category == "O":
        return ""
    for kind in CATEGORY_KINDS.get(category, ()):
        code = codes.get((kind, None))
        if code:
            return code
    return ""
