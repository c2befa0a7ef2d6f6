"""Customer invoices and credit notes: from orders or standalone, posted through the ledger.

Posting an invoice, in one transaction:
1. the gapless legal number (core.numbering, per company, kind and fiscal year);
2. one journal entry in the sales journal (ledger.services.post_entry): the receivable (debit,
   with the customer and the due date), revenue per account role and VAT code (credit, so the VAT
   return sees the base), and VAT per code from the ledger's `compute_taxes` (credit). A credit
   note is the mirror image. COGS is not posted here: the delivery's valuation posted it when
   the goods left;
3. the open item in receivables (payments.services.register_open_item), with the due date and the
   early-payment discount of the payment term (2/10 net 30: 2 % if paid within 10 days);
4. the order lines' invoiced quantities and the order's invoiced amount and status.

The invoice's payment status follows the open item: payments emits `payments.open_item_settled`
and `on_open_item_settled` writes residual and status back.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _
from stdnum.iso7064 import mod_97_10

from kern.catalog.models import ProductType
from kern.core import audit
from kern.core.db import atomic
from kern.core.events import Event, emit
from kern.core.exceptions import ValidationFailed
from kern.core.labels import stored_label
from kern.core.money import quantize
from kern.core.numbering import next_number
from kern.core.rows import save_new_with_lines, update_columns
from kern.core.selectors import rate_on
from kern.core.workflow import transition
from kern.ledger.models import TaxCode, TaxKind
from kern.ledger.selectors import compute_taxes, tax_code_for
from kern.ledger.services import LineSpec, SourceRef, post_entry
from kern.sales.events import CREDIT_NOTE_POSTED, INVOICE_PAID, INVOICE_POSTED, InvoicePosted
from kern.sales.exceptions import NothingToInvoice, SalesCode, SalesInvalid
from kern.sales.models import (
    Invoice,
    InvoiceKind,
    InvoiceLine,
    InvoiceStatus,
    PaymentStatus,
    ReturnAuthorisation,
    ReturnStatus,
    SalesOrder,
    SalesOrderLine,
)
from kern.sales.selectors.pricing import (
    REVENUE_ROLES,
    LineInput,
    customer_situation,
    decimal_input,
    price_lines,
)
from kern.sales.services import _receivables
from kern.sales.services._common import (
    acting,
    add_to_columns,
    as_date,
    at_most,
    column_additions,
    currency_of,
    customer_of,
    default_team,
    only,
    payment_term_of,
    refuse,
    related,
    team_of,
    user_id,
    user_of,
)
from kern.sales.services._common import (
    qty as fmt,
)
from kern.sales.services._identity import recall, remember
from kern.sales.services.orders import (
    _lines_of,
    _refuse_unless_confirmed,
    invoiceable_quantity,
    settle_order_status,
)

__all__ = [
    "cancel_invoice",
    "create_invoice",
    "credit_invoice",
    "invoice_order",
    "on_open_item_settled",
    "payment_reference_for",
    "post_invoice",
    "update_invoice",
]

ZERO = Decimal("0")
HUNDRED = Decimal("100")
INVOICE_SOURCE = "sales.invoice"
# UNCL5305 VAT category per kind of VAT code (UBL / Peppol).
UBL_CATEGORY = {
    TaxKind.STANDARD: "S",
    TaxKind.REDUCED: "S",
    TaxKind.ZERO: "Z",
    TaxKind.EXEMPT: "E",
    TaxKind.REVERSE_CHARGE: "AE",
    TaxKind.INTRA_EU_GOODS: "K",
    TaxKind.INTRA_EU_SERVICES: "AE",  # the customer accounts for the VAT (reverse charge)
    TaxKind.EXPORT: "G",
}
INVOICE_FIELDS = {
    "invoice_date",
    "payment_term",
    "currency",
    "customer_reference",
    "notes",
    "sales_rep",
    "team",
    "invoice_address",
}


def payment_reference_for(number: str) -> str:
    """An ISO 11649 structured creditor reference (RF…) from the invoice number, which banks carry
    in the remittance information so the bank import can match the payment to the invoice."""
    body = "".join(ch for ch in number.upper() if ch.isalnum())[-21:]
    return "RF" + mod_97_10.calc_check_digits(body + "RF") + body


def _terms(invoice: Invoice) -> None:
    term = invoice.payment_term
    on = invoice.invoice_date
    if term is None:
        invoice.due_date = invoice.due_date or on
        invoice.discount_date, invoice.discount_amount = None, ZERO
        return
    invoice.due_date = on + dt.timedelta(days=term.net_days)
    if term.discount_percent and term.discount_days and not invoice.is_credit_note:
        invoice.discount_date = on + dt.timedelta(days=term.discount_days)
        invoice.discount_amount = quantize(
            invoice.total * term.discount_percent / HUNDRED, invoice.currency_id
        )
    else:
        invoice.discount_date, invoice.discount_amount = None, ZERO


def _tax_summary(company: Any, lines: list[InvoiceLine], currency: str, kinds: dict[str, str]) -> Any:
    taxes = compute_taxes(company, [(ln.amount, ln.tax_code) for ln in lines], currency=currency)
    summary = [
        {
            "code": t.tax_code,
            "name": t.name,
            "rate": str(t.rate),
            "base": str(t.base),
            "tax": str(t.tax),
            "kind": kinds.get(t.tax_code, ""),
            "category": UBL_CATEGORY.get(kinds.get(t.tax_code, ""), "S"),
            "account": t.account,
        }
        for t in taxes.taxes
    ]
    return taxes, summary


def _totals(invoice: Invoice, lines: list[InvoiceLine], kinds: dict[str, str]) -> None:
    taxes, summary = _tax_summary(invoice.company, lines, invoice.currency_id, kinds)
    invoice.net_total = taxes.net_total
    invoice.tax_total = taxes.tax_total
    invoice.total = taxes.gross_total
    invoice.tax_summary = summary
    invoice.residual = invoice.total
    _terms(invoice)


def _line_from_priced(
    invoice: Invoice, n: int, ln: Any, order_line: SalesOrderLine | None = None
) -> InvoiceLine:
    return InvoiceLine(
        company_id=invoice.company_id,
        invoice=invoice,
        line_no=n,
        product=ln.product,
        description=ln.description,
        quantity=ln.quantity,
        uom=ln.uom,
        unit_price=ln.unit_price,
        discount_percent=ZERO,
        amount=ln.amount,
        tax_code=ln.tax_code,
        tax_rate=ln.tax_rate,
        tax_kind=ln.tax_kind,
        revenue_role=ln.revenue_role,
        order_line=order_line,
    )


def _free_lines(
    invoice: Invoice, inputs: list[dict[str, Any]], start: int, country: str, vat_id: str
) -> tuple[list[InvoiceLine], dict[str, str]]:
    """Lines without a product (a fee, a correction): description, quantity, price, tax category."""
    company = invoice.company
    out, kinds = [], {}
    for i, raw in enumerate(inputs):
        where = f"lines[{raw.get('_index', i)}]"
        unknown = set(raw) - {
            "description",
            "quantity",
            "unit_price",
            "discount_percent",
            "tax_category",
            "tax_code",
            "_index",
            "product",
            "uom",
            "options",
        }
        if unknown:
            key, message = f"{where}.{sorted(unknown)[0]}", _("unknown field")
            raise SalesInvalid(f"{key}: {message}", errors={key: [message]})
        description = (raw.get("description") or "").strip()
        if not description:
            raise SalesInvalid(
                f"{where}.description: " + _("a line without product needs a description"),
                errors={f"{where}.description": [_("required")]},
            )
        quantity = decimal_input(raw.get("quantity", 1), f"{where}.quantity", places=4)
        if quantity <= 0:
            message = _("must be more than 0")
            raise SalesInvalid(f"{where}.quantity: {message}", errors={f"{where}.quantity": [message]})
        price = decimal_input(raw.get("unit_price"), f"{where}.unit_price", places=4)
        if price < 0:
            message = _("must not be negative")
            raise SalesInvalid(f"{where}.unit_price: {message}", errors={f"{where}.unit_price": [message]})
        discount = decimal_input(raw.get("discount_percent") or 0, f"{where}.discount_percent", places=2)
        if not ZERO <= discount <= HUNDRED:
            message = _("between 0 and 100")
            raise SalesInvalid(
                f"{where}.discount_percent: {message}", errors={f"{where}.discount_percent": [message]}
            )
        if raw.get("tax_code"):
            # An explicit VAT code (domestic reverse charge, a special rate) instead of the category.
            tax = TaxCode.objects.filter(
                company_id=company.pk, code=str(raw["tax_code"]), direction="sale", is_active=True
            ).first()
            if tax is None:
                raise SalesInvalid(
                    f"{where}.tax_code: " + _("no sales VAT code %(code)r") % {"code": raw["tax_code"]},
                    errors={f"{where}.tax_code": [_("unknown sales VAT code")]},
                )
        else:
            tax = tax_code_for(
                company,
                tax_category=raw.get("tax_category") or "standard",
                direction="sale",
                product_type="service",
                country=country,
                vat_id=vat_id,
            )
        net = (price * (HUNDRED - discount) / HUNDRED).quantize(Decimal("0.0001"), rounding=ROUND_HALF_UP)
        role = REVENUE_ROLES.get(tax.kind, "revenue")
        kinds[tax.code] = tax.kind
        out.append(
            InvoiceLine(
                company_id=company.pk,
                invoice=invoice,
                line_no=start + i,
                description=description[:500],
                quantity=quantity,
                unit_price=net,
                amount=quantize(quantity * net, invoice.currency_id),
                tax_code=tax.code,
                tax_rate=tax.rate,
                tax_kind=tax.kind,
                revenue_role="revenue_services" if role == "revenue" else role,
            )
        )
    return out, kinds


def _build_lines(invoice: Invoice, inputs: list[Any]) -> tuple[list[InvoiceLine], dict[str, str]]:
    company = invoice.company
    situation = customer_situation(company, invoice.customer, invoice_address=invoice.invoice_address_id)
    invoice.invoice_address = situation.invoice_address
    invoice.tax_country, invoice.tax_vat_id = situation.country, situation.vat_id
    with_product, free = [], []
    for i, raw in enumerate(inputs):
        if isinstance(raw, dict) and raw.get("product") in (None, ""):
            free.append({**raw, "_index": i})
        else:
            with_product.append(LineInput.of(raw, i))
    if not with_product and not free:
        message = _("add at least one line")
        raise SalesInvalid(f"lines: {message}", errors={"lines": [message]})
    lines: list[InvoiceLine] = []
    kinds: dict[str, str] = {}
    if with_product:
        priced = price_lines(
            company,
            invoice.customer,
            with_product,
            currency=invoice.currency_id,
            on=invoice.invoice_date,
            situation=situation,
        )
        for ln in priced.lines:
            lines.append(_line_from_priced(invoice, len(lines) + 1, ln))
            kinds[ln.tax_code] = ln.tax_kind
    extra, extra_kinds = _free_lines(invoice, free, len(lines) + 1, situation.country, situation.vat_id)
    lines += extra
    kinds.update(extra_kinds)
    return lines, kinds


def _save(invoice: Invoice, lines: list[InvoiceLine]) -> None:
    save_new_with_lines(invoice, InvoiceLine, lines, parent="invoice")
    audit.record_lines_created(invoice, lines)
    invoice._lines = lines


def _apply_fields(invoice: Invoice, company: Any, fields: dict[str, Any]) -> None:
    if "invoice_date" in fields:
        invoice.invoice_date = as_date(fields["invoice_date"], "invoice_date") or timezone.localdate()
    if "payment_term" in fields:
        invoice.payment_term = payment_term_of(company, fields["payment_term"])
    if "currency" in fields:
        invoice.currency_id = currency_of(fields["currency"], company.base_currency_id)
    if "sales_rep" in fields:
        invoice.sales_rep = user_of(company, fields["sales_rep"])
    if "team" in fields:
        invoice.team = team_of(company, fields["team"])
    if "invoice_address" in fields:
        invoice.invoice_address_id = fields["invoice_address"] or None
    for name in ("customer_reference", "notes"):
        if name in fields:
            setattr(invoice, name, (fields[name] or "").strip())
    if len(invoice.customer_reference) > 80:
        raise ValidationFailed.on("customer_reference", at_most(80))


def create_invoice(
    company: Any, *, customer: Any, lines: list[Any], by: Any = None, post: bool = False, **fields: Any
) -> Invoice:
    """A standalone invoice (no order): product lines priced as on an order, or free lines."""
    only(fields, INVOICE_FIELDS)
    customer = customer_of(company, customer)
    with atomic(), acting(by):
        invoice = Invoice(
            company=company,
            customer=customer,
            currency_id=customer.currency_id or company.base_currency_id,
            **related(customer, "payment_term"),
            created_by_id=user_id(by),
            invoice_date=timezone.localdate(),
        )
        _apply_fields(invoice, company, fields)
        if "sales_rep" not in fields and by is not None and getattr(by, "pk", None):
            invoice.sales_rep = by
        if "team" not in fields:
            invoice.team = default_team(company, invoice.sales_rep)
        built, kinds = _build_lines(invoice, list(lines))
        _totals(invoice, built, kinds)
        _save(invoice, built)
        if post:
            post_invoice(invoice, by=by)
    return invoice


def update_invoice(
    invoice: Invoice, *, lines: list[Any] | None = None, by: Any = None, **fields: Any
) -> Invoice:
    """Change a draft invoice (a posted one is corrected with a credit note)."""
    only(fields, INVOICE_FIELDS)
    if invoice.status != InvoiceStatus.DRAFT:
        raise refuse(
            _("invoice %(number)s is posted; correct it with a credit note") % {"number": invoice.number},
            SalesCode.NOT_EDITABLE,
        )
    with atomic(), acting(by):
        _apply_fields(invoice, invoice.company, fields)
        if lines is not None:
            if invoice.order_id is not None or invoice.original_id is not None:
                raise refuse(
                    _("the lines of an invoice made from an order or an invoice follow that document"),
                    SalesCode.NOT_EDITABLE,
                )
            for old in invoice.lines.all():
                old.delete()
            built, kinds = _build_lines(invoice, list(lines))
            _totals(invoice, built, kinds)
            _save(invoice, built)
        else:
            built = list(invoice.lines.all())
            kinds = _kinds(built)
            _totals(invoice, built, kinds)
            invoice.save()
    return invoice


def _kinds(lines: list[Any]) -> dict[str, str]:
    """The ledger's kind of each VAT code on the lines (standard, zero, intra_eu_goods …)."""
    return {ln.tax_code: ln.tax_kind for ln in lines}


def invoice_order(order: SalesOrder, *, by: Any = None, on: Any = None, post: bool = False) -> Invoice:
    """Invoice what the order can invoice now (ordered or delivered quantities, per its policy,
    less returned and already invoiced). Cancelled, blocked or draft orders are refused (409)."""
    _refuse_unless_confirmed(order, "invoiced")
    lines = _lines_of(order)
    todo = [(ln, invoiceable_quantity(order, ln)) for ln in lines]
    todo = [(ln, q) for ln, q in todo if q > 0]
    if not todo:
        message = (
            _("order %(number)s has nothing to invoice: everything ordered is invoiced")
            if order.invoice_status == "fully"
            else _("order %(number)s has nothing to invoice: everything delivered is invoiced")
        ) % {"number": order.number}
        if order.invoicing_policy != "order":
            message += " " + _("(it invoices delivered quantities)")
        raise NothingToInvoice(message)
    company = order.company
    with atomic(), acting(by):
        invoice = Invoice(
            company=company,
            customer=order.customer,
            invoice_address=order.invoice_address,
            currency_id=order.currency_id,
            payment_term=order.payment_term,
            order=order,
            sales_rep_id=order.sales_rep_id,
            team_id=order.team_id,
            customer_reference=order.customer_reference or order.number,
            tax_country=order.tax_country,
            tax_vat_id=order.tax_vat_id,
            created_by_id=user_id(by),
            invoice_date=as_date(on, "on") or timezone.localdate(),
        )
        kinds = _kinds([ln for ln, _q in todo])
        built = []
        for n, (ln, qty) in enumerate(todo, start=1):
            built.append(
                InvoiceLine(
                    company_id=company.pk,
                    invoice=invoice,
                    line_no=n,
                    product=ln.product,
                    description=ln.description,
                    quantity=qty,
                    uom=ln.uom,
                    unit_price=ln.unit_price,
                    amount=ln.amount
                    if qty == ln.quantity
                    else quantize(qty * ln.unit_price, order.currency_id),
                    tax_code=ln.tax_code,
                    tax_rate=ln.tax_rate,
                    tax_kind=ln.tax_kind,
                    revenue_role=_role(ln, kinds),
                    order_line=ln,
                )
            )
        _totals(invoice, built, kinds)
        if post:
            # Created posted: the number and the postings happen now, in this one transaction.
            _post(invoice, built, kinds, by=by, insert=True)
        else:
            _save(invoice, built)
    return invoice


def _role(line: SalesOrderLine, kinds: dict[str, str]) -> str:
    role = REVENUE_ROLES.get(kinds.get(line.tax_code, ""), "revenue")
    if role == "revenue" and line.product.type == ProductType.SERVICE:
        role = "revenue_services"
    return role


def post_invoice(invoice: Invoice, *, by: Any = None) -> Invoice:
    """Post a draft invoice or credit note (see the module docstring)."""
    if invoice.status != InvoiceStatus.DRAFT:
        raise refuse(
            _("%(invoice)s is %(status)s; only a draft is posted")
            % {"invoice": invoice, "status": invoice.get_status_display().lower()},
            SalesCode.NOT_ALLOWED,
        )
    lines = getattr(invoice, "_lines", None) or list(
        invoice.lines.select_related("product").order_by("line_no")
    )
    if not lines:
        raise refuse(_("an invoice without lines cannot be posted"), SalesCode.NOT_ALLOWED)
    if invoice.total < 0:
        raise refuse(_("the total is negative: make a credit note instead"), SalesCode.NOT_ALLOWED)
    with atomic(), acting(by):
        _post(invoice, lines, _kinds(lines), by=by, insert=False)
    return invoice


def _post(
    invoice: Invoice, lines: list[InvoiceLine], kinds: dict[str, str], *, by: Any, insert: bool
) -> None:
    company = invoice.company
    kind = "sales.credit_note" if invoice.is_credit_note else "sales.invoice"
    invoice.number = next_number(company, kind, invoice.invoice_date)
    invoice.payment_reference = payment_reference_for(invoice.number)
    base = company.base_currency_id
    rate = (
        Decimal(1)
        if invoice.currency_id == base
        else rate_on(invoice.currency_id, base, invoice.invoice_date, company=company)
    )
    invoice.total_company = quantize(invoice.total * rate, base)
    invoice.residual = invoice.total
    now = timezone.now()
    fields = {
        "number": invoice.number,
        "payment_reference": invoice.payment_reference,
        "posted_at": now,
        "posted_by_id": user_id(by),
        "residual": invoice.residual,
        "total_company": invoice.total_company,
        "due_date": invoice.due_date,
        "discount_date": invoice.discount_date,
        "discount_amount": invoice.discount_amount,
    }
    if insert:
        invoice.status = InvoiceStatus.POSTED
        invoice.posted_at, invoice.posted_by_id = now, user_id(by)
        _save(invoice, lines)
    else:
        transition(invoice, to=InvoiceStatus.POSTED, by=by, fields=fields, action="post")
    entry = post_entry(
        company=company,
        journal="sale",
        on=invoice.invoice_date,
        lines=_entry_lines(invoice, lines),
        source=SourceRef(INVOICE_SOURCE, invoice.pk, invoice.number),
        memo=f"{stored_label(invoice, 'kind')} {invoice.number} {invoice.customer.name}"[:255],
        by=by,
    )
    invoice._entry = entry
    remember(invoice)
    _receivables.open_item_for(invoice, entry, by=by)
    if invoice.order_id is not None:
        _update_order(invoice, lines)
    if invoice.return_authorisation_id is not None:
        _credit_return_lines(invoice, lines)
    emit(
        CREDIT_NOTE_POSTED if invoice.is_credit_note else INVOICE_POSTED,
        InvoicePosted(
            company_id=company.pk,
            invoice_id=invoice.pk,
            kind=invoice.kind,
            number=invoice.number,
            customer_id=invoice.customer_id,
            date=invoice.invoice_date.isoformat(),
            currency=invoice.currency_id,
            net_total=str(invoice.net_total),
            total=str(invoice.total),
            order_id=invoice.order_id,
            sales_rep_id=invoice.sales_rep_id,
            team_id=invoice.team_id,
        ),
        company=company.pk,
    )


def _entry_lines(invoice: Invoice, lines: list[InvoiceLine]) -> list[LineSpec]:
    """Receivable / revenue per role and VAT code / VAT per code; mirrored for a credit note."""
    base = invoice.company.base_currency_id
    foreign = invoice.currency_id != base
    credit_note = invoice.is_credit_note

    def spec(amount: Decimal, *, debit: bool, **kw: Any) -> LineSpec:
        if credit_note:
            debit = not debit
        if foreign:
            return LineSpec(amount_currency=amount if debit else -amount, currency=invoice.currency_id, **kw)
        return LineSpec(debit=amount if debit else ZERO, credit=ZERO if debit else amount, **kw)

    text = f"{invoice.number} {invoice.customer.name}"[:255]
    specs = [
        spec(
            invoice.total,
            debit=True,
            role="receivable",
            party_id=invoice.customer_id,
            due_date=invoice.due_date,
            description=text,
        )
    ]
    revenue: dict[tuple[str, str], Decimal] = defaultdict(Decimal)
    for ln in lines:
        revenue[(ln.revenue_role, ln.tax_code)] += ln.amount
    for (role, code), amount in revenue.items():
        if amount:
            specs.append(spec(amount, debit=False, role=role, tax_code=code, description=text))
    for tax in invoice.tax_summary:
        amount = Decimal(tax["tax"])
        if amount and tax["account"]:
            specs.append(
                spec(amount, debit=False, account=tax["account"], tax_code=tax["code"], description=text)
            )
    if not invoice.total:
        raise refuse(_("an invoice of 0.00 cannot be posted"), SalesCode.NOT_ALLOWED)
    return specs


def _update_order(invoice: Invoice, lines: list[InvoiceLine]) -> None:
    # The order the caller holds, if any, so its cached lines stay true.
    order = recall(SalesOrder, invoice.order_id) or invoice.order
    sign = invoice.sign
    per_line: dict[int, Decimal] = defaultdict(Decimal)
    for ln in lines:
        if ln.order_line_id is not None:
            per_line[ln.order_line_id] += sign * ln.quantity
    order_lines = _lines_of(order)  # read before the update, so the change is added once
    quantities = column_additions(
        "sales_salesorderline", [(pk, (q,)) for pk, q in per_line.items()], ["qty_invoiced"]
    )
    for ol in order_lines:
        if ol.pk in per_line:
            ol.qty_invoiced += per_line[ol.pk]
    settle_order_status(
        order, order_lines, riding=quantities, invoiced_total=order.invoiced_total + sign * invoice.total
    )


def _credit_return_lines(invoice: Invoice, lines: list[InvoiceLine]) -> None:
    per_line: dict[int, Decimal] = defaultdict(Decimal)
    for ln in lines:
        if ln.return_line_id is not None:
            per_line[ln.return_line_id] += ln.quantity
    add_to_columns("sales_returnline", [(pk, (q,)) for pk, q in per_line.items()], ["qty_credited"])
    rma = invoice.return_authorisation
    if rma.status == ReturnStatus.RECEIVED:
        transition(rma, to=ReturnStatus.CREDITED, action="credit")


def cancel_invoice(invoice: Invoice, *, by: Any = None) -> Invoice:
    """Cancel a draft (a posted invoice is credited instead)."""
    with atomic(), acting(by):
        transition(invoice, to=InvoiceStatus.CANCELLED, by=by, action="cancel")
    return invoice


def credit_invoice(
    invoice: Invoice,
    *,
    lines: list[dict[str, Any]] | None = None,
    reason: str = "",
    post: bool = True,
    return_authorisation: ReturnAuthorisation | None = None,
    by: Any = None,
) -> Invoice:
    """A credit note for a posted invoice: everything not yet credited, or `lines`
    ({"line": invoice line id, "quantity": …}). Credited order lines count as not invoiced."""
    if invoice.status != InvoiceStatus.POSTED or invoice.is_credit_note:
        raise refuse(
            _("%(invoice)s cannot be credited: only a posted invoice can") % {"invoice": invoice},
            SalesCode.NOT_ALLOWED,
        )
    originals = {ln.pk: ln for ln in invoice.lines.select_related("product", "uom").order_by("line_no")}
    credited: dict[int, Decimal] = defaultdict(Decimal)
    # What each original line has had credited already: a credit note line carries the order line
    # of its original, or (standalone invoices) the same product, description and price.
    for cn_line in InvoiceLine.objects.filter(
        invoice__original=invoice, invoice__status__in=[InvoiceStatus.DRAFT, InvoiceStatus.POSTED]
    ):
        source = _source_line(cn_line, originals)
        if source is not None:
            credited[source] += cn_line.quantity
    wanted: list[tuple[InvoiceLine, Decimal]] = []
    if lines is None:
        for pk, ln in originals.items():
            left = ln.quantity - credited[pk]
            if left > 0:
                wanted.append((ln, left))
    else:
        for i, row in enumerate(lines):
            pk = row.get("line")
            ln = originals.get(int(pk)) if str(pk).isdigit() else None
            if ln is None:
                raise ValidationFailed.on(
                    f"lines[{i}].line", _("not a line of %(number)s") % {"number": invoice.number}
                )
            qty = decimal_input(row.get("quantity", ln.quantity), f"lines[{i}].quantity", places=4)
            if qty <= 0:
                raise ValidationFailed.on(f"lines[{i}].quantity", _("must be more than 0"))
            if qty > ln.quantity - credited[ln.pk]:
                raise refuse(
                    _(
                        "line %(line)s (%(description)s): %(wanted)s to credit, only %(left)s left on %(number)s"
                    )
                    % {
                        "line": ln.line_no,
                        "description": ln.description,
                        "wanted": fmt(qty),
                        "left": fmt(ln.quantity - credited[ln.pk]),
                        "number": invoice.number,
                    },
                    SalesCode.OVER_CREDIT,
                )
            wanted.append((ln, qty))
    if not wanted:
        raise refuse(
            _("%(number)s has been credited in full") % {"number": invoice.number}, SalesCode.OVER_CREDIT
        )
    company = invoice.company
    with atomic(), acting(by):
        note = Invoice(
            company=company,
            kind=InvoiceKind.CREDIT_NOTE,
            customer=invoice.customer,
            invoice_address=invoice.invoice_address,
            currency_id=invoice.currency_id,
            payment_term=None,
            order_id=invoice.order_id,
            original=invoice,
            return_authorisation=return_authorisation,
            sales_rep_id=invoice.sales_rep_id,
            team_id=invoice.team_id,
            customer_reference=invoice.customer_reference,
            tax_country=invoice.tax_country,
            tax_vat_id=invoice.tax_vat_id,
            notes=(reason or f"Credit note for {invoice.number}")[:2000],
            created_by_id=user_id(by),
            invoice_date=timezone.localdate(),
        )
        built = []
        rl_by_order_line = {}
        if return_authorisation is not None:
            rl_by_order_line = {rl.order_line_id: rl for rl in return_authorisation.lines.all()}
        for n, (ln, qty) in enumerate(wanted, start=1):
            rl = rl_by_order_line.get(ln.order_line_id)
            built.append(
                InvoiceLine(
                    company_id=company.pk,
                    invoice=note,
                    line_no=n,
                    product=ln.product,
                    description=ln.description,
                    quantity=qty,
                    uom=ln.uom,
                    unit_price=ln.unit_price,
                    discount_percent=ln.discount_percent,
                    amount=ln.amount
                    if qty == ln.quantity
                    else quantize(qty * ln.unit_price, invoice.currency_id),
                    tax_code=ln.tax_code,
                    tax_rate=ln.tax_rate,
                    tax_kind=ln.tax_kind,
                    revenue_role=ln.revenue_role,
                    order_line_id=ln.order_line_id,
                    return_line=rl,
                )
            )
        kinds = _kinds(built)
        _totals(note, built, kinds)
        note.due_date = note.invoice_date
        if post:
            _post(note, built, kinds, by=by, insert=True)
        else:
            _save(note, built)
    return note


def _source_line(cn_line: InvoiceLine, originals: dict[int, InvoiceLine]) -> int | None:
    if cn_line.order_line_id is not None:
        for pk, ln in originals.items():
            if ln.order_line_id == cn_line.order_line_id:
                return pk
    for pk, ln in originals.items():
        if (
            ln.description == cn_line.description
            and ln.unit_price == cn_line.unit_price
            and ln.product_id == cn_line.product_id
        ):
            return pk
    return None


def on_open_item_settled(event: Event) -> None:
    """`payments.open_item_settled`: the invoice's residual and payment status follow receivables."""
    payload = event.payload
    if payload.get("source_type") != INVOICE_SOURCE or not payload.get("source_id"):
        return
    residual = abs(Decimal(str(payload.get("residual", "0"))))
    invoice = recall(Invoice, payload["source_id"])
    if invoice is None or invoice.company_id != event.company_id:
        invoice = (
            Invoice.objects.filter(pk=payload["source_id"], company_id=event.company_id)
            .only(
                "pk",
                "company_id",
                "number",
                "kind",
                "total",
                "residual",
                "payment_status",
                "customer_id",
                "order_id",
            )
            .first()
        )
    if invoice is None:
        return
    if residual <= 0:
        status = PaymentStatus.PAID
    elif residual < invoice.total:
        status = PaymentStatus.PARTLY_PAID
    else:
        status = PaymentStatus.NOT_PAID
    if (invoice.residual, invoice.payment_status) == (residual, status):
        return
    old = {"residual": invoice.residual, "payment_status": invoice.payment_status}
    update_columns(Invoice, invoice.pk, {"residual": residual, "payment_status": status})
    invoice.residual, invoice.payment_status = residual, status
    audit.record_change(invoice, old, action="payment")
    if status == PaymentStatus.PAID:
        emit(
            INVOICE_PAID,
            {
                "invoice_id": invoice.pk,
                "number": invoice.number,
                "customer_id": invoice.customer_id,
                "order_id": invoice.order_id,
            },
            company=invoice.company_id,
        )
