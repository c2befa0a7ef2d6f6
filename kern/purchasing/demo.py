"""Demo data of purchasing (order 85): vendor prices, requisitions, RFQs with answers, purchase
orders in every state, and vendor bills — matched, blocked on a price variance, released, paid,
partly paid, cancelled, a credit note and an imported e-invoice. Loaded once: a second run
changes nothing (the demo orders carry a "DEMO-" vendor reference)."""

from __future__ import annotations

import contextlib
import datetime as dt
from decimal import Decimal
from typing import Any

from django.utils import timezone
from lxml import etree

from kern.catalog.models import Product, ProductType, TrackingMode
from kern.core.exceptions import KernError
from kern.parties import services as party_services
from kern.parties.models import BankAccount, Party
from kern.payments import services as payments
from kern.payments.models import OpenItem
from kern.purchasing import services
from kern.purchasing.models import PurchaseOrder

VENDOR_IBANS = ["NL20INGB0001234567", "NL44RABO0123456789", "NL39RABO0300065264", "NL02ABNA0123456789"]
MARK = "DEMO-"


def _day(days_ago: int) -> dt.date:
    on = timezone.localdate() - dt.timedelta(days=days_ago)
    return max(on, dt.date(timezone.localdate().year, 1, 1))


def load_purchasing(ctx: dict[str, Any], progress: Any = None) -> None:
    company = ctx["company"]
    if PurchaseOrder.objects.filter(company=company, vendor_reference__startswith=MARK).exists():
        return
    users = ctx.get("users", {})
    buyer, controller = users.get("buyer"), users.get("controller")
    clerk, warehouse = users.get("accountant"), users.get("warehouse")
    vendors = list(
        Party.objects.filter(company=company, is_vendor=True, is_active=True).order_by("number")[:6]
    )
    goods = list(
        Product.objects.filter(
            company=company,
            type=ProductType.STOCKED,
            tracking=TrackingMode.NONE,
            can_be_purchased=True,
            is_active=True,
        ).order_by("sku")[:12]
    )
    services_ = list(
        Product.objects.filter(company=company, type=ProductType.SERVICE, can_be_purchased=True).order_by(
            "sku"
        )[:1]
    )
    if len(vendors) < 4 or len(goods) < 8:
        return  # the parties and catalog demo steps did not run
    for vendor, iban in zip(vendors, VENDOR_IBANS, strict=False):
        if not BankAccount.objects.filter(party=vendor).exists():
            party_services.add_bank_account(vendor, iban=iban)
    steps = [
        _vendor_prices,
        _requisitions,
        _rfqs,
        _orders,
    ]
    state = {
        "company": company,
        "buyer": buyer,
        "controller": controller,
        "clerk": clerk,
        "warehouse": warehouse,
        "planner": users.get("planner"),
        "vendors": vendors,
        "goods": goods,
        "services": services_,
        "n": 0,
    }
    for n, step in enumerate(steps, start=1):
        step(state)
        if progress:
            progress(n, len(steps))


def _vendor_prices(s: dict[str, Any]) -> None:
    company, vendors = s["company"], s["vendors"]
    for i, product in enumerate(s["goods"]):
        for k, vendor in enumerate(vendors[:3]):
            if (i + k) % 3 == 2:
                continue  # not every vendor sells everything
            base = (product.cost or Decimal("10")) * (Decimal("1") + Decimal(k) / Decimal(20))
            services.set_vendor_price(
                company,
                vendor=vendor,
                product=product,
                unit_price=base.quantize(Decimal("0.01")),
                min_quantity=1,
                lead_time_days=3 + 2 * k,
                vendor_sku=f"{vendor.number}-{product.sku}",
            )
            services.set_vendor_price(
                company,
                vendor=vendor,
                product=product,
                unit_price=(base * Decimal("0.92")).quantize(Decimal("0.01")),
                min_quantity=50,
                lead_time_days=5 + 2 * k,
                vendor_sku=f"{vendor.number}-{product.sku}",
            )


def _requisitions(s: dict[str, Any]) -> None:
    company, goods, buyer = s["company"], s["goods"], s["buyer"]
    planner = None
    draft = services.create_requisition(
        company,
        by=planner,
        reason="Stock for the spring range",
        lines=[{"product": goods[0], "quantity": 30}],
    )
    del draft
    submitted = services.create_requisition(
        company, reason="Replacement for damaged stock", lines=[{"product": goods[1], "quantity": 12}]
    )
    services.submit_requisition(submitted)
    ordered = services.create_requisition(
        company,
        reason="New showroom",
        lines=[{"product": goods[2], "quantity": 20}, {"product": goods[3], "quantity": 8}],
    )
    services.submit_requisition(ordered)
    services.approve_requisition(ordered, by=buyer)
    services.order_requisition(ordered, by=buyer)
    rejected = services.create_requisition(
        company, reason="Nice to have", lines=[{"product": goods[4], "quantity": 200}]
    )
    services.submit_requisition(rejected)
    services.reject_requisition(rejected, by=buyer, reason="Not in this year's budget")
    approved = services.create_requisition(
        company, reason="Samples for the trade fair", lines=[{"product": goods[5], "quantity": 6}]
    )
    services.submit_requisition(approved)
    services.approve_requisition(approved, by=buyer)
    cancelled = services.create_requisition(
        company, reason="Asked twice", lines=[{"product": goods[1], "quantity": 12}]
    )
    services.cancel_requisition(cancelled, by=buyer)


def _rfqs(s: dict[str, Any]) -> None:
    company, goods, vendors, buyer = s["company"], s["goods"], s["vendors"], s["buyer"]
    services.create_rfq(
        company, by=buyer, lines=[{"product": goods[5], "quantity": 100}], vendors=vendors[:2]
    )
    withdrawn = services.create_rfq(
        company, by=buyer, lines=[{"product": goods[4], "quantity": 25}], vendors=vendors[1:3]
    )
    services.send_rfq(withdrawn, by=buyer)
    services.cancel_rfq(withdrawn, by=buyer)
    for awarded in (False, True):
        rfq = services.create_rfq(
            company,
            by=buyer,
            lines=[{"product": goods[6], "quantity": 40}, {"product": goods[7], "quantity": 10}],
            vendors=vendors[:3],
        )
        services.send_rfq(rfq, by=buyer)
        lines = list(rfq.lines.order_by("position"))
        for k, invitation in enumerate(rfq.vendors.order_by("id")):
            if k == 2:
                services.decline_rfq(invitation, by=buyer, notes="No capacity this quarter")
                continue
            services.record_quote(
                invitation,
                prices=[
                    {
                        "line": ln,
                        "unit_price": (ln.product.cost or Decimal("10"))
                        * (Decimal("0.97") + Decimal(k * (i + 1)) / 25),
                        "lead_time_days": 4 + 3 * k,
                    }
                    for i, ln in enumerate(lines)
                ],
                vendor_reference=f"OFF-{rfq.number}-{k + 1}",
                by=buyer,
            )
        if awarded:
            for order in services.award_rfq(rfq, by=buyer):
                _mark(s, order)


def _mark(s: dict[str, Any], order: PurchaseOrder) -> PurchaseOrder:
    s["n"] += 1
    services.update_order(order, vendor_reference=f"{MARK}{s['n']:03d}")
    order.refresh_from_db()
    return order


def _order(
    s: dict[str, Any], vendor: Party, lines: list[tuple[Product, int]], days_ago: int
) -> PurchaseOrder:
    order = services.create_order(
        s["company"],
        vendor=vendor,
        by=s["buyer"],
        order_date=_day(days_ago),
        lines=[{"product": p, "quantity": q} for p, q in lines],
    )
    return _mark(s, order)


def _receive(order: PurchaseOrder, quantities: dict[int, Decimal] | None, by: Any) -> None:
    from kern.inventory import services as inventory
    from kern.purchasing import selectors

    receipt = next(r for r in selectors.receipts_of(order) if r.status not in ("done", "cancelled"))
    done = None
    if quantities is not None:
        moves = {m.product_id: m.pk for m in receipt.moves.all()}
        done = {moves[pid]: qty for pid, qty in quantities.items() if pid in moves}
    inventory.validate_operation(receipt, quantities=done, by=by)


def _approved(
    s: dict[str, Any], vendor: Party, lines: list[tuple[Product, int]], days_ago: int, *, send: bool = True
) -> PurchaseOrder:
    order = _order(s, vendor, lines, days_ago)
    services.submit_order(order, by=s["controller"])
    if send:
        services.send_order(order, by=s["buyer"], to=vendor.email or "inkoop@leverancier.example")
    order.refresh_from_db()
    return order


def _orders(s: dict[str, Any]) -> None:
    company, goods, vendors = s["company"], s["goods"], s["vendors"]
    buyer, controller, clerk, warehouse = s["buyer"], s["controller"], s["clerk"], s["warehouse"]
    # draft and waiting for approval (above the buyer's limit)
    _order(s, vendors[0], [(goods[0], 10), (goods[1], 5)], 2)
    big = _order(s, vendors[1], [(goods[2], 600)], 3)
    services.update_order_line(big.lines.get(), unit_price=Decimal("25.00"))
    services.submit_order(big, by=buyer)
    # approved, not yet sent; sent
    _approved(s, vendors[2], [(goods[3], 15)], 4, send=False)
    _approved(s, vendors[3], [(goods[4], 20), (goods[5], 10)], 5)
    # partly received (a backorder waits)
    partial = _approved(s, vendors[0], [(goods[6], 30), (goods[7], 12)], 20)
    _receive(partial, {goods[6].pk: Decimal("18")}, warehouse)
    # received, not billed
    received = _approved(s, vendors[1], [(goods[8], 25)], 25)
    _receive(received, None, warehouse)
    # partly billed: received, one bill of two
    two_bills = _approved(s, vendors[2], [(goods[9], 40), (goods[10], 10)], 35)
    _receive(two_bills, None, warehouse)
    first = services.create_bill_from_order(
        two_bills,
        by=clerk,
        vendor_reference="F-2041",
        bill_date=_day(30),
        quantities={two_bills.lines.get(position=1).pk: 40},
    )
    services.approve_bill(first, by=controller)
    # billed before all goods came (a prepaid order); done (received and billed)
    billed = _approved(s, vendors[3], [(goods[11], 10)], 40)
    _receive(billed, {goods[11].pk: Decimal("6")}, warehouse)
    prepay = services.create_bill_from_order(
        billed,
        by=clerk,
        vendor_reference="F-3310",
        bill_date=_day(38),
        quantities={billed.lines.get().pk: 10},
    )
    services.approve_bill(prepay, by=controller)
    done = _approved(s, vendors[0], [(goods[0], 50), (goods[1], 20)], 60)
    _receive(done, None, warehouse)
    paid = services.create_bill_from_order(done, by=clerk, vendor_reference="F-1187", bill_date=_day(55))
    services.approve_bill(paid, by=controller)
    _pay(company, paid, full=True, by=controller)
    # a price variance: blocked, then released; and one still blocked
    for days, release in ((50, True), (15, False)):
        variance = _approved(s, vendors[1], [(goods[2], 20)], days)
        _receive(variance, None, warehouse)
        bill = services.create_bill_from_order(
            variance, by=clerk, vendor_reference=f"F-77{days}", bill_date=_day(days - 3)
        )
        line = bill.lines.get()
        services.update_bill_line(
            line, unit_price=(line.unit_price * Decimal("1.08")).quantize(Decimal("0.01"))
        )
        services.approve_bill(bill, by=clerk)
        if release:
            services.release_bill(bill, by=controller, note="Price increase agreed by the buyer")
            _pay(company, bill, full=False, by=controller)
    # cancelled order; a cancelled draft bill; a vendor credit note; a bill without an order
    cancelled = _order(s, vendors[2], [(goods[5], 5)], 10)
    services.cancel_order(cancelled, by=buyer, reason="Ordered twice")
    draft_bill = services.create_bill(
        company,
        vendor=vendors[2],
        by=clerk,
        vendor_reference="F-0001",
        lines=[{"description": "Duplicate scan", "unit_price": "10"}],
    )
    services.cancel_bill(draft_bill, by=clerk)
    credit = services.create_bill(
        company,
        vendor=vendors[0],
        kind="credit_note",
        by=clerk,
        vendor_reference="CN-118",
        bill_date=_day(12),
        lines=[{"description": "Discount for late delivery", "unit_price": "45.00"}],
    )
    services.approve_bill(credit, by=controller)
    services.create_bill(
        company,
        vendor=vendors[3],
        by=clerk,
        vendor_reference="2026-0415",
        bill_date=_day(6),
        lines=[
            {"description": "Cleaning of the warehouse, monthly", "unit_price": "420.00"},
            {"description": "Coffee and tea", "unit_price": "86.40", "tax_code": "I9"},
        ],
    )
    # an e-invoice for the order received above comes in by Peppol
    with contextlib.suppress(KernError):  # the demo vendor may lack what the file needs; it is a showcase
        services.import_einvoice(
            company, _einvoice(company, received), by=clerk, filename="peppol-invoice.xml"
        )


def _pay(company: Any, bill: Any, *, full: bool, by: Any) -> None:
    item = OpenItem.objects.filter(company=company, source_type="purchasing.bill", source_id=bill.pk).first()
    if item is None:
        return
    amount = item.residual if full else (item.residual / 2).quantize(Decimal("0.01"))
    with contextlib.suppress(KernError):  # no bank journal in this demo: the bill stays open
        payments.pay(
            company,
            party=bill.vendor,
            amount=amount,
            currency=item.currency_id,
            on=max(bill.bill_date, _day(1)),
            reference=bill.vendor_reference,
            allocations=[payments.AllocationSpec(item, amount)],
            by=by,
        )


def _einvoice(company: Any, order: PurchaseOrder) -> bytes:
    """A Peppol BIS 3 invoice from the order's vendor for what it delivered (built for the demo)."""
    inv = "urn:oasis:names:specification:ubl:schema:xsd:Invoice-2"
    cac = "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2"
    cbc = "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2"
    root = etree.Element(f"{{{inv}}}Invoice", nsmap={None: inv, "cac": cac, "cbc": cbc})

    def el(parent: Any, tag: str, text: Any = None, **attrs: str) -> Any:
        ns = cac if tag.startswith("cac:") else cbc
        node = etree.SubElement(parent, f"{{{ns}}}{tag[4:]}", **attrs)
        if text is not None:
            node.text = str(text)
        return node

    vendor = order.vendor
    lines = list(order.lines.select_related("product", "uom"))
    net = sum((ln.net_amount for ln in lines), Decimal("0"))
    tax = (net * Decimal("0.21")).quantize(Decimal("0.01"))
    el(
        root,
        "cbc:CustomizationID",
        "urn:cen.eu:en16931:2017#compliant#urn:fdc:peppol.eu:2017:poacc:billing:3.0",
    )
    el(root, "cbc:ProfileID", "urn:fdc:peppol.eu:2017:poacc:billing:01:1.0")
    el(root, "cbc:ID", f"EI-{order.number}")
    el(root, "cbc:IssueDate", _day(1).isoformat())
    el(root, "cbc:InvoiceTypeCode", "380")
    el(root, "cbc:DocumentCurrencyCode", "EUR")
    el(root, "cbc:BuyerReference", order.number)
    el(el(root, "cac:OrderReference"), "cbc:ID", order.number)
    for tag, party_name, vat, street, city in (
        ("cac:AccountingSupplierParty", vendor.name, vendor.vat_id, "Industrieweg 4", "Utrecht"),
        (
            "cac:AccountingCustomerParty",
            company.legal_name,
            company.vat_id,
            company.street or "-",
            company.city or "-",
        ),
    ):
        party = el(el(root, tag), "cac:Party")
        el(party, "cbc:EndpointID", vat or "NL000099998B57", schemeID="9944")
        address = el(party, "cac:PostalAddress")
        el(address, "cbc:StreetName", street)
        el(address, "cbc:CityName", city)
        el(el(address, "cac:Country"), "cbc:IdentificationCode", "NL")
        if vat:
            scheme = el(party, "cac:PartyTaxScheme")
            el(scheme, "cbc:CompanyID", vat)
            el(el(scheme, "cac:TaxScheme"), "cbc:ID", "VAT")
        el(el(party, "cac:PartyLegalEntity"), "cbc:RegistrationName", party_name)
    means = el(root, "cac:PaymentMeans")
    el(means, "cbc:PaymentMeansCode", "30")
    account = BankAccount.objects.filter(party=vendor).first()
    el(el(means, "cac:PayeeFinancialAccount"), "cbc:ID", account.iban if account else VENDOR_IBANS[0])
    total = el(root, "cac:TaxTotal")
    el(total, "cbc:TaxAmount", f"{tax:.2f}", currencyID="EUR")
    sub = el(total, "cac:TaxSubtotal")
    el(sub, "cbc:TaxableAmount", f"{net:.2f}", currencyID="EUR")
    el(sub, "cbc:TaxAmount", f"{tax:.2f}", currencyID="EUR")
    category = el(sub, "cac:TaxCategory")
    el(category, "cbc:ID", "S")
    el(category, "cbc:Percent", "21")
    el(el(category, "cac:TaxScheme"), "cbc:ID", "VAT")
    monetary = el(root, "cac:LegalMonetaryTotal")
    for name, value in (
        ("LineExtensionAmount", net),
        ("TaxExclusiveAmount", net),
        ("TaxInclusiveAmount", net + tax),
        ("PayableAmount", net + tax),
    ):
        el(monetary, f"cbc:{name}", f"{value:.2f}", currencyID="EUR")
    for ln in lines:
        line = el(root, "cac:InvoiceLine")
        el(line, "cbc:ID", ln.position)
        el(line, "cbc:InvoicedQuantity", ln.quantity.normalize(), unitCode="C62")
        el(line, "cbc:LineExtensionAmount", f"{ln.net_amount:.2f}", currencyID="EUR")
        el(el(line, "cac:OrderLineReference"), "cbc:LineID", ln.position)
        item = el(line, "cac:Item")
        el(item, "cbc:Name", ln.description or ln.product.name)
        el(el(item, "cac:BuyersItemIdentification"), "cbc:ID", ln.product.sku)
        tax_category = el(item, "cac:ClassifiedTaxCategory")
        el(tax_category, "cbc:ID", "S")
        el(tax_category, "cbc:Percent", "21")
        el(el(tax_category, "cac:TaxScheme"), "cbc:ID", "VAT")
        el(el(line, "cac:Price"), "cbc:PriceAmount", f"{ln.net_price:.2f}", currencyID="EUR")
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8")
