"""Purchasing pages on the generic machinery of kern.core.ui (lists, details, forms, workflow
buttons), plus the working pages in `pages`: the RFQ comparison, a vendor's quote, sending an
order, importing an e-invoice, releasing a blocked bill."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Q
from django.http import HttpRequest
from django.urls import reverse
from django.utils import formats
from django.utils.translation import gettext_lazy as _

from kern.core import ui
from kern.purchasing import selectors, services
from kern.purchasing.models import (
    ApprovalLimit,
    BillLine,
    BillSource,
    OrderLine,
    OrderStatus,
    PurchaseOrder,
    Requisition,
    RequisitionLine,
    RequisitionStatus,
    Rfq,
    RfqLine,
    RfqStatus,
    RfqVendor,
    VendorBill,
    VendorPrice,
)
from kern.purchasing.views import forms as f


def _amount(name: str, label: Any) -> ui.Column:
    return ui.Column(name, label=label, numeric=True)


# --- vendor prices, policy -------------------------------------------------------------------------


class VendorPricePages(ui.Resource):
    model = VendorPrice
    prefix = "vendor-prices/"
    list_columns = [
        "vendor",
        "product",
        "vendor_sku",
        "min_quantity",
        "unit_price",
        "currency",
        "lead_time_days",
        "valid_from",
        "valid_to",
        "is_active",
    ]
    search_fields = ["vendor__name", "product__sku", "product__name", "vendor_sku"]
    filters = ["vendor", "product", "currency", "is_active"]
    ordering = ["product__sku", "vendor__name", "min_quantity"]
    form_class = f.VendorPriceForm
    create_service = staticmethod(services.set_vendor_price)
    update_service = staticmethod(services.update_vendor_price)
    delete_service = staticmethod(services.remove_vendor_price)
    attachments = False

    def service_data(self, request: HttpRequest, form: Any, obj: Any = None) -> dict[str, Any]:
        data = dict(form.cleaned_data)
        if obj is not None:
            data.pop("vendor", None)
            data.pop("product", None)
        return data


class ApprovalLimitPages(ui.Resource):
    model = ApprovalLimit
    prefix = "approval-limits/"
    list_columns = [
        "role",
        ui.Column(
            "max_amount",
            label=_("up to amount"),
            value=lambda a: a.max_amount if a.max_amount is not None else "∞",
        ),
    ]
    form_class = f.ApprovalLimitForm
    create_service = staticmethod(
        lambda company, *, by=None, **data: services.set_approval_limit(company, by=by, **data)
    )
    update_service = staticmethod(
        lambda obj, *, by=None, **data: services.set_approval_limit(obj.company, by=by, **data)
    )
    delete_service = staticmethod(services.remove_approval_limit)
    comments = False
    attachments = False


# --- requisitions ------------------------------------------------------------------------------------


class RequisitionPages(ui.Resource):
    model = Requisition
    prefix = "requisitions/"
    list_columns = ["number", "status", "origin", "required_date", "warehouse", "requested_by", "created_at"]
    search_fields = ["number", "reason"]
    filters = ["status", "origin", "required_date"]
    detail_fields = [
        (_("Requisition"), ["number", "status", "origin", "required_date", "warehouse", "reason"]),
        (_("Approval"), ["requested_by", "approved_by", "approved_at", "rejection_reason"]),
    ]
    detail_template = "purchasing/requisition_detail.html"
    form_class = f.RequisitionForm
    create_service = staticmethod(services.create_requisition)
    update_service = staticmethod(services.update_requisition)
    actions = [
        *ui.workflow_actions(
            Requisition,
            {
                RequisitionStatus.SUBMITTED: services.submit_requisition,
                RequisitionStatus.APPROVED: services.approve_requisition,
                RequisitionStatus.REJECTED: services.reject_requisition,
                RequisitionStatus.DRAFT: services.reopen_requisition,
                RequisitionStatus.CANCELLED: services.cancel_requisition,
            },
            labels={
                RequisitionStatus.SUBMITTED: _("Submit"),
                RequisitionStatus.APPROVED: _("Approve"),
                RequisitionStatus.REJECTED: _("Reject"),
                RequisitionStatus.DRAFT: _("Reopen"),
                RequisitionStatus.CANCELLED: _("Cancel"),
            },
            styles={
                RequisitionStatus.REJECTED: "outline-danger",
                RequisitionStatus.DRAFT: "outline-secondary",
            },
        ),
        ui.Action(
            "order",
            _("Create purchase orders"),
            lambda req, by: services.order_requisition(req, by=by),
            permission="purchasing.add_purchaseorder",
            condition=lambda req: req.status == RequisitionStatus.APPROVED,
            success=_("Draft purchase orders were created, one per vendor."),
        ),
    ]
    tabs = [
        ui.Tab(
            "lines",
            _("Lines"),
            rows=lambda req, request: req.lines.select_related("product", "uom", "vendor"),
            columns=[
                "product",
                "description",
                "quantity",
                "uom",
                "required_date",
                "vendor",
                "estimated_price",
                "status",
            ],
            add_url=lambda req: reverse("purchasing:requisitionline_create", kwargs={"parent_pk": req.pk}),
            add_label=_("Add line"),
            edit_url=lambda req, row: reverse(
                "purchasing:requisitionline_edit", kwargs={"parent_pk": req.pk, "pk": row.pk}
            ),
            delete_url=lambda req, row: reverse(
                "purchasing:requisitionline_delete", kwargs={"parent_pk": req.pk, "pk": row.pk}
            ),
            row_url=lambda row: "",
        ),
        ui.Tab(
            "rfqs",
            _("Requests for quotation"),
            rows="rfqs",
            columns=["number", "status", "deadline"],
        ),
    ]


class RequisitionLinePages(ui.Resource):
    model = RequisitionLine
    prefix = "requisitions/"
    parent = RequisitionPages
    parent_field = "requisition"
    parent_tab = "lines"
    child_path = "lines"
    form_class = f.RequisitionLineForm
    create_service = staticmethod(services.add_requisition_line)
    update_service = staticmethod(services.update_requisition_line)
    delete_service = staticmethod(services.remove_requisition_line)


# --- RFQs ----------------------------------------------------------------------------------------------


class RfqPages(ui.Resource):
    model = Rfq
    name = "rfq"
    prefix = "rfqs/"
    list_columns = ["number", "status", "deadline", "required_date", "currency", "requisition", "created_at"]
    search_fields = ["number", "notes", "vendors__vendor__name"]
    filters = ["status", "deadline"]
    detail_fields = [
        (
            _("Request for quotation"),
            ["number", "status", "deadline", "required_date", "currency", "warehouse"],
        ),
        (_("Origin"), ["requisition", "created_by", "sent_at", "notes"]),
    ]
    detail_template = "purchasing/rfq_detail.html"
    form_class = f.RfqForm
    create_service = staticmethod(services.create_rfq)
    actions = [
        *ui.workflow_actions(
            Rfq,
            {RfqStatus.SENT: services.send_rfq, RfqStatus.CANCELLED: services.cancel_rfq},
            labels={RfqStatus.SENT: _("Send to the vendors"), RfqStatus.CANCELLED: _("Cancel")},
        ),
        ui.Action(
            "award_best",
            _("Order the best answers"),
            lambda rfq, by: services.award_rfq(rfq, by=by),
            permission="purchasing.add_purchaseorder",
            condition=lambda rfq: rfq.status == RfqStatus.SENT,
            confirm=_("Create purchase orders for the best answer to each line?"),
            success=_("Draft purchase orders were created from the best answers."),
        ),
    ]
    tabs = [
        ui.Tab(
            "lines",
            _("Lines"),
            rows=lambda rfq, request: rfq.lines.select_related("product", "uom"),
            columns=["position", "product", "description", "quantity", "uom", "required_date"],
            add_url=lambda rfq: reverse("purchasing:rfqline_create", kwargs={"parent_pk": rfq.pk}),
            add_label=_("Add line"),
            delete_url=lambda rfq, row: reverse(
                "purchasing:rfqline_delete", kwargs={"parent_pk": rfq.pk, "pk": row.pk}
            ),
            row_url=lambda row: "",
        ),
        ui.Tab(
            "vendors",
            _("Vendors"),
            rows=lambda rfq, request: rfq.vendors.select_related("vendor", "order"),
            columns=["vendor", "status", "email", "vendor_reference", "valid_until", "answered_at", "order"],
            add_url=lambda rfq: reverse("purchasing:rfqvendor_create", kwargs={"parent_pk": rfq.pk}),
            add_label=_("Invite a vendor"),
            edit_url=lambda rfq, row: reverse(
                "purchasing:rfq_quote", kwargs={"pk": rfq.pk, "invitation": row.pk}
            ),
            delete_url=lambda rfq, row: reverse(
                "purchasing:rfqvendor_delete", kwargs={"parent_pk": rfq.pk, "pk": row.pk}
            ),
            row_url=lambda row: ui.document_url(row.vendor),
        ),
        ui.Tab(
            "orders",
            _("Purchase orders"),
            rows="orders",
            columns=["number", "vendor", "status", "total_amount"],
        ),
    ]


class _RfqChild(ui.Resource):
    prefix = "rfqs/"
    parent = RfqPages
    parent_field = "rfq"
    comments = False
    attachments = False


class RfqLinePages(_RfqChild):
    model = RfqLine
    child_path = "lines"
    parent_tab = "lines"
    form_class = f.RfqLineForm
    create_service = staticmethod(services.add_rfq_line)
    delete_service = staticmethod(services.remove_rfq_line)


class RfqVendorPages(_RfqChild):
    model = RfqVendor
    child_path = "vendors"
    parent_tab = "vendors"
    form_class = f.RfqVendorForm
    create_service = staticmethod(services.invite_vendor)
    delete_service = staticmethod(services.remove_rfq_vendor)


# --- purchase orders -----------------------------------------------------------------------------------


class OrderPages(ui.Resource):
    model = PurchaseOrder
    name = "order"
    prefix = "orders/"
    list_columns = [
        "number",
        "vendor",
        "status",
        "order_date",
        "expected_date",
        "currency",
        _amount("untaxed_amount", _("untaxed")),
        _amount("total_amount", _("total")),
        "vendor_reference",
        "buyer",
    ]
    default_columns = ["number", "vendor", "status", "order_date", "expected_date", "total_amount"]
    search_fields = ["number", "vendor__name", "vendor_reference", "lines__product__sku"]
    filters = ["status", "vendor", "order_date", "expected_date"]
    detail_fields = [
        (
            _("Order"),
            ["number", "vendor", "status", "order_date", "expected_date", "vendor_reference", "warehouse"],
        ),
        (
            _("Amounts"),
            ["currency", "untaxed_amount", "tax_amount", "total_amount", "untaxed_company", "payment_term"],
        ),
        (
            _("Approval"),
            ["buyer", "approval_reason", "approved_by", "approved_at", "sent_at", "sent_to", "rfq"],
        ),
        (_("Notes"), ["notes", "cancel_reason"]),
    ]
    detail_template = "purchasing/order_detail.html"
    form_class = f.OrderForm
    edit_form_class = f.OrderEditForm
    create_service = staticmethod(services.create_order)
    update_service = staticmethod(services.update_order)
    actions = [
        ui.Action(
            "submit",
            _("Submit for approval"),
            lambda order, by: services.submit_order(order, by=by),
            to=OrderStatus.TO_APPROVE,
            condition=lambda order: order.status == OrderStatus.DRAFT,
            success=_("Submitted: approved at once within your limit, otherwise waiting for approval."),
        ),
        ui.Action(
            "approve",
            _("Approve"),
            lambda order, by: services.approve_order(order, by=by),
            to=OrderStatus.APPROVED,
            permission="purchasing.approve_purchaseorder",
            success=_("The order is approved; the warehouse expects the goods."),
        ),
        ui.Action(
            "return",
            _("Send back"),
            lambda order, by: services.return_to_draft(order, by=by),
            to=OrderStatus.DRAFT,
            permission="purchasing.approve_purchaseorder",
            style="outline-secondary",
        ),
        ui.Action(
            "bill",
            _("Create bill"),
            lambda order, by: services.create_bill_from_order(order, by=by),
            permission="purchasing.add_vendorbill",
            condition=lambda order: (
                order.status
                in (
                    OrderStatus.PARTLY_RECEIVED,
                    OrderStatus.RECEIVED,
                    OrderStatus.PARTLY_BILLED,
                    OrderStatus.SENT,
                    OrderStatus.APPROVED,
                )
            ),
            success=_("A draft bill was made for what was received and not billed yet."),
            style="outline-primary",
        ),
        ui.Action(
            "close",
            _("Close"),
            lambda order, by: services.close_order(order, by=by),
            condition=lambda order: (
                order.status
                in (
                    OrderStatus.PARTLY_RECEIVED,
                    OrderStatus.RECEIVED,
                    OrderStatus.PARTLY_BILLED,
                    OrderStatus.BILLED,
                )
            ),
            confirm=_("Close the order? What was not received will not come."),
            style="outline-secondary",
        ),
        ui.Action(
            "cancel",
            _("Cancel"),
            lambda order, by: services.cancel_order(order, by=by),
            to=OrderStatus.CANCELLED,
            style="danger",
            confirm=_("Cancel this purchase order?"),
        ),
    ]
    tabs = [
        ui.Tab(
            "lines",
            _("Lines"),
            rows=lambda order, request: order.lines.select_related("product", "uom"),
            columns=[
                "position",
                "product",
                "description",
                "quantity",
                "uom",
                "unit_price",
                "discount_percent",
                "tax_code",
                "net_amount",
                "expected_date",
                "qty_received",
                "qty_billed",
            ],
            add_url=lambda order: reverse("purchasing:orderline_create", kwargs={"parent_pk": order.pk}),
            add_label=_("Add line"),
            edit_url=lambda order, row: reverse(
                "purchasing:orderline_edit", kwargs={"parent_pk": order.pk, "pk": row.pk}
            ),
            delete_url=lambda order, row: reverse(
                "purchasing:orderline_delete", kwargs={"parent_pk": order.pk, "pk": row.pk}
            ),
            row_url=lambda row: "",
        ),
        ui.Tab(
            "receipts",
            _("Receipts"),
            rows=lambda order, request: selectors.receipts_of(order),
            columns=["number", "kind", "status", "scheduled_date", "date_done", "backorder_of"],
            permission="inventory.view_operation",
        ),
        ui.Tab(
            "bills",
            _("Bills"),
            rows=lambda order, request: VendorBill.objects.filter(
                Q(purchase_order=order) | Q(lines__order_line__order=order)
            ).distinct(),
            columns=[
                "number",
                "vendor_reference",
                "status",
                "bill_date",
                "total_amount",
                "match_status",
                "payment_blocked",
            ],
            permission="purchasing.view_vendorbill",
        ),
    ]

    def get_queryset(self, request: HttpRequest) -> Any:
        return super().get_queryset(request).select_related("vendor")


class OrderLinePages(ui.Resource):
    model = OrderLine
    prefix = "orders/"
    parent = OrderPages
    parent_field = "order"
    parent_tab = "lines"
    child_path = "lines"
    form_class = f.OrderLineForm
    create_service = staticmethod(services.add_order_line)
    update_service = staticmethod(services.update_order_line)
    delete_service = staticmethod(services.remove_order_line)


# --- vendor bills --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _PaymentRow:
    """One line of a bill's payment tab: its open item, a payment or offset, a payment run."""

    document: str
    what: Any
    date: Any
    amount: Any
    status: str
    url: str


def _payment_rows(bill: VendorBill, request: HttpRequest) -> list[_PaymentRow]:
    settlement = selectors.payment_of(bill)
    if settlement is None:
        return []
    user = request.user

    def link(permission: str, name: str, pk: int) -> str:
        return reverse(name, kwargs={"pk": pk}) if user.has_perm(permission) else ""

    item = settlement.item
    status = item.get_status_display()
    if item.payment_blocked:
        status = f"{status} · {_('blocked for payment')}"
    rows = [
        _PaymentRow(
            item.number,
            _("Left to pay, due"),
            item.due_date,
            abs(item.residual),
            str(status),
            link("payments.view_openitem", "payments:openitem_detail", item.pk),
        )
    ]
    for allocation in settlement.allocations:
        settled = abs(allocation.amount)
        notes = [str(_("reversed"))] if allocation.is_reversed else []
        if allocation.discount:
            notes.append(
                _("discount %(amount)s") % {"amount": formats.number_format(abs(allocation.discount), 2)}
            )
        state = " · ".join(notes)
        if allocation.payment is not None:
            payment = allocation.payment
            rows.append(
                _PaymentRow(
                    payment.number,
                    _("Paid by"),
                    allocation.date,
                    settled,
                    str(state or payment.get_status_display()),
                    link("payments.view_payment", "payments:payment_detail", payment.pk),
                )
            )
        else:
            counterpart = allocation.counterpart
            rows.append(
                _PaymentRow(
                    counterpart.number,
                    _("Offset against"),
                    allocation.date,
                    settled,
                    str(state),
                    link("payments.view_openitem", "payments:openitem_detail", counterpart.pk),
                )
            )
    for line in settlement.run_lines:
        rows.append(
            _PaymentRow(
                line.run.number,
                _("Payment run"),
                line.run.execution_date,
                line.amount,
                f"{line.run.get_status_display()} · {line.get_status_display()}",
                link("payments.view_paymentrun", "payments:paymentrun_detail", line.run_id),
            )
        )
    return rows


class BillPages(ui.Resource):
    model = VendorBill
    name = "bill"
    prefix = "bills/"
    list_columns = [
        "number",
        "vendor",
        "kind",
        "vendor_reference",
        "status",
        "bill_date",
        "due_date",
        "currency",
        _amount("total_amount", _("total")),
        _amount("residual", _("still to pay")),
        "match_status",
        "payment_blocked",
        "source",
    ]
    default_columns = [
        "number",
        "vendor",
        "vendor_reference",
        "status",
        "bill_date",
        "total_amount",
        "match_status",
        "payment_blocked",
    ]
    search_fields = ["number", "vendor_reference", "vendor__name", "order_reference"]
    filters = [
        "status",
        "kind",
        "vendor",
        "match_status",
        "payment_blocked",
        "source",
        "bill_date",
        "due_date",
    ]
    detail_fields = [
        (
            _("Bill"),
            [
                "number",
                "kind",
                "vendor",
                "vendor_reference",
                "status",
                "source",
                "bill_date",
                "due_date",
                "payment_term",
            ],
        ),
        (
            _("Amounts"),
            [
                "currency",
                "untaxed_amount",
                "tax_amount",
                "total_amount",
                "prepaid_amount",
                "amount_due",
                "residual",
            ],
        ),
        (_("Order"), ["purchase_order", "order_reference", "payment_reference", "iban"]),
        (
            _("Approval"),
            [
                "entered_by",
                "approved_by",
                "approved_at",
                "entry_number",
                "variance_approved_by",
                "variance_note",
            ],
        ),
        (_("Notes"), ["notes", "cancel_reason"]),
    ]
    detail_template = "purchasing/bill_detail.html"
    form_class = f.BillForm
    edit_form_class = f.BillEditForm
    create_service = staticmethod(services.create_bill)
    update_service = staticmethod(services.update_bill)
    actions = [
        ui.Action(
            "check",
            _("Check against the order"),
            lambda bill, by: services.check_bill(bill, by=by),
            condition=lambda bill: bill.status == "draft",
            style="outline-primary",
            success=_("The three-way match was run; see its findings."),
        ),
        ui.Action(
            "approve",
            _("Approve and post"),
            lambda bill, by: services.approve_bill(bill, by=by),
            to="approved",
            permission="purchasing.approve_vendorbill",
            success=_("The bill is posted and registered for payment."),
        ),
        ui.Action(
            "cancel_draft",
            _("Cancel"),
            lambda bill, by: services.cancel_bill(bill, by=by),
            condition=lambda bill: bill.status == "draft",
            style="danger",
            confirm=_("Cancel this draft bill?"),
        ),
    ]
    tabs = [
        ui.Tab(
            "lines",
            _("Lines"),
            rows=lambda bill, request: bill.lines.select_related("product", "uom", "order_line__order"),
            columns=[
                "position",
                "description",
                "product",
                "quantity",
                "uom",
                "unit_price",
                "net_amount",
                "tax_code",
                "account",
                "order_line__order",
            ],
            add_url=lambda bill: (
                reverse("purchasing:billline_create", kwargs={"parent_pk": bill.pk})
                if bill.status == "draft" and bill.source != BillSource.EINVOICE
                else ""
            ),
            add_label=_("Add line"),
            edit_url=lambda bill, row: (
                reverse("purchasing:billline_edit", kwargs={"parent_pk": bill.pk, "pk": row.pk})
                if bill.status == "draft"
                else ""
            ),
            delete_url=lambda bill, row: (
                reverse("purchasing:billline_delete", kwargs={"parent_pk": bill.pk, "pk": row.pk})
                if bill.status == "draft" and bill.source != BillSource.EINVOICE
                else ""
            ),
            row_url=lambda row: "",
        ),
        ui.Tab(
            "taxes",
            _("VAT"),
            rows="taxes",
            columns=["tax_code", "category", "rate", "base", "amount", "deductible"],
        ),
        ui.Tab(
            "payment",
            _("Payment"),
            rows=_payment_rows,
            columns=[
                ui.Column("document", label=_("document"), value=lambda row: row.document),
                ui.Column("what", label=_("what"), value=lambda row: row.what),
                ui.Column("date", label=_("date"), value=lambda row: row.date),
                # as the amount is stored (cents shown), not the lists' shortest form
                ui.Column(
                    "amount",
                    label=_("amount"),
                    value=lambda row: formats.number_format(row.amount),
                    numeric=True,
                ),
                ui.Column("status", label=_("status"), value=lambda row: row.status),
            ],
            permission="payments.view_openitem",
            row_url=lambda row: row.url,
            template="purchasing/_bill_payment_tab.html",
        ),
    ]

    def get_queryset(self, request: HttpRequest) -> Any:
        return super().get_queryset(request).select_related("vendor")

    def object_title(self, obj: Any) -> str:
        return f"{obj.number or _('Draft bill')} · {obj.vendor.name} {obj.vendor_reference}".strip()


class BillLinePages(ui.Resource):
    model = BillLine
    prefix = "bills/"
    parent = BillPages
    parent_field = "bill"
    parent_tab = "lines"
    child_path = "lines"
    form_class = f.BillLineForm
    create_service = staticmethod(services.add_bill_line)
    update_service = staticmethod(services.update_bill_line)
    delete_service = staticmethod(services.remove_bill_line)

    def get_form_class(self, obj: Any = None) -> Any:
        if obj is not None and obj.bill.source == BillSource.EINVOICE:
            return f.EInvoiceLineForm
        return super().get_form_class(obj)


VENDOR_PRICES = VendorPricePages()
APPROVAL_LIMITS = ApprovalLimitPages()
REQUISITIONS = RequisitionPages()
REQUISITION_LINES = RequisitionLinePages()
RFQS = RfqPages()
RFQ_LINES = RfqLinePages()
RFQ_VENDORS = RfqVendorPages()
ORDERS = OrderPages()
ORDER_LINES = OrderLinePages()
BILLS = BillPages()
BILL_LINES = BillLinePages()


# --- menu, search, dashboard ---------------------------------------------------------------------------


def _search(request: HttpRequest, text: str, limit: int) -> list[ui.SearchHit]:
    company = request.company
    hits = [
        ui.SearchHit(
            f"{o.number} · {o.vendor.name}",
            reverse("purchasing:order_detail", kwargs={"pk": o.pk}),
            f"{o.get_status_display()} · {o.total_amount} {o.currency_id}",
        )
        for o in selectors.orders_for(company)
        .filter(
            Q(number__icontains=text) | Q(vendor_reference__icontains=text) | Q(vendor__name__icontains=text)
        )
        .select_related("vendor")
        .order_by("-id")[:limit]
    ]
    return hits


def _search_bills(request: HttpRequest, text: str, limit: int) -> list[ui.SearchHit]:
    return [
        ui.SearchHit(
            f"{b.number or b.vendor_reference} · {b.vendor.name}",
            reverse("purchasing:bill_detail", kwargs={"pk": b.pk}),
            f"{b.get_status_display()} · {b.total_amount} {b.currency_id}",
        )
        for b in selectors.bills_for(request.company)
        .filter(
            Q(number__icontains=text) | Q(vendor_reference__icontains=text) | Q(vendor__name__icontains=text)
        )
        .select_related("vendor")
        .order_by("-id")[:limit]
    ]


def _blocked_bills(request: HttpRequest) -> dict[str, Any]:
    rows = (
        selectors.bills_for(request.company)
        .filter(payment_blocked=True)
        .exclude(status__in=["paid", "cancelled"])
        .select_related("vendor")
        .order_by("due_date", "id")[:8]
    )
    return {"bills": list(rows)}


def _to_receive(request: HttpRequest) -> dict[str, Any]:
    rows = (
        selectors.orders_for(request.company)
        .filter(status__in=[OrderStatus.APPROVED, OrderStatus.SENT, OrderStatus.PARTLY_RECEIVED])
        .select_related("vendor")
        .order_by("expected_date", "id")[:8]
    )
    return {"orders": list(rows)}


def register_ui() -> None:
    """Menu entries, search and dashboard cards of purchasing (called from PurchasingConfig.ready)."""
    area = "purchasing"
    ui.register_nav(
        area,
        _("Purchase orders"),
        "purchasing:order_list",
        permission="purchasing.view_purchaseorder",
        order=20,
    )
    ui.register_nav(
        area,
        _("Waiting for approval"),
        "purchasing:order_list",
        permission="purchasing.approve_purchaseorder",
        order=21,
        query="status=to_approve",
    )
    ui.register_nav(
        area,
        _("Requisitions"),
        "purchasing:requisition_list",
        permission="purchasing.view_requisition",
        order=30,
    )
    ui.register_nav(
        area, _("To replenish"), "purchasing:replenish", permission="purchasing.add_requisition", order=31
    )
    ui.register_nav(
        area, _("Requests for quotation"), "purchasing:rfq_list", permission="purchasing.view_rfq", order=40
    )
    ui.register_nav(
        area, _("Vendor bills"), "purchasing:bill_list", permission="purchasing.view_vendorbill", order=50
    )
    ui.register_nav(
        area,
        _("Bills blocked for payment"),
        "purchasing:bill_list",
        permission="purchasing.view_vendorbill",
        order=51,
        query="payment_blocked=true",
    )
    ui.register_nav(
        area,
        _("Import e-invoice"),
        "purchasing:bill_import",
        permission="purchasing.add_vendorbill",
        order=52,
    )
    ui.register_nav(
        area,
        _("Vendor prices"),
        "purchasing:vendorprice_list",
        permission="purchasing.view_vendorprice",
        order=60,
    )
    ui.register_nav(
        "accounting",
        _("Vendor bills"),
        "purchasing:bill_list",
        permission="purchasing.view_vendorbill",
        order=40,
    )
    ui.register_nav(
        "accounting",
        _("Import e-invoice"),
        "purchasing:bill_import",
        permission="purchasing.add_vendorbill",
        order=41,
    )
    ui.register_nav(
        "settings",
        _("Purchasing policy"),
        "purchasing:policy",
        permission="purchasing.change_purchasingpolicy",
        order=70,
    )
    ui.register_nav(
        "settings",
        _("Approval limits"),
        "purchasing:approvallimit_list",
        permission="purchasing.view_approvallimit",
        order=71,
    )
    ui.register_search(
        ui.SearchProvider(
            "purchasing.orders",
            _("Purchase orders"),
            _search,
            permission="purchasing.view_purchaseorder",
            order=40,
        )
    )
    ui.register_search(
        ui.SearchProvider(
            "purchasing.bills",
            _("Vendor bills"),
            _search_bills,
            permission="purchasing.view_vendorbill",
            order=41,
        )
    )
    ui.register_widget(
        ui.Widget(
            "purchasing.blocked_bills",
            _("Bills blocked for payment"),
            "purchasing/widget_blocked_bills.html",
            _blocked_bills,
            permission="purchasing.view_vendorbill",
            roles=("accountant", "controller", "buyer"),
            order=40,
        )
    )
    ui.register_widget(
        ui.Widget(
            "purchasing.to_receive",
            _("Purchase orders to receive"),
            "purchasing/widget_to_receive.html",
            _to_receive,
            permission="purchasing.view_purchaseorder",
            roles=("buyer", "warehouse"),
            order=41,
        )
    )
    # ledger lines and stock moves point at purchasing documents by source type
    ui.register_document_url("purchasing.bill", "purchasing:bill_detail")
    ui.register_document_url("purchasing.order", "purchasing:order_detail")
    ui.register_document_url("purchasing.order_line", lambda pk: _order_line_url(pk))


def _order_line_url(pk: Any) -> str:
    line = OrderLine.objects.filter(pk=pk).values_list("order_id", flat=True).first()
    return reverse("purchasing:order_detail", kwargs={"pk": line}) if line else ""
