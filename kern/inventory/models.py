"""Inventory: warehouses, the location tree, lots, stock moves, quants, cost layers, counts, rules.

Stock is double-entry: every movement of goods is a `Move` from one location to another. A move
is concrete — one product, one source location, one destination, at most one lot — so on-hand
in a location is exactly the sum of its done moves in minus its done moves out. A demand that
spans several bins or lots (ten chairs, six in bin A and four in bin B) becomes several moves
that share the same `source_id` (the higher document's line).

`Quant` is the running total per product, location and lot, kept in the same transaction as the
moves. Its `reserved` column is what open deliveries have claimed; `quantity - reserved` is what
can still be promised. CHECK constraints refuse negative stock unless the row says it may go
negative (the warehouse allows it, or the product is a consumable).

`CostLayer` rows carry the value of what is in stock (perpetual valuation): one layer per
receipt for FIFO, one pooled layer per product for moving average. The sum of the open layers'
`remaining_value` is what the inventory account must show.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import ExpressionWrapper, F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kern.core.models import CompanyOwned, company_key

__all__ = [
    "INTERNAL_KINDS",
    "CostLayer",
    "Location",
    "LocationKind",
    "Lot",
    "Move",
    "MoveStatus",
    "Operation",
    "OperationKind",
    "OperationStatus",
    "Package",
    "Quant",
    "ReorderRule",
    "ReplenishMethod",
    "StockCount",
    "StockCountLine",
    "StockCountStatus",
    "Warehouse",
]

QTY = {"max_digits": 20, "decimal_places": 4}
ZERO = Decimal("0")


class LocationKind(models.TextChoices):
    VIEW = "view", _("View")
    INTERNAL = "internal", _("Internal")
    SUPPLIER = "supplier", _("Supplier")
    CUSTOMER = "customer", _("Customer")
    PRODUCTION = "production", _("Production")
    ADJUSTMENT = "adjustment", _("Inventory adjustment")
    SCRAP = "scrap", _("Scrap")
    TRANSIT = "transit", _("Transit")


# Locations whose stock the company owns: they hold quants and their moves are valued.
INTERNAL_KINDS = frozenset({LocationKind.INTERNAL, LocationKind.TRANSIT})
VIRTUAL_KINDS = (
    LocationKind.SUPPLIER,
    LocationKind.CUSTOMER,
    LocationKind.PRODUCTION,
    LocationKind.ADJUSTMENT,
    LocationKind.SCRAP,
    LocationKind.TRANSIT,
)


class Warehouse(CompanyOwned):
    """A site with its own location tree (WH → WH/Stock → zones → aisles → bins).

    The company's virtual locations are copied onto the row so that one read of the warehouse
    gives every location an operation needs.
    """

    code = models.CharField(_("code"), max_length=8)
    name = models.CharField(_("name"), max_length=100)
    allow_negative_stock = models.BooleanField(
        _("allow negative stock"),
        default=False,
        help_text=_("Deliveries may be shipped without stock; the quantity on hand goes below zero."),
    )
    street = models.CharField(_("street and number"), max_length=200, blank=True)
    postcode = models.CharField(_("postcode"), max_length=16, blank=True)
    city = models.CharField(_("city"), max_length=100, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    view_location = models.ForeignKey(
        "Location", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    stock_location = models.ForeignKey(
        "Location",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("stock location"),
    )
    supplier_location = models.ForeignKey(
        "Location", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    customer_location = models.ForeignKey(
        "Location", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    adjustment_location = models.ForeignKey(
        "Location", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    scrap_location = models.ForeignKey(
        "Location", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    production_location = models.ForeignKey(
        "Location", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    transit_location = models.ForeignKey(
        "Location", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now, editable=False)

    class Meta:
        ordering = ["code"]
        verbose_name = _("warehouse")
        verbose_name_plural = _("warehouses")
        # Stock levels and availability are read by more roles than manage the warehouse
        # (sales reps: "inventory.view_stock*").
        permissions = [("view_stock", _("Can see stock levels and availability"))]
        constraints = [models.UniqueConstraint(fields=["company", "code"], name="warehouse_unique_code")]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class Location(CompanyOwned):
    """A place stock can be: a bin in a warehouse, or a virtual counterpart (supplier, customer…).

    `path` is the materialised chain of ids from the root ("/3/7/12/"), so a whole subtree is
    one indexed prefix match.
    """

    warehouse = models.ForeignKey(
        Warehouse,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="locations",
        verbose_name=_("warehouse"),
    )
    parent = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
        verbose_name=_("parent location"),
    )
    name = models.CharField(_("name"), max_length=60)
    full_name = models.CharField(_("full name"), max_length=255, editable=False)
    kind = models.CharField(_("type"), max_length=12, choices=LocationKind.choices)
    barcode = models.CharField(_("barcode"), max_length=40, blank=True)
    path = models.CharField(max_length=255, editable=False, db_index=True)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["full_name"]
        verbose_name = _("location")
        verbose_name_plural = _("locations")
        constraints = [
            models.UniqueConstraint(
                fields=["company", "barcode"], condition=~Q(barcode=""), name="location_unique_barcode"
            ),
            models.CheckConstraint(
                condition=Q(kind__in=[k.value for k in LocationKind]), name="location_kind_valid"
            ),
        ]
        indexes = [models.Index(fields=["company", "kind"], name="location_kind_idx")]

    def __str__(self) -> str:
        return self.full_name or self.name

    @property
    def holds_stock(self) -> bool:
        return self.kind in INTERNAL_KINDS


class Lot(CompanyOwned):
    """A lot or a serial number of one product (a serial is a lot of exactly one unit)."""

    product = models.ForeignKey(
        "catalog.Product", on_delete=models.PROTECT, related_name="lots", verbose_name=_("product")
    )
    name = models.CharField(_("lot / serial number"), max_length=60)
    expiry_date = models.DateField(_("expiry date"), null=True, blank=True)
    notes = models.TextField(_("notes"), blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now, editable=False)

    class Meta:
        ordering = ["product", "name"]
        verbose_name = _("lot / serial number")
        verbose_name_plural = _("lots / serial numbers")
        constraints = [models.UniqueConstraint(fields=["company", "product", "name"], name="lot_unique_name")]
        indexes = [models.Index(fields=["company", "name"], name="lot_name_idx")]

    def __str__(self) -> str:
        return self.name


class Quant(CompanyOwned):
    """How much of a product (and lot) is in one stock-holding location, and how much is promised.

    Written only by the inventory services with set-based SQL, in the transaction of the moves
    that change it. The moves are the audited record; this row is their running total.
    """

    audit_exclude = frozenset({"quantity", "reserved"})

    product = models.ForeignKey("catalog.Product", on_delete=models.PROTECT, related_name="+")
    location = models.ForeignKey(Location, on_delete=models.PROTECT, related_name="quants")
    lot = models.ForeignKey(Lot, on_delete=models.PROTECT, null=True, blank=True, related_name="quants")
    quantity = models.DecimalField(_("on hand"), **QTY, default=ZERO)
    reserved = models.DecimalField(_("reserved"), **QTY, default=ZERO)
    negative_allowed = models.BooleanField(default=False)
    in_date = models.DateTimeField(_("in since"), default=timezone.now)

    class Meta:
        verbose_name = _("quant")
        verbose_name_plural = _("quants")
        constraints = [
            models.UniqueConstraint(
                fields=["product", "location"], condition=Q(lot__isnull=True), name="quant_unique_no_lot"
            ),
            models.UniqueConstraint(
                fields=["product", "location", "lot"], condition=Q(lot__isnull=False), name="quant_unique_lot"
            ),
            # The backstop behind the conditional updates: no negative stock, no over-promising.
            models.CheckConstraint(condition=Q(reserved__gte=0), name="quant_reserved_nonnegative"),
            models.CheckConstraint(
                condition=Q(quantity__gte=0) | Q(negative_allowed=True), name="quant_quantity_nonnegative"
            ),
            models.CheckConstraint(
                condition=Q(reserved__lte=F("quantity")) | Q(negative_allowed=True),
                name="quant_reserved_within_quantity",
            ),
        ]
        indexes = [models.Index(fields=["company", "product"], name="quant_product_idx")]

    def __str__(self) -> str:
        return f"{self.product_id}@{self.location_id}: {self.quantity}"

    @property
    def available(self) -> Decimal:
        return self.quantity - self.reserved


class OperationKind(models.TextChoices):
    RECEIPT = "receipt", _("Receipt")
    DELIVERY = "delivery", _("Delivery")
    INTERNAL = "internal", _("Internal transfer")
    CUSTOMER_RETURN = "customer_return", _("Customer return")
    SUPPLIER_RETURN = "supplier_return", _("Return to supplier")
    SCRAP = "scrap", _("Scrap")
    ADJUSTMENT = "adjustment", _("Inventory adjustment")
    PRODUCTION = "production", _("Production")


class OperationStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    WAITING = "waiting", _("Waiting for stock")
    READY = "ready", _("Ready")
    PICKED = "picked", _("Picked")
    PACKED = "packed", _("Packed")
    DONE = "done", _("Done")
    CANCELLED = "cancelled", _("Cancelled")


OPEN_OPERATION_STATUSES = (
    OperationStatus.DRAFT,
    OperationStatus.WAITING,
    OperationStatus.READY,
    OperationStatus.PICKED,
    OperationStatus.PACKED,
)


class Operation(CompanyOwned):
    """A stock document: a receipt, a delivery (pick → pack → ship), a transfer, a return, a scrap,
    an adjustment. Its moves are the lines; `source_type`/`source_id` point at the higher document
    (a sales order, a purchase order) without a foreign key."""

    S = OperationStatus
    TRANSITIONS = {
        (S.DRAFT, S.WAITING),
        (S.DRAFT, S.READY),
        (S.WAITING, S.READY),
        (S.READY, S.WAITING),
        (S.READY, S.PICKED),
        (S.WAITING, S.PICKED),
        (S.PICKED, S.PACKED),
        (S.PICKED, S.READY),
        (S.PACKED, S.PICKED),
        (S.DRAFT, S.DONE),
        (S.WAITING, S.DONE),
        (S.READY, S.DONE),
        (S.PICKED, S.DONE),
        (S.PACKED, S.DONE),
        (S.DRAFT, S.CANCELLED),
        (S.WAITING, S.CANCELLED),
        (S.READY, S.CANCELLED),
        (S.PICKED, S.CANCELLED),
        (S.PACKED, S.CANCELLED),
    }

    # No index on company alone: the (company, …) indexes below serve that look-up.
    company = company_key(indexed=False)
    kind = models.CharField(_("type"), max_length=16, choices=OperationKind.choices)
    status = models.CharField(
        _("status"), max_length=10, choices=OperationStatus.choices, default=OperationStatus.DRAFT
    )
    number = models.CharField(_("number"), max_length=40)
    # Warehouses and locations are set-up rows that most operations share: an index on them
    # would select a large part of the table and cost every insert a B-tree update.
    warehouse = models.ForeignKey(
        Warehouse,
        on_delete=models.PROTECT,
        related_name="operations",
        verbose_name=_("warehouse"),
        db_index=False,
    )
    partner = models.ForeignKey(
        "parties.Party",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("partner"),
    )
    location_from = models.ForeignKey(
        Location, on_delete=models.PROTECT, related_name="+", verbose_name=_("from"), db_index=False
    )
    location_to = models.ForeignKey(
        Location, on_delete=models.PROTECT, related_name="+", verbose_name=_("to"), db_index=False
    )
    scheduled_date = models.DateField(_("scheduled date"), default=timezone.localdate)
    date_done = models.DateField(_("date done"), null=True, blank=True)
    done_at = models.DateTimeField(_("done at"), null=True, blank=True)
    source_type = models.CharField(_("source type"), max_length=60, blank=True)
    source_id = models.BigIntegerField(_("source id"), null=True, blank=True)
    origin = models.CharField(_("origin"), max_length=60, blank=True)
    backorder_of = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="backorders",
        verbose_name=_("backorder of"),
        db_index=False,
    )
    return_of = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="returns",
        verbose_name=_("return of"),
        db_index=False,
    )
    tracking_reference = models.CharField(_("tracking reference"), max_length=80, blank=True)
    notes = models.TextField(_("notes"), blank=True)
    # The ledger role that takes the other side of the valuation (default by location kind:
    # supplier → grni, customer → cogs, adjustment/scrap/production → stock_adjustment).
    counterpart_role = models.CharField(max_length=40, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
    )
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now, editable=False)

    class Meta:
        ordering = ["-id"]
        verbose_name = _("stock operation")
        verbose_name_plural = _("stock operations")
        constraints = [
            models.UniqueConstraint(fields=["company", "number"], name="operation_unique_number"),
            models.CheckConstraint(
                condition=Q(kind__in=[k.value for k in OperationKind]), name="operation_kind_valid"
            ),
            models.CheckConstraint(
                condition=Q(status__in=[s.value for s in OperationStatus]), name="operation_status_valid"
            ),
        ]
        indexes = [
            models.Index(fields=["company", "kind", "status"], name="operation_kind_status_idx"),
            models.Index(fields=["company", "source_type", "source_id"], name="operation_source_idx"),
            models.Index(
                fields=["backorder_of"],
                name="operation_backorder_idx",
                condition=models.Q(backorder_of__isnull=False),
            ),
            models.Index(
                fields=["return_of"], name="operation_return_idx", condition=models.Q(return_of__isnull=False)
            ),
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_OPERATION_STATUSES


class MoveStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    WAITING = "waiting", _("Waiting")
    RESERVED = "reserved", _("Reserved")
    DONE = "done", _("Done")
    CANCELLED = "cancelled", _("Cancelled")


class Package(CompanyOwned):
    """A parcel packed for a delivery: the moves it holds point at it."""

    operation = models.ForeignKey(Operation, on_delete=models.CASCADE, related_name="packages")
    name = models.CharField(_("package"), max_length=40)
    weight_kg = models.DecimalField(_("weight (kg)"), max_digits=12, decimal_places=3, null=True, blank=True)
    tracking_reference = models.CharField(_("tracking reference"), max_length=80, blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now, editable=False)

    class Meta:
        ordering = ["id"]
        verbose_name = _("package")
        verbose_name_plural = _("packages")
        constraints = [models.UniqueConstraint(fields=["operation", "name"], name="package_unique_name")]

    def __str__(self) -> str:
        return self.name


class Move(CompanyOwned):
    """One movement of goods from one location to another: draft → waiting/reserved → done.

    `quantity` is in the product's unit; `uom`/`uom_quantity` keep the document's unit (12 = one
    dozen). A reserved move holds `quantity` of `quant` (its source row); done moves carry their
    value in the company currency.
    """

    # No index on company alone: the (company, …) indexes below serve that look-up.
    company = company_key(indexed=False)
    operation = models.ForeignKey(Operation, on_delete=models.PROTECT, related_name="moves")
    product = models.ForeignKey(
        "catalog.Product", on_delete=models.PROTECT, related_name="+", verbose_name=_("product")
    )
    lot = models.ForeignKey(
        Lot,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="moves",
        verbose_name=_("lot"),
        db_index=False,
    )
    # Not indexed: a few locations carry nearly all moves (stock → customers), so an index on
    # them selects a large part of the table; the (company, …) indexes serve the look-ups.
    location_from = models.ForeignKey(
        Location,
        on_delete=models.PROTECT,
        related_name="moves_out",
        verbose_name=_("from"),
        db_index=False,
    )
    location_to = models.ForeignKey(
        Location,
        on_delete=models.PROTECT,
        related_name="moves_in",
        verbose_name=_("to"),
        db_index=False,
    )
    quantity = models.DecimalField(_("quantity"), **QTY)
    uom = models.ForeignKey(
        "catalog.Uom", on_delete=models.PROTECT, related_name="+", verbose_name=_("unit"), db_index=False
    )
    uom_quantity = models.DecimalField(_("quantity in document unit"), **QTY)
    status = models.CharField(
        _("status"), max_length=10, choices=MoveStatus.choices, default=MoveStatus.DRAFT
    )
    quant = models.ForeignKey(
        Quant, on_delete=models.PROTECT, null=True, blank=True, related_name="+", db_index=False
    )
    picked = models.DecimalField(_("picked"), **QTY, default=ZERO)
    package = models.ForeignKey(
        Package,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="moves",
        db_index=False,
    )
    source_type = models.CharField(max_length=60, blank=True)
    source_id = models.BigIntegerField(null=True, blank=True)
    origin_move = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="returned_by",
        db_index=False,
    )
    unit_cost = models.DecimalField(_("unit cost"), max_digits=20, decimal_places=6, null=True, blank=True)
    value = models.DecimalField(_("value"), max_digits=20, decimal_places=2, null=True, blank=True)
    date = models.DateField(_("date"), null=True, blank=True)
    done_at = models.DateTimeField(_("done at"), null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["id"]
        verbose_name = _("stock move")
        verbose_name_plural = _("stock moves")
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gt=0), name="move_quantity_positive"),
            models.CheckConstraint(condition=Q(uom_quantity__gt=0), name="move_uom_quantity_positive"),
            models.CheckConstraint(
                condition=Q(picked__gte=0) & Q(picked__lte=F("quantity")), name="move_picked_within"
            ),
            models.CheckConstraint(
                condition=~Q(location_from=F("location_to")), name="move_locations_differ"
            ),
            models.CheckConstraint(
                condition=Q(status__in=[s.value for s in MoveStatus]), name="move_status_valid"
            ),
        ]
        indexes = [
            models.Index(fields=["company", "product", "status"], name="move_product_status_idx"),
            models.Index(fields=["company", "source_type", "source_id"], name="move_source_idx"),
            models.Index(fields=["company", "done_at"], name="move_done_idx"),
            models.Index(fields=["lot"], name="move_lot_idx", condition=models.Q(lot__isnull=False)),
            models.Index(fields=["quant"], name="move_quant_idx", condition=models.Q(quant__isnull=False)),
            models.Index(
                fields=["package"], name="move_package_idx", condition=models.Q(package__isnull=False)
            ),
            models.Index(
                fields=["origin_move"], name="move_origin_idx", condition=models.Q(origin_move__isnull=False)
            ),
        ]

    def __str__(self) -> str:
        return f"{self.product_id} {self.quantity} {self.location_from_id}→{self.location_to_id}"


class CostLayer(CompanyOwned):
    """Value of stock in hand: FIFO keeps one layer per receipt (consumed oldest first); moving
    average keeps one pooled layer per product. A layer with a negative remainder is stock shipped
    before it arrived (a warehouse allowing negative stock), settled by the next receipt."""

    audit_exclude = frozenset({"remaining_quantity", "remaining_value", "unit_cost"})

    product = models.ForeignKey("catalog.Product", on_delete=models.PROTECT, related_name="+")
    move = models.ForeignKey(Move, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    in_date = models.DateTimeField(default=timezone.now)
    quantity = models.DecimalField(**QTY)
    unit_cost = models.DecimalField(max_digits=20, decimal_places=6)
    remaining_quantity = models.DecimalField(**QTY)
    remaining_value = models.DecimalField(max_digits=20, decimal_places=2)
    is_pool = models.BooleanField(default=False)
    # Stock or value still in the layer, kept by the database. The open layers' index is partial
    # on this one column so that a query can use it on SQLite too: SQLite only uses a partial
    # index when the query repeats its condition literally, and Django sends amounts as
    # parameters — a condition on the amounts themselves was never used there.
    is_open = models.GeneratedField(
        expression=ExpressionWrapper(
            ~Q(remaining_quantity=0) | ~Q(remaining_value=0), output_field=models.BooleanField()
        ),
        output_field=models.BooleanField(),
        db_persist=True,
    )

    class Meta:
        ordering = ["in_date", "id"]
        verbose_name = _("cost layer")
        verbose_name_plural = _("cost layers")
        indexes = [
            models.Index(
                fields=["company", "product", "id"], condition=Q(is_open=True), name="costlayer_open_idx"
            )
        ]

    def __str__(self) -> str:
        return f"{self.product_id}: {self.remaining_quantity} @ {self.unit_cost}"


class StockCountStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    IN_PROGRESS = "in_progress", _("Counting")
    DONE = "done", _("Applied")
    CANCELLED = "cancelled", _("Cancelled")


class StockCount(CompanyOwned):
    """A count of one location subtree: lines are the count sheet; applying books the differences."""

    S = StockCountStatus
    TRANSITIONS = {
        (S.DRAFT, S.IN_PROGRESS),
        (S.IN_PROGRESS, S.DONE),
        (S.DRAFT, S.CANCELLED),
        (S.IN_PROGRESS, S.CANCELLED),
    }

    number = models.CharField(_("number"), max_length=40)
    warehouse = models.ForeignKey(Warehouse, on_delete=models.PROTECT, verbose_name=_("warehouse"))
    location = models.ForeignKey(
        Location, on_delete=models.PROTECT, related_name="+", verbose_name=_("location")
    )
    status = models.CharField(
        _("status"), max_length=12, choices=StockCountStatus.choices, default=StockCountStatus.DRAFT
    )
    date = models.DateField(_("count date"), default=timezone.localdate)
    adjustment = models.ForeignKey(
        Operation,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("adjustment"),
    )
    notes = models.TextField(_("notes"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now, editable=False)

    class Meta:
        ordering = ["-id"]
        verbose_name = _("stock count")
        verbose_name_plural = _("stock counts")
        constraints = [models.UniqueConstraint(fields=["company", "number"], name="stockcount_unique_number")]

    def __str__(self) -> str:
        return self.number


class StockCountLine(CompanyOwned):
    count = models.ForeignKey(StockCount, on_delete=models.CASCADE, related_name="lines")
    location = models.ForeignKey(
        Location, on_delete=models.PROTECT, related_name="+", verbose_name=_("location")
    )
    product = models.ForeignKey(
        "catalog.Product", on_delete=models.PROTECT, related_name="+", verbose_name=_("product")
    )
    lot = models.ForeignKey(Lot, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    expected = models.DecimalField(_("expected"), **QTY, default=ZERO)
    counted = models.DecimalField(_("counted"), **QTY, null=True, blank=True)
    difference = models.DecimalField(_("difference booked"), **QTY, null=True, blank=True)
    counted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    counted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["location__path", "product__sku", "id"]
        verbose_name = _("count line")
        verbose_name_plural = _("count lines")
        constraints = [
            models.UniqueConstraint(
                fields=["count", "location", "product"],
                condition=Q(lot__isnull=True),
                name="countline_unique",
            ),
            models.UniqueConstraint(
                fields=["count", "location", "product", "lot"],
                condition=Q(lot__isnull=False),
                name="countline_unique_lot",
            ),
            models.CheckConstraint(
                condition=Q(counted__isnull=True) | Q(counted__gte=0), name="countline_counted_nonnegative"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.product_id}@{self.location_id}: {self.counted}"


class ReplenishMethod(models.TextChoices):
    BUY = "buy", _("Buy")
    MANUFACTURE = "manufacture", _("Manufacture")


class ReorderRule(CompanyOwned):
    """Keep between `min_quantity` and `max_quantity` of a product in a warehouse: when the forecast
    drops below the minimum, the "to replenish" list suggests ordering up to the maximum."""

    warehouse = models.ForeignKey(
        Warehouse, on_delete=models.PROTECT, related_name="reorder_rules", verbose_name=_("warehouse")
    )
    product = models.ForeignKey(
        "catalog.Product", on_delete=models.PROTECT, related_name="+", verbose_name=_("product")
    )
    min_quantity = models.DecimalField(_("minimum"), **QTY)
    max_quantity = models.DecimalField(_("maximum"), **QTY)
    multiple = models.DecimalField(_("order in multiples of"), **QTY, default=Decimal("1"))
    lead_days = models.PositiveIntegerField(_("lead time (days)"), default=0)
    method = models.CharField(
        _("replenish by"), max_length=12, choices=ReplenishMethod.choices, default=ReplenishMethod.BUY
    )
    vendor = models.ForeignKey(
        "parties.Party",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("preferred vendor"),
    )
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["warehouse", "product"]
        verbose_name = _("reorder rule")
        verbose_name_plural = _("reorder rules")
        constraints = [
            models.UniqueConstraint(fields=["warehouse", "product"], name="reorderrule_unique"),
            models.CheckConstraint(condition=Q(min_quantity__gte=0), name="reorderrule_min_nonnegative"),
            models.CheckConstraint(
                condition=Q(max_quantity__gte=F("min_quantity")), name="reorderrule_max_above_min"
            ),
            models.CheckConstraint(condition=Q(multiple__gt=0), name="reorderrule_multiple_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.product_id} {self.min_quantity}–{self.max_quantity}"
