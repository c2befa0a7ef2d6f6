"""Inventory pages on the generic machinery of kern.core.ui: warehouses and their location tree,
lots and serial numbers with their trace, stock operations with their workflow buttons, the pick
and count screens (a scan field: SKU, barcode, lot or serial number), move history, stock on hand,
stock levels and availability, valuation with its reconciliation to the ledger, ageing, reorder
rules and the to-replenish list.

Every write goes through kern.inventory.services; every non-trivial read through selectors.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from kern.catalog.models import Product, ProductType
from kern.core import ui
from kern.core.db import atomic
from kern.core.exceptions import KernError
from kern.core.ui.resource import ResourceView
from kern.inventory import forms as f
from kern.inventory import selectors, services
from kern.inventory.models import (
    INTERNAL_KINDS,
    Location,
    LocationKind,
    Lot,
    Move,
    MoveStatus,
    Operation,
    OperationKind,
    OperationStatus,
    Quant,
    ReorderRule,
    StockCount,
    StockCountStatus,
    Warehouse,
)

VIEW_STOCK = "inventory.view_stock"
OUTGOING = (OperationKind.DELIVERY, OperationKind.INTERNAL, OperationKind.SUPPLIER_RETURN)
PICKABLE = (OperationStatus.WAITING, OperationStatus.READY, OperationStatus.PICKED)


def _kind_label(kind: str) -> str:
    try:
        return str(OperationKind(kind).label)
    except ValueError:
        return kind


def _operation_url(pk: Any) -> str:
    return reverse("inventory:operation_detail", kwargs={"pk": pk})


# --- warehouses and locations ------------------------------------------------------------------


def _indented(location: Location) -> str:
    """A location's name indented by its depth in the tree (WH, WH/Stock, WH/Stock/A …)."""
    depth = max(0, location.path.count("/") - 1)
    return "\u2003" * depth + ("└ " if depth else "") + location.name


class WarehousePages(ui.Resource):
    model = Warehouse
    prefix = "warehouses/"
    list_columns = ["code", "name", "city", "stock_location", "allow_negative_stock", "is_active"]
    search_fields = ["code", "name", "city"]
    filters = ["is_active", "allow_negative_stock"]
    detail_fields = [
        (_("Warehouse"), ["code", "name", "stock_location", "allow_negative_stock", "is_active"]),
        (_("Address"), ["street", "postcode", "city"]),
    ]
    tabs = [
        ui.Tab(
            "locations",
            _("Location tree"),
            rows=lambda wh, request: wh.locations.order_by("full_name"),
            columns=[
                ui.Column("name", _("location"), value=lambda loc: _indented(loc)),
                "kind",
                "barcode",
                "is_active",
            ],
            limit=2000,
        ),
        ui.Tab(
            "rules",
            _("Reorder rules"),
            rows=lambda wh, request: wh.reorder_rules.select_related("product", "vendor"),
            columns=["product", "min_quantity", "max_quantity", "multiple", "method", "vendor", "is_active"],
        ),
    ]
    form_class = f.WarehouseForm
    edit_form_class = f.WarehouseEditForm
    create_service = staticmethod(services.create_warehouse)
    update_service = staticmethod(services.update_warehouse)
    attachments = False


def _create_location(company: Any, *, by: Any, parent: Location, **data: Any) -> Location:
    return services.create_location(parent, by=by, **data)


def _stock_in(location: Location, request: HttpRequest) -> Any:
    return selectors.stock_by_location(request.company, location=location)


class LocationPages(ui.Resource):
    model = Location
    prefix = "locations/"
    list_columns = ["full_name", "kind", "warehouse", "barcode", "is_active"]
    search_fields = ["full_name", "barcode"]
    filters = ["kind", "warehouse", "is_active"]
    ordering = ["full_name"]
    detail_fields = [
        (_("Location"), ["full_name", "name", "kind", "warehouse", "parent", "barcode", "is_active"]),
    ]
    tabs = [
        ui.Tab(
            "stock",
            _("Stock"),
            rows=_stock_in,
            columns=[
                "product",
                "location",
                "lot",
                "quantity",
                "reserved",
                ui.Column("available", _("available"), value=lambda q: q.available, numeric=True),
            ],
            permission=VIEW_STOCK,
            row_url=lambda q: ui.document_url(q.product),
            limit=500,
        ),
        ui.Tab(
            "children",
            _("Sub-locations"),
            rows=lambda loc, request: loc.children.order_by("full_name"),
            columns=["full_name", "kind", "barcode", "is_active"],
        ),
        ui.Tab(
            "moves",
            _("Move history"),
            rows=lambda loc, request: selectors.move_history(request.company, location=loc),
            columns=["date", "operation", "product", "lot", "location_from", "location_to", "quantity"],
            permission="inventory.view_move",
        ),
    ]
    form_class = f.LocationForm
    edit_form_class = f.LocationEditForm
    create_service = staticmethod(_create_location)
    update_service = staticmethod(services.update_location)
    attachments = False

    def service_data(self, request: HttpRequest, form: Any, obj: Any = None) -> dict[str, Any]:
        data = dict(form.cleaned_data)
        if obj is None:
            data["kind"] = data.get("kind") or LocationKind.INTERNAL
        return data


# --- lots and serial numbers --------------------------------------------------------------------


def _create_lot(company: Any, *, by: Any, product: Product, **data: Any) -> Lot:
    return services.create_lot(product, by=by, **data)


TRACE_COLUMNS = [
    ui.Column("operation", _("operation")),
    ui.Column("date", _("date")),
    ui.Column("kind", _("type"), value=lambda s: _kind_label(s.kind)),
    ui.Column("partner", _("partner")),
    ui.Column("quantity", _("quantity"), numeric=True),
    ui.Column("location_from", _("from")),
    ui.Column("location_to", _("to")),
]


class LotPages(ui.Resource):
    model = Lot
    prefix = "lots/"
    title = _("lots and serial numbers")
    list_columns = ["name", "product", "expiry_date", "created_at"]
    search_fields = ["name", "product__sku", "product__name"]
    filters = ["product", "expiry_date"]
    detail_fields = [(_("Lot / serial number"), ["name", "product", "expiry_date", "notes", "created_at"])]
    tabs = [
        ui.Tab(
            "came_from",
            _("Where it came from"),
            rows=lambda lot, request: selectors.lot_trace(lot)["upstream"],
            columns=TRACE_COLUMNS,
            row_url=lambda step: _operation_url(step.operation_id),
        ),
        ui.Tab(
            "went_to",
            _("Where it went"),
            rows=lambda lot, request: selectors.lot_trace(lot)["downstream"],
            columns=TRACE_COLUMNS,
            row_url=lambda step: _operation_url(step.operation_id),
        ),
        ui.Tab(
            "stock",
            _("Stock"),
            rows=lambda lot, request: (
                lot.quants.filter(location__kind__in=list(INTERNAL_KINDS))
                .exclude(quantity=0, reserved=0)
                .select_related("location")
            ),
            columns=["location", "quantity", "reserved"],
            permission=VIEW_STOCK,
            row_url=lambda q: ui.document_url(q.location),
        ),
    ]
    form_class = f.LotForm
    create_service = staticmethod(_create_lot)


# --- operations ---------------------------------------------------------------------------------


def _has_reserved(op: Operation) -> bool:
    return op.moves.filter(status=MoveStatus.RESERVED).exists()


def _pack(op: Operation, *, by: Any) -> Any:
    return services.pack(op, by=by)


def _return(op: Operation, *, by: Any) -> Any:
    return services.return_operation(op, by=by)


class OperationPages(ui.Resource):
    model = Operation
    prefix = "operations/"
    title = _("stock operations")
    list_columns = [
        "number",
        "kind",
        "partner",
        "warehouse",
        "location_from",
        "location_to",
        "scheduled_date",
        "origin",
        "status",
        "date_done",
        "tracking_reference",
    ]
    default_columns = ["number", "kind", "partner", "scheduled_date", "origin", "status"]
    search_fields = ["number", "origin", "partner__name", "tracking_reference"]
    filters = ["kind", "status", "warehouse", "partner", "scheduled_date"]
    detail_fields = [
        (
            _("Operation"),
            [
                "number",
                "kind",
                "warehouse",
                "partner",
                "location_from",
                "location_to",
                "scheduled_date",
                "date_done",
                "origin",
            ],
        ),
        (_("Shipping"), ["tracking_reference", "backorder_of", "return_of", "notes"]),
    ]
    tabs = [
        ui.Tab(
            "moves",
            _("Lines"),
            rows=lambda op, request: op.moves.select_related(
                "product", "lot", "location_from", "location_to", "uom", "package"
            ).order_by("id"),
            columns=[
                "product",
                "lot",
                "location_from",
                "location_to",
                "quantity",
                "uom",
                "picked",
                "package",
                "status",
                "value",
            ],
            limit=2000,
        ),
        ui.Tab(
            "packages",
            _("Packages"),
            rows="packages",
            columns=["name", "weight_kg", "tracking_reference", "created_at"],
            row_url=lambda p: "",
        ),
        ui.Tab(
            "backorders", _("Backorders"), rows="backorders", columns=["number", "status", "scheduled_date"]
        ),
        ui.Tab(
            "returns", _("Returns"), rows="returns", columns=["number", "kind", "status", "scheduled_date"]
        ),
    ]
    form_class = f.OperationForm
    create_service = staticmethod(services.create_operation)  # called by create() below, with the lines
    form_template = "inventory/operation_form.html"
    detail_template = "inventory/operation_detail.html"
    actions = [
        ui.Action(
            "reserve",
            _("Reserve stock"),
            services.reserve_stock,
            condition=lambda op: op.status in (OperationStatus.DRAFT, OperationStatus.WAITING),
            success=_("Stock was reserved where available."),
        ),
        ui.Action(
            "pick",
            _("Pick everything"),
            services.pick,
            style="outline-primary",
            condition=lambda op: (
                op.kind in OUTGOING
                and op.status in (OperationStatus.WAITING, OperationStatus.READY)
                and _has_reserved(op)
            ),
            success=_("Everything reserved is picked."),
        ),
        ui.Action(
            "pack",
            _("Pack"),
            _pack,
            style="outline-primary",
            condition=lambda op: op.status == OperationStatus.PICKED,
            success=_("The picked lines are packed."),
        ),
        ui.Action(
            "validate",
            _("Validate"),
            services.validate_operation,
            to=OperationStatus.DONE,
            confirm=_("Book this operation as done?"),
            success=_("The operation is done."),
        ),
        ui.Action(
            "unreserve",
            _("Release reservation"),
            services.unreserve_stock,
            style="outline-secondary",
            condition=lambda op: (
                op.status in (OperationStatus.READY, OperationStatus.PICKED, OperationStatus.PACKED)
            ),
            success=_("The reservation was released."),
        ),
        ui.Action(
            "cancel",
            _("Cancel"),
            services.cancel_operation,
            to=OperationStatus.CANCELLED,
            style="outline-danger",
            confirm=_("Cancel this operation? Its reservations are released."),
            success=_("The operation was cancelled."),
        ),
        ui.Action(
            "return",
            _("Return"),
            _return,
            style="outline-secondary",
            permission="inventory.add_operation",
            condition=lambda op: (
                op.status == OperationStatus.DONE
                and op.kind in (OperationKind.DELIVERY, OperationKind.RECEIPT)
            ),
            confirm=_("Create a return of everything that is not returned yet?"),
            success=_("A return was created: see the Returns tab."),
        ),
    ]

    def create(self, request: HttpRequest, data: dict[str, Any], parent: Any = None) -> Operation:
        lines = [
            services.MoveSpec(product=product, quantity=quantity, lot=lot)
            for product, quantity, lot in data["lines"]
        ]
        with atomic():
            operation = services.create_operation(
                request.company,
                kind=data["kind"],
                lines=lines,
                warehouse=data["warehouse"],
                partner=data.get("partner"),
                location_from=data.get("location_from"),
                location_to=data.get("location_to"),
                scheduled_date=data.get("scheduled_date"),
                notes=data.get("notes") or "",
                by=request.user,
            )
            if data.get("validate_now"):
                services.validate_operation(operation, by=request.user)
        return operation


# --- moves, stock, counts, rules ----------------------------------------------------------------


class MovePages(ui.Resource):
    model = Move
    prefix = "moves/"
    title = _("move history")
    list_columns = [
        "date",
        "operation",
        "product",
        "lot",
        "location_from",
        "location_to",
        "quantity",
        "uom",
        "uom_quantity",
        "unit_cost",
        "value",
        "status",
    ]
    default_columns = [
        "date",
        "operation",
        "product",
        "lot",
        "location_from",
        "location_to",
        "quantity",
        "value",
    ]
    search_fields = ["product__sku", "product__name", "lot__name", "operation__number"]
    filters = ["status", "product", "lot", "location_from", "location_to", "date"]
    ordering = ["-done_at", "-id"]
    detail_fields = [
        (_("Move"), ["operation", "product", "lot", "location_from", "location_to", "status", "date"]),
        (_("Quantity"), ["quantity", "uom", "uom_quantity", "picked"]),
        (_("Value"), ["unit_cost", "value"]),
    ]
    comments = False
    attachments = False


class QuantPages(ui.Resource):
    """Stock on hand per product, location and lot (the quants)."""

    model = Quant
    prefix = "stock/"
    title = _("stock on hand")
    list_columns = [
        "product",
        "location",
        "lot",
        "quantity",
        "reserved",
        ui.Column("available", _("available"), value=lambda q: q.available, numeric=True),
        "in_date",
    ]
    default_columns = ["product", "location", "lot", "quantity", "reserved", "available"]
    search_fields = ["product__sku", "product__name", "lot__name", "location__full_name"]
    filters = ["product", "location", "lot"]
    ordering = ["product__sku", "location__full_name", "lot__name"]
    detail_fields = [(_("Stock"), ["product", "location", "lot", "quantity", "reserved", "in_date"])]
    history = False
    comments = False
    attachments = False

    def perm(self, action: str) -> str:
        # Stock levels are read by more roles than manage the warehouse (sales reps).
        return VIEW_STOCK if action == "view" else super().perm(action)

    def get_queryset(self, request: HttpRequest) -> Any:
        return (
            super()
            .get_queryset(request)
            .filter(location__kind__in=list(INTERNAL_KINDS))
            .exclude(quantity=0, reserved=0)
        )


def _start_count(company: Any, *, by: Any, warehouse: Warehouse, location: Location | None = None) -> Any:
    return services.start_stock_count(warehouse, location=location, by=by)


class StockCountPages(ui.Resource):
    model = StockCount
    prefix = "stock-counts/"
    list_columns = ["number", "warehouse", "location", "date", "status", "adjustment"]
    search_fields = ["number"]
    filters = ["status", "warehouse", "date"]
    detail_fields = [(_("Count"), ["number", "warehouse", "location", "date", "adjustment", "notes"])]
    tabs = [
        ui.Tab(
            "lines",
            _("Count sheet"),
            rows=lambda count, request: count.lines.select_related("location", "product", "lot"),
            columns=["location", "product", "lot", "expected", "counted", "difference"],
            row_url=lambda line: "",
            limit=5000,
        )
    ]
    form_class = f.StockCountForm
    create_service = staticmethod(_start_count)
    detail_template = "inventory/stockcount_detail.html"
    actions = [
        ui.Action(
            "apply",
            _("Apply the count"),
            services.apply_stock_count,
            to=StockCountStatus.DONE,
            confirm=_("Book the differences as an inventory adjustment?"),
            success=_("The count is applied; the differences are booked."),
        ),
        ui.Action(
            "cancel",
            _("Cancel"),
            services.cancel_stock_count,
            to=StockCountStatus.CANCELLED,
            style="outline-danger",
            confirm=_("Cancel this count?"),
        ),
    ]

    def service_data(self, request: HttpRequest, form: Any, obj: Any = None) -> dict[str, Any]:
        return {"warehouse": form.cleaned_data["warehouse"], "location": form.cleaned_data.get("location")}


def _set_rule(company: Any, *, by: Any, warehouse: Warehouse, product: Product, **data: Any) -> ReorderRule:
    return services.set_reorder_rule(warehouse, product, by=by, **data)


def _update_rule(rule: ReorderRule, *, by: Any, **data: Any) -> ReorderRule:
    return services.set_reorder_rule(rule.warehouse, rule.product, by=by, **data)


class ReorderRulePages(ui.Resource):
    model = ReorderRule
    prefix = "reorder-rules/"
    list_columns = [
        "product",
        "warehouse",
        "min_quantity",
        "max_quantity",
        "multiple",
        "lead_days",
        "method",
        "vendor",
        "is_active",
    ]
    search_fields = ["product__sku", "product__name", "vendor__name"]
    filters = ["warehouse", "method", "vendor", "is_active"]
    form_class = f.ReorderRuleForm
    edit_form_class = f.ReorderRuleEditForm
    create_service = staticmethod(_set_rule)
    update_service = staticmethod(_update_rule)
    delete_service = staticmethod(services.remove_reorder_rule)
    comments = False
    attachments = False


WAREHOUSES = WarehousePages()
LOCATIONS = LocationPages()
LOTS = LotPages()
OPERATIONS = OperationPages()
MOVES = MovePages()
STOCK = QuantPages()
COUNTS = StockCountPages()
RULES = ReorderRulePages()


# --- the pick and count screens ----------------------------------------------------------------


def _htmx(request: HttpRequest) -> bool:
    return bool(getattr(request, "htmx", False))


class PickScreen(ResourceView):
    """Scan what is picked: a product's barcode or SKU, a lot or a serial number adds to the
    matching reserved line. Works as a plain form; htmx swaps only the pick panel."""

    resource = OPERATIONS

    def context(self, request: HttpRequest, operation: Operation, form: Any, last: Any = None) -> dict:
        moves = list(
            operation.moves.exclude(status=MoveStatus.CANCELLED)
            .select_related("product", "lot", "location_from", "uom")
            .order_by("location_from__full_name", "product__sku", "id")
        )
        reserved = [m for m in moves if m.status == MoveStatus.RESERVED]
        return {
            "title": gettext("Pick %(number)s") % {"number": operation.number},
            "operation": operation,
            "form": form,
            "moves": moves,
            "last": last,
            "total": sum((m.quantity for m in reserved), start=0),
            "picked": sum((m.picked for m in reserved), start=0),
            "can_change": request.user.has_perm("inventory.change_operation"),
            "can_validate": operation.status in PICKABLE or operation.status == OperationStatus.PACKED,
        }

    def get(self, request: HttpRequest, pk: Any) -> HttpResponse:
        operation = self.resource.get_object(request, pk)
        form = f.ScanForm(initial={"quantity": 1})
        return self.render(request, "inventory/pick.html", self.context(request, operation, form))

    def post(self, request: HttpRequest, pk: Any) -> HttpResponse:
        if not request.user.has_perm("inventory.change_operation"):
            raise PermissionDenied
        operation = self.resource.get_object(request, pk)
        form = f.ScanForm(request.POST)
        last = None
        if form.is_valid():
            try:
                last = services.scan_pick(
                    operation,
                    form.cleaned_data["code"],
                    quantity=form.cleaned_data["quantity"],
                    by=request.user,
                )
            except KernError as exc:
                ui.apply_errors(form, exc)
            else:
                if not _htmx(request):
                    messages.success(
                        request,
                        gettext("Picked %(qty)s × %(sku)s")
                        % {"qty": form.cleaned_data["quantity"], "sku": last.product.sku},
                    )
                    return HttpResponseRedirect(request.path)
                form = f.ScanForm(initial={"quantity": 1})
        operation.refresh_from_db()
        # htmx swaps only 2xx answers: the panel with the errors comes back as 200 to htmx
        status = 422 if form.errors and not _htmx(request) else 200
        context = self.context(request, operation, form, last)
        return self.render(request, "inventory/pick.html", context, status=status)


class CountScreen(ResourceView):
    """The count sheet with a scan field: every scan counts one more (or `quantity`) of the
    scanned product or lot in the chosen location; a line's count can also be typed."""

    resource = COUNTS

    def locations(self, count: StockCount) -> Any:
        return selectors.count_locations(count)

    def context(self, request: HttpRequest, count: StockCount, form: Any, last: Any = None) -> dict:
        return {
            "title": gettext("Count %(number)s") % {"number": count.number},
            "count": count,
            "form": form,
            "last": last,
            "lines": list(count.lines.select_related("location", "product", "lot")),
            "is_open": count.status == StockCountStatus.IN_PROGRESS,
            "can_change": request.user.has_perm("inventory.change_stockcount"),
        }

    def scan_form(self, count: StockCount, data: Any = None, location: Any = None) -> Any:
        form = f.CountScanForm(data, initial={"quantity": 1, "location": location or count.location_id})
        form.fields["location"].queryset = self.locations(count)
        return form

    def get(self, request: HttpRequest, pk: Any) -> HttpResponse:
        count = self.resource.get_object(request, pk)
        return self.render(
            request, "inventory/count.html", self.context(request, count, self.scan_form(count))
        )

    def post(self, request: HttpRequest, pk: Any) -> HttpResponse:
        if not request.user.has_perm("inventory.change_stockcount"):
            raise PermissionDenied
        count = self.resource.get_object(request, pk)
        form = self.scan_form(count, request.POST)
        last = None
        if "line" in request.POST:
            return self.set_line(request, count)
        if form.is_valid():
            try:
                last = services.scan_count(
                    count,
                    form.cleaned_data["code"],
                    location=form.cleaned_data["location"],
                    quantity=form.cleaned_data["quantity"],
                    by=request.user,
                )
            except KernError as exc:
                ui.apply_errors(form, exc)
            else:
                if not _htmx(request):
                    messages.success(
                        request,
                        gettext("Counted %(sku)s: %(qty)s") % {"sku": last.product.sku, "qty": last.counted},
                    )
                    return HttpResponseRedirect(f"{request.path}?location={last.location_id}")
                form = self.scan_form(count, location=form.cleaned_data["location"].pk)
        # htmx swaps only 2xx answers: the panel with the errors comes back as 200 to htmx
        status = 422 if form.errors and not _htmx(request) else 200
        return self.render(
            request, "inventory/count.html", self.context(request, count, form, last), status=status
        )

    def get_location(self, request: HttpRequest) -> Any:
        return request.GET.get("location")

    def set_line(self, request: HttpRequest, count: StockCount) -> HttpResponse:
        line_form = f.CountLineForm(request.POST)
        line = None
        if line_form.is_valid():
            line = (
                count.lines.filter(pk=line_form.cleaned_data["line"])
                .select_related("location", "product", "lot")
                .first()
            )
        if line is None:
            messages.error(request, gettext("Give a count of zero or more for a line of this count."))
            return HttpResponseRedirect(request.path)
        try:
            services.record_count(
                count,
                location=line.location,
                product=line.product,
                lot=line.lot,
                quantity=line_form.cleaned_data["counted"],
                by=request.user,
            )
        except KernError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(
                request,
                gettext("Counted %(sku)s: %(qty)s")
                % {"sku": line.product.sku, "qty": line_form.cleaned_data["counted"]},
            )
        return HttpResponseRedirect(request.path)


# --- reports ------------------------------------------------------------------------------------


def _company(request: HttpRequest) -> Any:
    company = getattr(request, "company", None)
    if company is None:
        raise Http404
    return company


@login_required
@permission_required(VIEW_STOCK, raise_exception=True)
def stock_levels(request: HttpRequest) -> HttpResponse:
    """On hand, reserved, available, incoming, outgoing, forecast and available-to-promise per
    product (optionally in one warehouse, up to a date)."""
    company = _company(request)
    form = ui.scope_form(f.StockLevelsForm(request.GET or None), company)
    ui.style_form(form)
    products = Product.objects.filter(company=company).exclude(type=ProductType.SERVICE).order_by("sku")
    warehouse = on = None
    if form.is_valid():
        warehouse, on = form.cleaned_data.get("warehouse"), form.cleaned_data.get("on")
        text = form.cleaned_data.get("q") or ""
        for term in text.split()[:8]:
            products = products.filter(Q(sku__icontains=term) | Q(name__icontains=term) | Q(barcode=term))
    page = Paginator(products.only("pk", "sku", "name"), 50).get_page(request.GET.get("page"))
    ids = [p.pk for p in page.object_list]
    levels = selectors.stock_levels(company, ids, warehouse=warehouse, on=on)
    atp = selectors.available_to_promise(company, ids, warehouse=warehouse, on=on)
    empty = selectors.StockLevel()
    rows = [(p, levels.get(p.pk, empty), atp.get(p.pk, empty.available)) for p in page.object_list]
    keep = request.GET.copy()
    keep.pop("page", None)
    context = {"title": _("Stock levels and availability"), "form": form, "rows": rows, "page": page}
    context["query"] = keep.urlencode()
    return render(request, "inventory/stock_levels.html", context)


@login_required
@permission_required("inventory.view_costlayer", raise_exception=True)
def valuation(request: HttpRequest) -> HttpResponse:
    """Stock value per product from the open cost layers, next to the inventory account."""
    company = _company(request)
    rows = selectors.stock_valuation(company)
    rec = selectors.valuation_reconciliation(company)
    context = {"title": _("Stock valuation"), "rows": rows, "rec": rec, "currency": company.base_currency_id}
    return render(request, "inventory/valuation.html", context)


@login_required
@permission_required(VIEW_STOCK, raise_exception=True)
def ageing(request: HttpRequest) -> HttpResponse:
    company = _company(request)
    form = ui.scope_form(f.WarehouseFilterForm(request.GET or None), company)
    ui.style_form(form)
    warehouse = form.cleaned_data.get("warehouse") if form.is_valid() else None
    rows = selectors.stock_ageing(company, warehouse=warehouse, brackets=(30, 60, 90))
    brackets = [_("0–30 days"), _("31–60 days"), _("61–90 days"), _("over 90 days")]
    context = {"title": _("Stock ageing"), "form": form, "rows": rows, "brackets": brackets}
    return render(request, "inventory/ageing.html", context)


@login_required
@permission_required("inventory.view_reorderrule", raise_exception=True)
def to_replenish(request: HttpRequest) -> HttpResponse:
    company = _company(request)
    form = ui.scope_form(f.ReplenishFilterForm(request.GET or None), company)
    ui.style_form(form)
    warehouse = method = None
    if form.is_valid():
        warehouse, method = form.cleaned_data.get("warehouse"), form.cleaned_data.get("method") or None
    suggestions = selectors.to_replenish(company, warehouse=warehouse, method=method)
    warehouses = {w.pk: w for w in Warehouse.objects.filter(company=company)}
    rows = [(s, warehouses.get(s.warehouse_id)) for s in suggestions]
    context = {"title": _("To replenish"), "form": form, "rows": rows}
    return render(request, "inventory/to_replenish.html", context)


# --- menu, search, dashboard --------------------------------------------------------------------


def _search_operations(request: HttpRequest, text: str, limit: int) -> list[ui.SearchHit]:
    rows = (
        Operation.objects.filter(company=request.company)
        .filter(Q(number__icontains=text) | Q(origin__icontains=text) | Q(tracking_reference__icontains=text))
        .select_related("partner")
        .order_by("-id")[:limit]
    )
    return [
        ui.SearchHit(
            f"{op.number}" + (f" · {op.partner.name}" if op.partner_id else ""),
            _operation_url(op.pk),
            f"{op.get_kind_display()} · {op.get_status_display()}",
        )
        for op in rows
    ]


def _search_lots(request: HttpRequest, text: str, limit: int) -> list[ui.SearchHit]:
    rows = (
        Lot.objects.filter(company=request.company, name__icontains=text)
        .select_related("product")
        .order_by("-id")[:limit]
    )
    return [
        ui.SearchHit(lot.name, reverse("inventory:lot_detail", kwargs={"pk": lot.pk}), lot.product.sku)
        for lot in rows
    ]


def _below_reorder_point(request: HttpRequest) -> dict[str, Any]:
    suggestions = selectors.to_replenish(request.company)
    return {"suggestions": suggestions[:8], "more": max(0, len(suggestions) - 8)}


def register_ui() -> None:
    """Menu entries, search and the dashboard card of the inventory (InventoryConfig.ready)."""
    area = "inventory"
    op = "inventory.view_operation"
    nav = ui.register_nav
    nav(area, _("Receipts"), "inventory:operation_list", permission=op, order=10, query="kind=receipt")
    nav(area, _("Deliveries"), "inventory:operation_list", permission=op, order=11, query="kind=delivery")
    nav(
        area,
        _("Internal transfers"),
        "inventory:operation_list",
        permission=op,
        order=12,
        query="kind=internal",
    )
    nav(area, _("All stock operations"), "inventory:operation_list", permission=op, order=13)
    nav(
        area, _("Stock counts"), "inventory:stockcount_list", permission="inventory.view_stockcount", order=14
    )
    group = _("Stock")
    nav(area, _("Stock on hand"), "inventory:quant_list", permission=VIEW_STOCK, order=20, group=group)
    nav(
        area,
        _("Stock levels and availability"),
        "inventory:stock_levels",
        permission=VIEW_STOCK,
        order=21,
        group=group,
    )
    nav(
        area,
        _("Move history"),
        "inventory:move_list",
        permission="inventory.view_move",
        order=22,
        query="status=done",
        group=group,
    )
    nav(
        area,
        _("Lots and serial numbers"),
        "inventory:lot_list",
        permission="inventory.view_lot",
        order=23,
        group=group,
    )
    group = _("Reports")
    nav(
        area,
        _("Stock valuation"),
        "inventory:valuation",
        permission="inventory.view_costlayer",
        order=30,
        group=group,
    )
    nav(area, _("Stock ageing"), "inventory:ageing", permission=VIEW_STOCK, order=31, group=group)
    nav(
        area,
        _("To replenish"),
        "inventory:to_replenish",
        permission="inventory.view_reorderrule",
        order=32,
        group=group,
    )
    group = _("Configuration")
    nav(
        area,
        _("Reorder rules"),
        "inventory:reorderrule_list",
        permission="inventory.view_reorderrule",
        order=40,
        group=group,
    )
    nav(
        area,
        _("Warehouses"),
        "inventory:warehouse_list",
        permission="inventory.view_warehouse",
        order=41,
        group=group,
    )
    nav(
        area,
        _("Locations"),
        "inventory:location_list",
        permission="inventory.view_location",
        order=42,
        group=group,
    )
    nav(
        "accounting",
        _("Stock valuation"),
        "inventory:valuation",
        permission="inventory.view_costlayer",
        order=90,
    )
    ui.register_search(
        ui.SearchProvider(
            "inventory.operations",
            _("Stock operations"),
            _search_operations,
            permission="inventory.view_operation",
            order=50,
        )
    )
    ui.register_search(
        ui.SearchProvider(
            "inventory.lots",
            _("Lots and serial numbers"),
            _search_lots,
            permission="inventory.view_lot",
            order=51,
        )
    )
    ui.register_widget(
        ui.Widget(
            "inventory.below_reorder_point",
            _("Below the reorder point"),
            "inventory/widget_reorder.html",
            _below_reorder_point,
            permission="inventory.view_reorderrule",
            roles=("warehouse",),
            order=30,
        )
    )
