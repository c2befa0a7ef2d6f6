"""Sales orders: create, confirm (credit check, stock reservation), release, cancel, ship.

Confirmation re-checks the customer's credit (limit against open receivables plus open orders
plus this order); an order over the limit is held as `blocked` with the figures in its reason,
until a user with `sales.release_credit_block` releases it (audited) — only then is stock
reserved. Goods go out through inventory deliveries whose moves point back at the order lines
(`sales.orderline`); the `inventory.delivery_done` / `inventory.return_done` events update the
lines' delivered and returned quantities, whoever shipped (this service, the warehouse screens,
the API).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from kern.catalog.models import ProductType
from kern.core.db import atomic
from kern.core.events import Event
from kern.core.exceptions import NotFound, PermissionDenied, ValidationFailed
from kern.core.numbering import claim_numbers
from kern.core.rows import RowsUpdate, update_columns
from kern.core.workflow import transition
from kern.inventory import services as inventory
from kern.inventory.models import OPEN_OPERATION_STATUSES, Move, MoveStatus, Operation, OperationKind
from kern.inventory.services import MoveSpec
from kern.sales.events import (
    ORDER_CANCELLED,
    ORDER_CONFIRMED,
    ORDER_CREDIT_BLOCKED,
    ORDER_RELEASED,
    OrderEvent,
)
from kern.sales.exceptions import SalesCode
from kern.sales.models import (
    DeliveryStatus,
    InvoicingPolicy,
    OrderInvoiceStatus,
    OrderStatus,
    Quote,
    ReturnAuthorisation,
    ReturnLine,
    ReturnStatus,
    SalesOrder,
    SalesOrderLine,
)
from kern.sales.selectors.documents import credit_position
from kern.sales.selectors.policy import policy_of
from kern.sales.selectors.pricing import customer_situation, price_lines
from kern.sales.services._common import (
    acting,
    add_to_columns,
    as_date,
    at_most,
    audit_change,
    column_additions,
    contact_of,
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
from kern.sales.services._documents import apply_totals, save_with_lines, write_lines
from kern.sales.services._identity import recall, remember

__all__ = [
    "cancel_order",
    "confirm_order",
    "create_order",
    "on_stock_operation_done",
    "order_from_quote",
    "release_order",
    "ship_order",
    "update_order",
]

S = OrderStatus
ZERO = Decimal("0")
ORDER_FIELDS = {
    "order_date",
    "expected_date",
    "currency",
    "payment_term",
    "invoicing_policy",
    "sales_rep",
    "team",
    "contact",
    "customer_reference",
    "notes",
    "source_type",
    "source_id",
    "warehouse",
    "invoice_address",
    "delivery_address",
}
LINE_SOURCE = "sales.orderline"
ORDER_SOURCE = "sales.order"
GOODS = (ProductType.STOCKED, ProductType.CONSUMABLE)


def _event(order: SalesOrder) -> OrderEvent:
    return OrderEvent(
        company_id=order.company_id,
        order_id=order.pk,
        number=order.number,
        customer_id=order.customer_id,
        total=str(order.total),
        status=order.status,
        sales_rep_id=order.sales_rep_id,
        team_id=order.team_id,
        source_type=order.source_type,
        source_id=order.source_id,
    )


def _apply_fields(order: SalesOrder, company: Any, fields: dict[str, Any]) -> dict[str, Any]:
    """Set header fields; returns the address choices for `customer_situation`."""
    if "order_date" in fields:
        order.order_date = as_date(fields["order_date"], "order_date") or timezone.localdate()
    if "expected_date" in fields:
        order.expected_date = as_date(fields["expected_date"], "expected_date")
    if "currency" in fields:
        order.currency_id = currency_of(fields["currency"], company.base_currency_id)
    if "payment_term" in fields:
        order.payment_term = payment_term_of(company, fields["payment_term"])
    if "invoicing_policy" in fields:
        if fields["invoicing_policy"] not in InvoicingPolicy.values:
            raise ValidationFailed.on("invoicing_policy", _("order or delivery"))
        order.invoicing_policy = fields["invoicing_policy"]
    if "sales_rep" in fields:
        order.sales_rep = user_of(company, fields["sales_rep"])
    if "team" in fields:
        order.team = team_of(company, fields["team"])
    if "contact" in fields:
        order.contact = contact_of(company, order.customer, fields["contact"])
    for name in ("customer_reference", "notes", "source_type"):
        if name in fields:
            setattr(order, name, (fields[name] or "").strip())
    if "source_id" in fields:
        order.source_id = fields["source_id"]
    if "warehouse" in fields:
        order.warehouse_id = _warehouse_id(company, fields["warehouse"])
    if order.expected_date and order.expected_date < order.order_date:
        raise ValidationFailed.on("expected_date", _("must not be before the order date"))
    if len(order.customer_reference) > 80:
        raise ValidationFailed.on("customer_reference", at_most(80))
    if len(order.source_type) > 60:
        raise ValidationFailed.on("source_type", at_most(60))
    return {k: fields[k] for k in ("invoice_address", "delivery_address") if k in fields}


def _warehouse_id(company: Any, value: Any) -> int | None:
    from kern.inventory.models import Warehouse

    if value in (None, ""):
        return None
    pk = getattr(value, "pk", value)
    if (
        not str(pk).isdigit()
        or not Warehouse.objects.filter(company_id=company.pk, pk=int(pk), is_active=True).exists()
    ):
        raise ValidationFailed.on("warehouse", _("unknown warehouse"))
    return int(pk)


def _price(order: SalesOrder, lines: list[Any], addresses: dict[str, Any], products: dict | None = None):
    company = order.company
    situation = customer_situation(company, order.customer, **addresses)
    order.tax_country, order.tax_vat_id = situation.country, situation.vat_id
    order.invoice_address = situation.invoice_address
    order.delivery_address = situation.delivery_address
    priced = price_lines(
        company,
        order.customer,
        lines,
        currency=order.currency_id,
        on=order.order_date,
        situation=situation,
        products=products,
    )
    apply_totals(order, priced)
    return priced


def create_order(
    company: Any,
    *,
    customer: Any,
    lines: list[Any],
    by: Any = None,
    quote: Quote | None = None,
    products: dict | None = None,
    **fields: Any,
) -> SalesOrder:
    """A draft sales order for `customer`, priced like a quote (see `_lines`).

    `products` (id → Product) may pass products the caller has already read.
    """
    only(fields, ORDER_FIELDS)
    customer = customer_of(company, customer)
    with atomic(), acting(by):
        order = SalesOrder(
            company=company,
            customer=customer,
            currency_id=customer.currency_id or company.base_currency_id,
            **related(customer, "payment_term"),
            invoicing_policy=policy_of(company).invoicing_policy,
            created_by_id=user_id(by),
            order_date=timezone.localdate(),
            quote=quote,
        )
        addresses = _apply_fields(order, company, fields)
        if "sales_rep" not in fields and by is not None and getattr(by, "pk", None):
            order.sales_rep = by
        if "team" not in fields and order.sales_rep is not None:
            order.team = default_team(company, order.sales_rep)
        priced = _price(order, list(lines), addresses, products)
        number = claim_numbers(company, "sales.order", order.order_date)
        order._lines = save_with_lines(SalesOrderLine, order, priced, number=number)
        remember(order)
    return order


def order_from_quote(quote: Quote, *, by: Any = None) -> SalesOrder:
    """The draft order of an accepted quote: its lines, prices and discounts as quoted."""
    lines = [
        {
            "product": ln.product_id,
            "quantity": ln.quantity,
            "uom": ln.uom.code,
            "unit_price": ln.list_price,
            "discount_percent": ln.discount_percent,
            "description": ln.description,
            "options": [c["option_id"] for c in ln.options],
        }
        for ln in quote.lines.select_related("uom").order_by("line_no")
    ]
    company = quote.company
    order = SalesOrder(
        company=company,
        customer=quote.customer,
        currency_id=quote.currency_id,
        payment_term_id=quote.payment_term_id,
        invoicing_policy=quote.invoicing_policy,
        sales_rep_id=quote.sales_rep_id,
        team_id=quote.team_id,
        contact_id=quote.contact_id,
        customer_reference=quote.customer_reference,
        notes=quote.notes,
        source_type=quote.source_type,
        source_id=quote.source_id,
        quote=quote,
        created_by_id=user_id(by),
        order_date=timezone.localdate(),
    )
    with atomic(), acting(by):
        priced = _price(order, lines, {})
        number = claim_numbers(company, "sales.order", order.order_date)
        order._lines = save_with_lines(SalesOrderLine, order, priced, number=number)
        remember(order)
    return order


def update_order(
    order: SalesOrder, *, lines: list[Any] | None = None, by: Any = None, **fields: Any
) -> SalesOrder:
    """Change a draft (or credit-blocked) order; a blocked order goes back to draft."""
    only(fields, ORDER_FIELDS)
    if order.status not in (S.DRAFT, S.BLOCKED):
        raise refuse(
            _("order %(number)s is %(status)s; it can no longer be changed")
            % {"number": order.number, "status": order.get_status_display().lower()},
            SalesCode.NOT_EDITABLE,
        )
    with atomic(), acting(by):
        if order.status == S.BLOCKED:
            transition(order, to=S.DRAFT, by=by, fields={"credit_block_reason": ""})
        addresses = _apply_fields(order, order.company, fields)
        if lines is None:
            lines = [
                {
                    "product": ln.product_id,
                    "quantity": ln.quantity,
                    "uom": ln.uom.code,
                    "unit_price": ln.list_price,
                    "discount_percent": ln.discount_percent,
                    "description": ln.description if not ln.options else "",
                    "options": [c["option_id"] for c in ln.options],
                }
                for ln in order.lines.select_related("uom").order_by("line_no")
            ]
        priced = _price(order, list(lines), addresses)
        order.save()
        order._lines = write_lines(SalesOrderLine, order, priced, replace=True)
        remember(order)
    return order


def _lines_of(order: SalesOrder) -> list[SalesOrderLine]:
    cached = getattr(order, "_lines", None)
    if cached is not None:
        return cached
    lines = list(order.lines.select_related("product", "uom").order_by("line_no"))
    order._lines = lines
    remember(order)
    return lines


def _credit_block(order: SalesOrder) -> str:
    """Why the order must wait for credit (empty: it may go)."""
    customer = order.customer
    if not customer.credit_limit:
        return ""
    position = credit_position(customer, exclude_order=order)
    exposure = position.used + order.total
    if exposure <= position.limit:
        return ""
    cur = order.company.base_currency_id
    return (
        f"credit limit {position.limit} {cur} exceeded: open receivables {position.receivables} + "
        f"open orders {position.open_orders} + this order {order.total} = {exposure} {cur}"
    )


def confirm_order(order: SalesOrder, *, by: Any = None) -> SalesOrder:
    """Confirm: the credit check decides between confirmed (stock reserved) and blocked."""
    if order.status != S.DRAFT:
        raise refuse(
            _("order %(number)s is %(status)s; only a draft order is confirmed")
            % {"number": order.number, "status": order.get_status_display().lower()},
            SalesCode.NOT_ALLOWED,
        )
    with atomic(), acting(by):
        reason = _credit_block(order)
        if reason:
            transition(
                order,
                to=S.BLOCKED,
                by=by,
                fields={"credit_block_reason": reason[:300]},
                action="credit_block",
                event=ORDER_CREDIT_BLOCKED,
                payload=_event(order),
            )
            return order
        _go(order, by=by)
    return order


def release_order(order: SalesOrder, *, by: Any) -> SalesOrder:
    """Release an order held by the credit check: it is confirmed and its stock reserved."""
    if by is None or not by.has_perm("sales.release_credit_block"):
        raise PermissionDenied(
            _("releasing order %(number)s needs the permission to release credit blocks")
            % {"number": order.number}
        )
    if order.status != S.BLOCKED:
        raise refuse(_("order %(number)s is not blocked") % {"number": order.number}, SalesCode.NOT_ALLOWED)
    with atomic(), acting(by):
        _go(order, by=by, released=True)
    return order


def _go(order: SalesOrder, *, by: Any, released: bool = False) -> None:
    """Confirm for real: reserve the goods in one delivery, mark services as done."""
    lines = _lines_of(order)
    goods = [ln for ln in lines if ln.product.type in GOODS]
    services = [ln for ln in lines if ln.product.type not in GOODS]
    now = timezone.now()
    fields: dict[str, Any] = {"confirmed_at": now}
    if released:
        fields.update(released_by=by, released_at=now)
    if goods:
        delivery = inventory.create_delivery(
            order.company,
            lines=[
                MoveSpec(
                    product=ln.product,
                    quantity=ln.quantity,
                    uom=ln.uom,
                    source_type=LINE_SOURCE,
                    source_id=ln.pk,
                )
                for ln in goods
            ],
            partner=order.customer,
            warehouse=_warehouse(order),
            source_type=ORDER_SOURCE,
            source_id=order.pk,
            origin=order.number,
            scheduled_date=order.expected_date,
            allow_partial=True,
            by=by,
        )
        if order.warehouse_id != delivery.warehouse_id:
            fields["warehouse_id"] = delivery.warehouse_id
        order._delivery = delivery
    else:
        fields["delivery_status"] = DeliveryStatus.FULLY
    rendered = None
    if services:
        # Services are rendered, not shipped: they count as delivered once the order is confirmed.
        rendered = column_additions(
            "sales_salesorderline", [(ln.pk, (ln.quantity,)) for ln in services], ["qty_delivered"]
        )
        for ln in services:
            ln.qty_delivered = ln.quantity
    transition(
        order,
        to=S.CONFIRMED,
        by=by,
        fields=fields,
        action="release" if released else "confirm",
        event=ORDER_RELEASED if released else ORDER_CONFIRMED,
        payload=_event_confirmed(order),
        riding=[rendered],
    )


def _event_confirmed(order: SalesOrder) -> OrderEvent:
    event = _event(order)
    return OrderEvent(**{**event.__dict__, "status": S.CONFIRMED})


def _warehouse(order: SalesOrder):
    if order.warehouse_id is None:
        return None
    from kern.inventory.models import Warehouse

    return Warehouse.objects.select_related(
        "stock_location", "customer_location", "supplier_location", "adjustment_location"
    ).get(pk=order.warehouse_id)


def _open_deliveries(order: SalesOrder) -> list[Operation]:
    cached = getattr(order, "_delivery", None)
    if cached is not None and cached.status in OPEN_OPERATION_STATUSES:
        return [cached]
    return list(
        Operation.objects.filter(
            company_id=order.company_id,
            source_type=ORDER_SOURCE,
            source_id=order.pk,
            kind=OperationKind.DELIVERY,
            status__in=OPEN_OPERATION_STATUSES,
        ).order_by("id")
    )


def cancel_order(order: SalesOrder, *, reason: str = "", by: Any = None) -> SalesOrder:
    """Cancel an order that has delivered and invoiced nothing; its deliveries are cancelled
    and the reserved stock given back."""
    if order.status == S.CONFIRMED:
        lines = _lines_of(order)
        if any(ln.qty_invoiced for ln in lines) or order.invoiced_total:
            raise refuse(
                _("order %(number)s has been invoiced; credit the invoice instead of cancelling")
                % {"number": order.number},
                SalesCode.NOT_ALLOWED,
            )
        if any(ln.qty_delivered for ln in lines if ln.product.type in GOODS):
            raise refuse(
                _("order %(number)s has been (partly) delivered; return the goods instead of cancelling")
                % {"number": order.number},
                SalesCode.NOT_ALLOWED,
            )
    with atomic(), acting(by):
        for delivery in _open_deliveries(order) if order.status == S.CONFIRMED else ():
            inventory.cancel_operation(delivery, by=by)
        transition(
            order,
            to=S.CANCELLED,
            by=by,
            fields={"cancel_reason": (reason or "")[:300]},
            action="cancel",
            event=ORDER_CANCELLED,
            payload=_event(order),
        )
    return order


def _refuse_unless_confirmed(order: SalesOrder, doing: str) -> None:
    """Refuse to ship (`doing` "shipped") or invoice ("invoiced") an order that is not confirmed."""
    if order.status == S.CONFIRMED:
        return
    number = order.number
    shipping = doing == "shipped"
    if order.status == S.BLOCKED:
        message = (
            _("order %(number)s is blocked by the credit check and cannot be shipped: %(reason)s")
            if shipping
            else _("order %(number)s is blocked by the credit check and cannot be invoiced: %(reason)s")
        )
        raise refuse(
            message % {"number": number, "reason": order.credit_block_reason},
            SalesCode.ORDER_BLOCKED,
            reason=order.credit_block_reason,
        )
    if order.status == S.CANCELLED:
        if order.cancel_reason:
            message = (
                _("order %(number)s is cancelled: %(reason)s; it cannot be shipped")
                if shipping
                else _("order %(number)s is cancelled: %(reason)s; it cannot be invoiced")
            )
        else:
            message = (
                _("order %(number)s is cancelled; it cannot be shipped")
                if shipping
                else _("order %(number)s is cancelled; it cannot be invoiced")
            )
        raise refuse(message % {"number": number, "reason": order.cancel_reason}, SalesCode.ORDER_CANCELLED)
    if order.status == S.DONE:
        message = (
            _("order %(number)s is done; nothing is left to be shipped")
            if shipping
            else _("order %(number)s is done; nothing is left to be invoiced")
        )
        raise refuse(message % {"number": number}, SalesCode.NOT_ALLOWED)
    raise refuse(
        _("order %(number)s is not confirmed yet; confirm it first") % {"number": number},
        SalesCode.ORDER_NOT_CONFIRMED,
    )


def ship_order(
    order: SalesOrder,
    *,
    quantities: dict[int, Decimal] | None = None,
    on: Any = None,
    tracking_reference: str = "",
    by: Any = None,
) -> list[Operation]:
    """Ship the order's open deliveries: everything reserved, or `quantities` (order line id →
    quantity in the line's unit); the rest stays on a backorder. Returns the shipped deliveries."""
    _refuse_unless_confirmed(order, "shipped")
    on = as_date(on, "on")
    deliveries = _open_deliveries(order)
    if not deliveries:
        raise refuse(
            _("order %(number)s has nothing left to ship") % {"number": order.number},
            SalesCode.NOTHING_TO_SHIP,
        )
    shipped: list[Operation] = []
    with atomic(), acting(by):
        remember(order)
        if quantities is None:
            for delivery in deliveries:
                shipped.append(
                    inventory.ship_delivery(delivery, on=on, tracking_reference=tracking_reference, by=by)
                )
        else:
            for delivery, per_move in _split_quantities(order, deliveries, quantities).items():
                shipped.append(
                    inventory.ship_delivery(
                        delivery, quantities=per_move, on=on, tracking_reference=tracking_reference, by=by
                    )
                )
    return shipped


def _split_quantities(
    order: SalesOrder, deliveries: list[Operation], quantities: dict[int, Decimal]
) -> dict[Operation, dict[int, Decimal]]:
    """Turn line quantities (line unit) into move quantities (product unit), first move first."""
    lines = {ln.pk: ln for ln in _lines_of(order)}
    wanted: dict[int, Decimal] = {}
    for key, value in quantities.items():
        pk = int(key) if str(key).isdigit() else None
        if pk not in lines:
            raise ValidationFailed.on(
                "quantities",
                _("%(line)s is not a line of order %(number)s") % {"line": key, "number": order.number},
            )
        try:
            qty = Decimal(str(value))
        except ArithmeticError:
            raise ValidationFailed.on(
                "quantities", _("line %(line)s: not a number") % {"line": key}
            ) from None
        if qty < 0 or not qty.is_finite():
            raise ValidationFailed.on("quantities", _("line %(line)s: cannot be negative") % {"line": key})
        if qty:
            wanted[pk] = qty
    if not wanted:
        raise ValidationFailed.on("quantities", _("give a quantity to ship for at least one line"))
    by_id = {d.pk: d for d in deliveries}
    moves = list(
        Move.objects.filter(
            operation_id__in=list(by_id),
            source_type=LINE_SOURCE,
            source_id__in=list(wanted),
            status__in=[MoveStatus.RESERVED, MoveStatus.WAITING, MoveStatus.DRAFT],
        ).order_by("id")
    )
    plan: dict[Operation, dict[int, Decimal]] = {}
    for pk, qty in wanted.items():
        line = lines[pk]
        # uom_quantity / quantity is the line unit per product unit.
        left = qty
        for move in (m for m in moves if m.source_id == pk):
            if left <= 0:
                break
            take_doc = min(left, move.uom_quantity)
            take = (move.quantity * take_doc / move.uom_quantity).quantize(Decimal("0.0001"))
            plan.setdefault(by_id[move.operation_id], {})[move.pk] = take
            left -= take_doc
        if left > 0:
            raise refuse(
                _("%(sku)s: %(wanted)s to ship, only %(open)s left open on the deliveries")
                % {"sku": line.product.sku, "wanted": fmt(qty), "open": fmt(qty - left)},
                SalesCode.NOTHING_TO_SHIP,
            )
    return plan


def _delivery_status(lines: list[SalesOrderLine]) -> str:
    goods = [ln for ln in lines if ln.product.type in GOODS]
    if not goods or all(ln.qty_delivered >= ln.quantity for ln in goods):
        return DeliveryStatus.FULLY
    if any(ln.qty_delivered > 0 for ln in goods):
        return DeliveryStatus.PARTLY
    return DeliveryStatus.NOTHING


def settle_order_status(
    order: SalesOrder,
    lines: list[SalesOrderLine],
    *,
    by: Any = None,
    riding: RowsUpdate | None = None,
    **extra: Any,
) -> None:
    """Bring delivery and invoice status (and done-ness) in line with the lines, in one UPDATE.

    `riding`: the lines' own update (quantities delivered, invoiced), sent with the order's.
    """
    changes: dict[str, Any] = dict(extra)
    delivery = _delivery_status(lines)
    if delivery != order.delivery_status:
        changes["delivery_status"] = delivery
    invoiced = invoice_status_of(order, lines)
    if invoiced != order.invoice_status:
        changes["invoice_status"] = invoiced
    done = (
        order.status == S.CONFIRMED
        and delivery == DeliveryStatus.FULLY
        and invoiced == OrderInvoiceStatus.FULLY
    )
    reopened = order.status == S.DONE and not (
        delivery == DeliveryStatus.FULLY and invoiced == OrderInvoiceStatus.FULLY
    )
    if done or reopened:
        transition(
            order,
            to=S.CONFIRMED if reopened else S.DONE,
            by=by,
            fields=changes,
            action="progress",
            riding=[riding],
        )
    elif changes:
        old = {
            SalesOrder._meta.get_field(k).attname: getattr(order, SalesOrder._meta.get_field(k).attname)
            for k in changes
        }
        update_columns(SalesOrder, order.pk, changes, riding=[riding])
        for name, value in changes.items():
            setattr(order, name, value)
        audit_change(order, old, action="progress")
    elif riding is not None:
        riding.run()


def invoiceable_quantity(order: SalesOrder, line: SalesOrderLine) -> Decimal:
    basis = line.quantity if order.invoicing_policy == InvoicingPolicy.ORDER else line.qty_delivered
    return basis - line.qty_returned - line.qty_invoiced


def invoice_status_of(order: SalesOrder, lines: list[SalesOrderLine]) -> str:
    if not any(ln.qty_invoiced for ln in lines):
        return OrderInvoiceStatus.NOTHING
    if all(ln.qty_invoiced >= ln.quantity - ln.qty_returned for ln in lines):
        return OrderInvoiceStatus.FULLY
    return OrderInvoiceStatus.PARTLY


def on_stock_operation_done(event: Event) -> None:
    """`inventory.delivery_done` / `inventory.return_done`: the lines' delivered or returned
    quantities follow the moves that point at them (whoever shipped)."""
    payload = event.payload
    if payload.get("source_type") != ORDER_SOURCE or payload.get("kind") not in (
        OperationKind.DELIVERY,
        OperationKind.CUSTOMER_RETURN,
    ):
        return
    per_line: dict[int, Decimal] = {}
    for move in payload.get("moves", ()):
        if move.get("source_type") == LINE_SOURCE and move.get("source_id"):
            per_line[move["source_id"]] = per_line.get(move["source_id"], ZERO) + Decimal(
                move["uom_quantity"]
            )
    if not per_line:
        return
    order = recall(SalesOrder, payload["source_id"])
    if order is None or order.company_id != event.company_id:
        order = SalesOrder.objects.select_related("company").filter(pk=payload["source_id"]).first()
        if order is None:
            raise NotFound(
                _("sales order %(id)s of %(number)s does not exist")
                % {"id": payload["source_id"], "number": payload["number"]}
            )
    lines = _lines_of(order)
    returning = payload["kind"] == OperationKind.CUSTOMER_RETURN
    column = "qty_returned" if returning else "qty_delivered"
    quantities = column_additions(
        "sales_salesorderline", [(pk, (qty,)) for pk, qty in per_line.items()], [column]
    )
    for ln in lines:
        if ln.pk in per_line:
            setattr(ln, column, getattr(ln, column) + per_line[ln.pk])
    if returning and quantities is not None:
        quantities.run()  # before the return lines are read and the authorisations move on
        quantities = None
    if returning:
        _returns_received(order, payload, per_line)
    settle_order_status(order, lines, riding=quantities)


def _returns_received(order: SalesOrder, payload: dict[str, Any], per_line: dict[int, Decimal]) -> None:
    """A customer return came in: the authorisations' lines are received (oldest first)."""
    rmas = list(
        ReturnAuthorisation.objects.filter(order=order, status=ReturnStatus.AUTHORISED).order_by("id")
    )
    if not rmas:
        return
    rma_lines = list(ReturnLine.objects.filter(authorisation__in=rmas).order_by("authorisation_id", "id"))
    left = dict(per_line)
    updates: list[tuple[int, tuple[Decimal]]] = []
    for rl in rma_lines:
        take = min(left.get(rl.order_line_id, ZERO), rl.quantity - rl.qty_received)
        if take > 0:
            updates.append((rl.pk, (take,)))
            rl.qty_received += take
            left[rl.order_line_id] -= take
    add_to_columns("sales_returnline", updates, ["qty_received"])
    for rma in rmas:
        mine = [rl for rl in rma_lines if rl.authorisation_id == rma.pk]
        if (mine and all(rl.qty_received >= rl.quantity for rl in mine)) or (
            mine and any(rl.qty_received for rl in mine) and payload.get("backorder_id") is None
        ):
            transition(rma, to=ReturnStatus.RECEIVED, action="receive")
