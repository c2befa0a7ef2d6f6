"""Returns: return authorisation (RMA) → return receipt in inventory → credit note.

Authorising an RMA opens a customer return in inventory for each delivery the goods left with
(valued at the cost they left at, so the valuation posting reverses the cost of goods sold). When
the goods come in, `inventory.return_done` marks the lines received (see `orders`), and
`credit_return` credits what came back on the order's invoices.
"""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from kern.core.db import atomic
from kern.core.exceptions import ValidationFailed
from kern.core.numbering import next_number
from kern.core.workflow import transition
from kern.inventory import services as inventory
from kern.inventory.models import Move, MoveStatus, Operation, OperationKind, OperationStatus
from kern.sales.exceptions import SalesCode
from kern.sales.models import (
    Invoice,
    InvoiceKind,
    InvoiceLine,
    InvoiceStatus,
    OrderStatus,
    ReturnAuthorisation,
    ReturnLine,
    ReturnStatus,
    SalesOrder,
)
from kern.sales.selectors.pricing import decimal_input
from kern.sales.services._common import acting, refuse, user_id
from kern.sales.services._common import qty as fmt
from kern.sales.services.invoicing import credit_invoice
from kern.sales.services.orders import GOODS, LINE_SOURCE, _lines_of

__all__ = ["authorise_return", "cancel_return", "create_return", "credit_return", "receive_return"]

ZERO = Decimal("0")


def create_return(
    order: SalesOrder, *, lines: list[dict[str, Any]], reason: str = "", by: Any = None
) -> ReturnAuthorisation:
    """Authorisation request for goods of `order` to come back: [{"line": order line id, "quantity"}]."""
    if order.status not in (OrderStatus.CONFIRMED, OrderStatus.DONE):
        raise refuse(
            _("order %(number)s has delivered nothing that could come back") % {"number": order.number},
            SalesCode.NOT_ALLOWED,
        )
    by_id = {ln.pk: ln for ln in _lines_of(order)}
    pending: dict[int, Decimal] = defaultdict(Decimal)
    for row in ReturnLine.objects.filter(
        authorisation__order=order, authorisation__status__in=[ReturnStatus.DRAFT, ReturnStatus.AUTHORISED]
    ).values("order_line_id", "quantity", "qty_received"):
        pending[row["order_line_id"]] += row["quantity"] - row["qty_received"]
    if not lines:
        raise ValidationFailed.on("lines", _("name at least one line and quantity to return"))
    rows = []
    for i, raw in enumerate(lines):
        pk = raw.get("line") if isinstance(raw, dict) else None
        line = by_id.get(int(pk)) if str(pk).isdigit() else None
        if line is None:
            raise ValidationFailed.on(
                f"lines[{i}].line", _("not a line of order %(number)s") % {"number": order.number}
            )
        if line.product.type not in GOODS:
            raise ValidationFailed.on(
                f"lines[{i}].line", _("%(sku)s is a service; credit it instead") % {"sku": line.product.sku}
            )
        qty = decimal_input(raw.get("quantity"), f"lines[{i}].quantity", places=4)
        if qty <= 0:
            raise ValidationFailed.on(f"lines[{i}].quantity", _("must be more than 0"))
        returnable = line.qty_delivered - line.qty_returned - pending[line.pk]
        if qty > returnable:
            raise refuse(
                _("%(sku)s: %(wanted)s to return, but only %(returnable)s delivered and not yet returned")
                % {"sku": line.product.sku, "wanted": fmt(qty), "returnable": fmt(returnable)},
                SalesCode.OVER_RETURN,
            )
        pending[line.pk] += qty
        rows.append(
            ReturnLine(company_id=order.company_id, order_line=line, product_id=line.product_id, quantity=qty)
        )
    with atomic(), acting(by):
        rma = ReturnAuthorisation(
            company_id=order.company_id,
            number=next_number(order.company, "sales.return", timezone.localdate()),
            order=order,
            customer_id=order.customer_id,
            reason=(reason or "")[:300],
            created_by_id=user_id(by),
        )
        rma.save()
        for row in rows:
            row.authorisation = rma
        ReturnLine.objects.bulk_create(rows)
        from kern.core import audit

        audit.record_created(rows)
    return rma


def authorise_return(rma: ReturnAuthorisation, *, by: Any = None) -> ReturnAuthorisation:
    """Authorise: a customer return is opened in inventory for each delivery the goods came from."""
    lines = list(rma.lines.select_related("order_line"))
    moves = list(
        Move.objects.filter(
            company_id=rma.company_id,
            source_type=LINE_SOURCE,
            source_id__in=[rl.order_line_id for rl in lines],
            status=MoveStatus.DONE,
            operation__kind=OperationKind.DELIVERY,
        )
        .select_related("operation")
        .order_by("-id")
    )
    from kern.inventory.selectors import returned_quantities

    returned = returned_quantities([m.pk for m in moves])
    per_operation: dict[int, list[tuple[Move, Decimal]]] = defaultdict(list)
    operations: dict[int, Operation] = {}
    for rl in lines:
        left = rl.quantity
        factor = None
        for move in (m for m in moves if m.source_id == rl.order_line_id):
            if left <= 0:
                break
            factor = move.quantity / move.uom_quantity
            free_doc = (move.quantity - returned.get(move.pk, ZERO)) / factor
            take_doc = min(left, free_doc)
            if take_doc <= 0:
                continue
            per_operation[move.operation_id].append((move, (take_doc * factor).quantize(Decimal("0.0001"))))
            operations[move.operation_id] = move.operation
            left -= take_doc
        if left > 0:
            raise refuse(
                _("%(sku)s: %(wanted)s to return, %(traced)s can be traced to deliveries")
                % {"sku": rl.product.sku, "wanted": fmt(rl.quantity), "traced": fmt(rl.quantity - left)},
                SalesCode.OVER_RETURN,
            )
    with atomic(), acting(by):
        receipts = [
            inventory.return_operation(operations[op_id], lines=chosen, by=by).pk
            for op_id, chosen in sorted(per_operation.items())
        ]
        transition(
            rma,
            to=ReturnStatus.AUTHORISED,
            by=by,
            fields={
                "receipt_ids": receipts,
                "authorised_by_id": user_id(by),
                "authorised_at": timezone.now(),
            },
            action="authorise",
        )
    return rma


def receive_return(rma: ReturnAuthorisation, *, by: Any = None) -> ReturnAuthorisation:
    """The goods are back: the open return receipts are validated (stock and value come back)."""
    if rma.status != ReturnStatus.AUTHORISED:
        raise refuse(
            _("return %(number)s is %(status)s")
            % {"number": rma.number, "status": rma.get_status_display().lower()},
            SalesCode.NOT_ALLOWED,
        )
    open_receipts = list(
        Operation.objects.filter(
            pk__in=rma.receipt_ids,
            kind=OperationKind.CUSTOMER_RETURN,
            status__in=[OperationStatus.DRAFT, OperationStatus.WAITING, OperationStatus.READY],
        ).order_by("id")
    )
    with atomic(), acting(by):
        for receipt in open_receipts:
            inventory.validate_operation(receipt, by=by)
        rma.refresh_from_db(fields=["status"])
    return rma


def credit_return(rma: ReturnAuthorisation, *, by: Any = None) -> Invoice | None:
    """Credit what came back on the order's posted invoices (newest first). Returns the credit
    note, or None when nothing of it had been invoiced (the order then invoices less)."""
    if rma.status != ReturnStatus.RECEIVED:
        raise refuse(
            _("return %(number)s is %(status)s; credit it once the goods are in")
            % {"number": rma.number, "status": rma.get_status_display().lower()},
            SalesCode.NOT_ALLOWED,
        )
    to_credit = {
        rl.order_line_id: rl.qty_received - rl.qty_credited
        for rl in rma.lines.all()
        if rl.qty_received > rl.qty_credited
    }
    invoice_lines = list(
        InvoiceLine.objects.filter(
            invoice__order_id=rma.order_id,
            invoice__kind=InvoiceKind.INVOICE,
            invoice__status=InvoiceStatus.POSTED,
            order_line_id__in=list(to_credit),
        )
        .select_related("invoice")
        .order_by("-invoice_id", "line_no")
    )
    plan: dict[int, list[dict[str, Any]]] = defaultdict(list)
    invoices: dict[int, Invoice] = {}
    for il in invoice_lines:
        left = to_credit.get(il.order_line_id, ZERO)
        if left <= 0:
            continue
        take = min(left, il.quantity)
        plan[il.invoice_id].append({"line": il.pk, "quantity": take})
        invoices[il.invoice_id] = il.invoice
        to_credit[il.order_line_id] = left - take
    with atomic(), acting(by):
        note = None
        for invoice_id, lines in sorted(plan.items(), reverse=True):
            note = credit_invoice(
                invoices[invoice_id],
                lines=lines,
                reason=f"Return {rma.number}: {rma.reason}".strip(": "),
                return_authorisation=rma,
                by=by,
            )
        if note is None:
            transition(rma, to=ReturnStatus.CREDITED, by=by, action="close")
    return note


def cancel_return(rma: ReturnAuthorisation, *, by: Any = None) -> ReturnAuthorisation:
    with atomic(), acting(by):
        for receipt in Operation.objects.filter(
            pk__in=rma.receipt_ids,
            status__in=[OperationStatus.DRAFT, OperationStatus.WAITING, OperationStatus.READY],
        ):
            inventory.cancel_operation(receipt, by=by)
        transition(rma, to=ReturnStatus.CANCELLED, by=by, action="cancel")
    return rma
