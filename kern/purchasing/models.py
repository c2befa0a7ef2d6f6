"""Purchasing: vendors' terms, requisitions, requests for quotation, purchase orders, vendor bills.

Procure to pay in documents:

    requisition ──► RFQ to several vendors ──► purchase order ──► receipt (inventory)
                                                     │                    │
                                                     └──► vendor bill ◄───┘  (three-way match)
                                                               │
                                                               └──► open item (payments) ──► payment run

Quantities have four places, unit prices six, amounts two (the ledger's). A purchase order line
keeps what inventory received (`qty_received`, and `received_value` — what the receipts credited to
goods-received-not-invoiced) and what bills charged (`qty_billed`, `billed_grni_value` — what the
bills debited to it), so GRNI per line is `received_value - billed_grni_value` and returns to zero
once the line is fully received and billed.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kern.core.models import CompanyOwned

__all__ = [
    "ApprovalLimit",
    "BillKind",
    "BillLine",
    "BillSource",
    "BillStatus",
    "BillTax",
    "MatchStatus",
    "OrderLine",
    "OrderStatus",
    "PurchaseOrder",
    "PurchasingPolicy",
    "Requisition",
    "RequisitionLine",
    "RequisitionLineStatus",
    "RequisitionOrigin",
    "RequisitionStatus",
    "Rfq",
    "RfqLine",
    "RfqQuote",
    "RfqStatus",
    "RfqVendor",
    "RfqVendorStatus",
    "VendorBill",
    "VendorIdentifier",
    "VendorPrice",
]

ZERO = Decimal("0")
QTY = {"max_digits": 20, "decimal_places": 4}
PRICE = {"max_digits": 20, "decimal_places": 6}
AMOUNT = {"max_digits": 20, "decimal_places": 2}


def _user_fk(verbose: str, related: str = "+") -> models.ForeignKey:
    return models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name=related,
        verbose_name=verbose,
    )


# --- policy ----------------------------------------------------------------------------------


class PurchasingPolicy(CompanyOwned):
    """A company's purchasing rules: three-way-match tolerances. One row per company."""

    price_tolerance_percent = models.DecimalField(
        _("price tolerance %"),
        max_digits=6,
        decimal_places=2,
        default=Decimal("2.00"),
        validators=[MinValueValidator(0)],
        help_text=_("A bill's unit price may exceed the order's by this much before it is blocked."),
    )
    quantity_tolerance_percent = models.DecimalField(
        _("quantity tolerance %"),
        max_digits=6,
        decimal_places=2,
        default=Decimal("0.00"),
        validators=[MinValueValidator(0)],
        help_text=_("A bill may charge this much more than was received before it is blocked."),
    )
    amount_tolerance = models.DecimalField(
        _("variance tolerance per line"),
        **AMOUNT,
        default=Decimal("1.00"),
        validators=[MinValueValidator(0)],
        help_text=_("Variances up to this amount (company currency) per line never block a bill."),
    )
    rfq_validity_days = models.PositiveIntegerField(_("days vendors have to answer an RFQ"), default=14)
    quality_hold = models.BooleanField(
        _("receive into quality hold"),
        default=False,
        help_text=_(
            "Goods from purchase orders arrive in a quality-hold location and are released after inspection."
        ),
    )

    class Meta:
        verbose_name = _("purchasing policy")
        verbose_name_plural = _("purchasing policies")
        constraints = [
            models.UniqueConstraint(fields=["company"], name="purchasingpolicy_one_per_company"),
            models.CheckConstraint(
                condition=Q(price_tolerance_percent__gte=0)
                & Q(quantity_tolerance_percent__gte=0)
                & Q(amount_tolerance__gte=0),
                name="purchasingpolicy_tolerances_nonnegative",
            ),
        ]

    def __str__(self) -> str:
        return str(_("Purchasing policy"))


class ApprovalLimit(CompanyOwned):
    """Up to which order amount (untaxed, company currency) a role may approve purchase orders.

    No limit (empty) means any amount. A role without a row cannot approve orders at all.
    """

    role = models.CharField(_("role"), max_length=40)
    max_amount = models.DecimalField(
        _("up to amount"),
        **AMOUNT,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
        help_text=_("Untaxed order total in the company currency; empty means without limit."),
    )

    class Meta:
        ordering = ["max_amount", "role"]
        verbose_name = _("approval limit")
        verbose_name_plural = _("approval limits")
        constraints = [
            models.UniqueConstraint(fields=["company", "role"], name="approvallimit_unique_role"),
            models.CheckConstraint(
                condition=Q(max_amount__isnull=True) | Q(max_amount__gte=0),
                name="approvallimit_amount_nonnegative",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.role} ≤ {self.max_amount if self.max_amount is not None else '∞'}"


# --- vendors' terms --------------------------------------------------------------------------


class VendorPrice(CompanyOwned):
    """What a vendor charges for a product from a minimum quantity, and how long delivery takes."""

    vendor = models.ForeignKey(
        "parties.Party", on_delete=models.PROTECT, related_name="+", verbose_name=_("vendor")
    )
    product = models.ForeignKey(
        "catalog.Product", on_delete=models.CASCADE, related_name="+", verbose_name=_("product")
    )
    vendor_sku = models.CharField(_("vendor's product code"), max_length=60, blank=True)
    vendor_product_name = models.CharField(_("vendor's product name"), max_length=200, blank=True)
    currency = models.ForeignKey(
        "core.Currency", on_delete=models.PROTECT, default="EUR", related_name="+", verbose_name=_("currency")
    )
    min_quantity = models.DecimalField(
        _("minimum quantity"), **QTY, default=Decimal("1"), validators=[MinValueValidator(0)]
    )
    unit_price = models.DecimalField(_("unit price"), **PRICE, validators=[MinValueValidator(0)])
    lead_time_days = models.PositiveIntegerField(_("lead time (days)"), default=0)
    valid_from = models.DateField(_("valid from"), null=True, blank=True)
    valid_to = models.DateField(_("valid to"), null=True, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now, editable=False)

    class Meta:
        ordering = ["product", "vendor", "min_quantity"]
        verbose_name = _("vendor price")
        verbose_name_plural = _("vendor prices")
        constraints = [
            models.CheckConstraint(condition=Q(unit_price__gte=0), name="vendorprice_price_nonnegative"),
            models.CheckConstraint(condition=Q(min_quantity__gte=0), name="vendorprice_min_qty_nonnegative"),
            models.CheckConstraint(
                condition=Q(valid_from__isnull=True)
                | Q(valid_to__isnull=True)
                | Q(valid_to__gte=models.F("valid_from")),
                name="vendorprice_valid_range",
            ),
        ]
        indexes = [
            models.Index(fields=["company", "product", "is_active"], name="vendorprice_product_idx"),
            models.Index(fields=["company", "vendor", "vendor_sku"], name="vendorprice_vendor_sku_idx"),
        ]

    def __str__(self) -> str:
        return (
            f"{self.vendor_id}/{self.product_id} ≥{self.min_quantity}: {self.unit_price} {self.currency_id}"
        )


class VendorIdentifier(CompanyOwned):
    """An electronic address or registration of a vendor (Peppol endpoint, GLN, KvK, VAT id).

    E-invoices name their seller by such identifiers; the one that found or created the vendor
    is remembered here so the next invoice from the same sender finds the same vendor.
    """

    vendor = models.ForeignKey(
        "parties.Party", on_delete=models.CASCADE, related_name="+", verbose_name=_("vendor")
    )
    scheme = models.CharField(
        _("scheme"), max_length=10, help_text=_("ISO 6523 ICD or EAS code: 0088, 0106…")
    )
    identifier = models.CharField(_("identifier"), max_length=120)
    needs_review = models.BooleanField(
        _("needs review"),
        default=False,
        help_text=_("The vendor was created from an e-invoice; check its details before paying it."),
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now, editable=False)

    class Meta:
        ordering = ["vendor", "scheme"]
        verbose_name = _("vendor identifier")
        verbose_name_plural = _("vendor identifiers")
        constraints = [
            models.UniqueConstraint(
                fields=["company", "scheme", "identifier"], name="vendoridentifier_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.scheme}:{self.identifier}"


# --- requisitions ----------------------------------------------------------------------------


class RequisitionStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")
    DONE = "done", _("Ordered")
    CANCELLED = "cancelled", _("Cancelled")


class RequisitionOrigin(models.TextChoices):
    MANUAL = "manual", _("Manual")
    REPLENISHMENT = "replenishment", _("To replenish")


class Requisition(CompanyOwned):
    """A request from inside the company to buy something; the buyer turns it into RFQs or orders."""

    S = RequisitionStatus
    TRANSITIONS = {
        (S.DRAFT, S.SUBMITTED),
        (S.DRAFT, S.APPROVED),
        (S.SUBMITTED, S.APPROVED),
        (S.SUBMITTED, S.REJECTED),
        (S.REJECTED, S.DRAFT),
        (S.APPROVED, S.DONE),
        (S.DRAFT, S.CANCELLED),
        (S.SUBMITTED, S.CANCELLED),
        (S.APPROVED, S.CANCELLED),
    }

    number = models.CharField(_("number"), max_length=40)
    status = models.CharField(
        _("status"), max_length=12, choices=RequisitionStatus.choices, default=RequisitionStatus.DRAFT
    )
    origin = models.CharField(
        _("origin"), max_length=16, choices=RequisitionOrigin.choices, default=RequisitionOrigin.MANUAL
    )
    required_date = models.DateField(_("required by"), null=True, blank=True)
    warehouse = models.ForeignKey(
        "inventory.Warehouse",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("warehouse"),
    )
    reason = models.TextField(_("reason"), blank=True)
    requested_by = _user_fk(_("requested by"))
    approved_by = _user_fk(_("approved by"))
    approved_at = models.DateTimeField(_("approved at"), null=True, blank=True)
    rejection_reason = models.TextField(_("rejection reason"), blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now, editable=False)

    class Meta:
        ordering = ["-id"]
        verbose_name = _("purchase requisition")
        verbose_name_plural = _("purchase requisitions")
        permissions = [("approve_requisition", "Can approve purchase requisitions")]
        constraints = [
            models.UniqueConstraint(fields=["company", "number"], name="requisition_unique_number")
        ]

    def __str__(self) -> str:
        return self.number


class RequisitionLineStatus(models.TextChoices):
    OPEN = "open", _("Open")
    RFQ = "rfq", _("In an RFQ")
    ORDERED = "ordered", _("Ordered")
    CANCELLED = "cancelled", _("Cancelled")


class RequisitionLine(CompanyOwned):
    requisition = models.ForeignKey(Requisition, on_delete=models.CASCADE, related_name="lines")
    product = models.ForeignKey(
        "catalog.Product", on_delete=models.PROTECT, related_name="+", verbose_name=_("product")
    )
    description = models.CharField(_("description"), max_length=255, blank=True)
    quantity = models.DecimalField(_("quantity"), **QTY)
    uom = models.ForeignKey("catalog.Uom", on_delete=models.PROTECT, related_name="+", verbose_name=_("unit"))
    required_date = models.DateField(_("required by"), null=True, blank=True)
    vendor = models.ForeignKey(
        "parties.Party",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("suggested vendor"),
    )
    estimated_price = models.DecimalField(_("estimated unit price"), **PRICE, null=True, blank=True)
    currency = models.ForeignKey(
        "core.Currency", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    status = models.CharField(
        _("status"), max_length=10, choices=RequisitionLineStatus.choices, default=RequisitionLineStatus.OPEN
    )
    # the replenishment rule or other lower document that asked for it
    source_type = models.CharField(max_length=60, blank=True)
    source_id = models.BigIntegerField(null=True, blank=True)
    order_line = models.ForeignKey(
        "OrderLine", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    rfq_line = models.ForeignKey(
        "RfqLine", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["requisition", "id"]
        verbose_name = _("requisition line")
        verbose_name_plural = _("requisition lines")
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gt=0), name="requisitionline_qty_positive")
        ]

    def __str__(self) -> str:
        return f"{self.product_id} × {self.quantity}"


# --- requests for quotation ------------------------------------------------------------------


class RfqStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SENT = "sent", _("Sent")
    AWARDED = "awarded", _("Awarded")
    CANCELLED = "cancelled", _("Cancelled")


class Rfq(CompanyOwned):
    """A request for quotation sent to several vendors; their answers are compared line by line."""

    S = RfqStatus
    TRANSITIONS = {
        (S.DRAFT, S.SENT),
        (S.SENT, S.AWARDED),
        (S.DRAFT, S.CANCELLED),
        (S.SENT, S.CANCELLED),
    }

    number = models.CharField(_("number"), max_length=40)
    status = models.CharField(_("status"), max_length=10, choices=RfqStatus.choices, default=RfqStatus.DRAFT)
    deadline = models.DateField(_("answer by"), null=True, blank=True)
    required_date = models.DateField(_("required by"), null=True, blank=True)
    currency = models.ForeignKey(
        "core.Currency", on_delete=models.PROTECT, default="EUR", related_name="+", verbose_name=_("currency")
    )
    warehouse = models.ForeignKey(
        "inventory.Warehouse",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("warehouse"),
    )
    requisition = models.ForeignKey(
        Requisition,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="rfqs",
        verbose_name=_("requisition"),
    )
    notes = models.TextField(_("notes to vendors"), blank=True)
    created_by = _user_fk(_("created by"))
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now, editable=False)

    class Meta:
        ordering = ["-id"]
        verbose_name = _("request for quotation")
        verbose_name_plural = _("requests for quotation")
        constraints = [models.UniqueConstraint(fields=["company", "number"], name="rfq_unique_number")]

    def __str__(self) -> str:
        return self.number


class RfqLine(CompanyOwned):
    rfq = models.ForeignKey(Rfq, on_delete=models.CASCADE, related_name="lines")
    position = models.PositiveIntegerField(_("line"), default=1)
    product = models.ForeignKey(
        "catalog.Product", on_delete=models.PROTECT, related_name="+", verbose_name=_("product")
    )
    description = models.CharField(_("description"), max_length=255, blank=True)
    quantity = models.DecimalField(_("quantity"), **QTY)
    uom = models.ForeignKey("catalog.Uom", on_delete=models.PROTECT, related_name="+", verbose_name=_("unit"))
    required_date = models.DateField(_("required by"), null=True, blank=True)

    class Meta:
        ordering = ["rfq", "position", "id"]
        verbose_name = _("RFQ line")
        verbose_name_plural = _("RFQ lines")
        constraints = [models.CheckConstraint(condition=Q(quantity__gt=0), name="rfqline_qty_positive")]

    def __str__(self) -> str:
        return f"{self.position}: {self.product_id} × {self.quantity}"


class RfqVendorStatus(models.TextChoices):
    INVITED = "invited", _("Invited")
    ANSWERED = "answered", _("Answered")
    DECLINED = "declined", _("Declined")
    AWARDED = "awarded", _("Awarded")
    LOST = "lost", _("Not chosen")


class RfqVendor(CompanyOwned):
    """One vendor invited to an RFQ, and the terms of its answer."""

    rfq = models.ForeignKey(Rfq, on_delete=models.CASCADE, related_name="vendors")
    vendor = models.ForeignKey(
        "parties.Party", on_delete=models.PROTECT, related_name="+", verbose_name=_("vendor")
    )
    status = models.CharField(
        _("status"), max_length=10, choices=RfqVendorStatus.choices, default=RfqVendorStatus.INVITED
    )
    email = models.EmailField(_("sent to"), blank=True)
    currency = models.ForeignKey(
        "core.Currency",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("currency"),
    )
    vendor_reference = models.CharField(_("vendor's quote number"), max_length=60, blank=True)
    valid_until = models.DateField(_("quote valid until"), null=True, blank=True)
    notes = models.TextField(_("notes"), blank=True)
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    order = models.ForeignKey(
        "PurchaseOrder",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("order"),
    )

    class Meta:
        ordering = ["rfq", "id"]
        verbose_name = _("invited vendor")
        verbose_name_plural = _("invited vendors")
        constraints = [models.UniqueConstraint(fields=["rfq", "vendor"], name="rfqvendor_unique")]

    def __str__(self) -> str:
        return f"{self.rfq_id}/{self.vendor_id}"


class RfqQuote(CompanyOwned):
    """A vendor's price for one RFQ line."""

    rfq_vendor = models.ForeignKey(RfqVendor, on_delete=models.CASCADE, related_name="quotes")
    line = models.ForeignKey(RfqLine, on_delete=models.CASCADE, related_name="quotes")
    unit_price = models.DecimalField(_("unit price"), **PRICE, validators=[MinValueValidator(0)])
    quantity = models.DecimalField(_("quantity offered"), **QTY)
    lead_time_days = models.PositiveIntegerField(_("lead time (days)"), default=0)
    note = models.CharField(_("note"), max_length=255, blank=True)
    awarded = models.BooleanField(_("awarded"), default=False)

    class Meta:
        ordering = ["line", "unit_price"]
        verbose_name = _("quoted price")
        verbose_name_plural = _("quoted prices")
        constraints = [
            models.UniqueConstraint(fields=["rfq_vendor", "line"], name="rfqquote_unique"),
            models.CheckConstraint(condition=Q(unit_price__gte=0), name="rfqquote_price_nonnegative"),
            models.CheckConstraint(condition=Q(quantity__gt=0), name="rfqquote_qty_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.line_id}: {self.unit_price}"


# --- purchase orders ---------------------------------------------------------------------------


class OrderStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    TO_APPROVE = "to_approve", _("Waiting for approval")
    APPROVED = "approved", _("Approved")
    SENT = "sent", _("Sent")
    PARTLY_RECEIVED = "partly_received", _("Partly received")
    RECEIVED = "received", _("Received")
    PARTLY_BILLED = "partly_billed", _("Partly billed")
    BILLED = "billed", _("Billed")
    DONE = "done", _("Done")
    CANCELLED = "cancelled", _("Cancelled")


# Statuses that follow from what was received and billed; the order moves between them by itself.
PROGRESS_STATUSES = (
    OrderStatus.APPROVED,
    OrderStatus.SENT,
    OrderStatus.PARTLY_RECEIVED,
    OrderStatus.RECEIVED,
    OrderStatus.PARTLY_BILLED,
    OrderStatus.BILLED,
    OrderStatus.DONE,
)
OPEN_ORDER_STATUSES = PROGRESS_STATUSES[:-1]


def _order_transitions() -> set[tuple[str, str]]:
    S = OrderStatus
    pairs = {
        (S.DRAFT, S.TO_APPROVE),
        (S.DRAFT, S.APPROVED),
        (S.TO_APPROVE, S.APPROVED),
        (S.TO_APPROVE, S.DRAFT),  # sent back for changes
        (S.APPROVED, S.SENT),
        (S.DRAFT, S.CANCELLED),
        (S.TO_APPROVE, S.CANCELLED),
        (S.APPROVED, S.CANCELLED),
        (S.SENT, S.CANCELLED),
    }
    # Receipts and bills can come in any order (and returns or cancelled bills go back), so every
    # progress status may follow every other one after approval. The order is closed by hand too.
    moving = PROGRESS_STATUSES[2:]
    for frm in (S.APPROVED, S.SENT, *moving):
        for to in moving:
            if frm != to:
                pairs.add((frm, to))
    for frm in moving[:-1]:
        pairs.add((frm, S.SENT))  # everything returned and no bill: back to waiting for goods
    return pairs


class PurchaseOrder(CompanyOwned):
    S = OrderStatus
    TRANSITIONS = _order_transitions()

    number = models.CharField(_("number"), max_length=40)
    status = models.CharField(
        _("status"), max_length=16, choices=OrderStatus.choices, default=OrderStatus.DRAFT
    )
    vendor = models.ForeignKey(
        "parties.Party", on_delete=models.PROTECT, related_name="+", verbose_name=_("vendor")
    )
    order_date = models.DateField(_("order date"), default=timezone.localdate)
    expected_date = models.DateField(_("expected delivery"), null=True, blank=True)
    currency = models.ForeignKey(
        "core.Currency", on_delete=models.PROTECT, default="EUR", related_name="+", verbose_name=_("currency")
    )
    payment_term = models.ForeignKey(
        "parties.PaymentTerm",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("payment term"),
    )
    warehouse = models.ForeignKey(
        "inventory.Warehouse",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("warehouse"),
    )
    vendor_reference = models.CharField(_("vendor's reference"), max_length=60, blank=True)
    rfq = models.ForeignKey(
        Rfq, on_delete=models.SET_NULL, null=True, blank=True, related_name="orders", verbose_name=_("RFQ")
    )
    notes = models.TextField(_("notes to the vendor"), blank=True)
    untaxed_amount = models.DecimalField(_("untaxed"), **AMOUNT, default=ZERO)
    tax_amount = models.DecimalField(_("VAT"), **AMOUNT, default=ZERO)
    total_amount = models.DecimalField(_("total"), **AMOUNT, default=ZERO)
    untaxed_company = models.DecimalField(_("untaxed (company currency)"), **AMOUNT, default=ZERO)
    approval_reason = models.CharField(_("why approval is needed"), max_length=255, blank=True)
    buyer = _user_fk(_("buyer"))
    approved_by = _user_fk(_("approved by"))
    approved_at = models.DateTimeField(_("approved at"), null=True, blank=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    sent_to = models.EmailField(_("sent to"), blank=True)
    cancel_reason = models.CharField(_("cancellation reason"), max_length=255, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now, editable=False)

    class Meta:
        ordering = ["-id"]
        verbose_name = _("purchase order")
        verbose_name_plural = _("purchase orders")
        permissions = [("approve_purchaseorder", "Can approve purchase orders")]
        constraints = [
            models.UniqueConstraint(fields=["company", "number"], name="purchaseorder_unique_number"),
            models.CheckConstraint(
                condition=Q(status__in=[s.value for s in OrderStatus]), name="purchaseorder_status_valid"
            ),
        ]
        indexes = [
            models.Index(fields=["company", "status"], name="purchaseorder_status_idx"),
            models.Index(fields=["company", "vendor"], name="purchaseorder_vendor_idx"),
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def is_editable(self) -> bool:
        return self.status in (OrderStatus.DRAFT, OrderStatus.TO_APPROVE)


class OrderLine(CompanyOwned):
    """One product on a purchase order, with what inventory received and bills charged of it.

    Quantities are in the line's unit (`uom`); `unit_price` is per that unit, in the order's currency.
    """

    order = models.ForeignKey(PurchaseOrder, on_delete=models.CASCADE, related_name="lines")
    position = models.PositiveIntegerField(_("line"), default=1)
    product = models.ForeignKey(
        "catalog.Product", on_delete=models.PROTECT, related_name="+", verbose_name=_("product")
    )
    description = models.CharField(_("description"), max_length=255, blank=True)
    vendor_sku = models.CharField(_("vendor's product code"), max_length=60, blank=True)
    quantity = models.DecimalField(_("quantity"), **QTY)
    uom = models.ForeignKey("catalog.Uom", on_delete=models.PROTECT, related_name="+", verbose_name=_("unit"))
    unit_price = models.DecimalField(_("unit price"), **PRICE, validators=[MinValueValidator(0)])
    discount_percent = models.DecimalField(
        _("discount %"), max_digits=5, decimal_places=2, default=ZERO, validators=[MinValueValidator(0)]
    )
    tax_code = models.CharField(_("VAT code"), max_length=16, blank=True)
    net_amount = models.DecimalField(_("amount"), **AMOUNT, default=ZERO)
    expected_date = models.DateField(_("expected delivery"), null=True, blank=True)
    qty_received = models.DecimalField(_("received"), **QTY, default=ZERO)
    qty_billed = models.DecimalField(_("billed"), **QTY, default=ZERO)
    received_value = models.DecimalField(_("value received"), **AMOUNT, default=ZERO)
    billed_grni_value = models.DecimalField(_("goods received billed"), **AMOUNT, default=ZERO)

    class Meta:
        ordering = ["order", "position", "id"]
        verbose_name = _("order line")
        verbose_name_plural = _("order lines")
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gt=0), name="orderline_qty_positive"),
            models.CheckConstraint(condition=Q(unit_price__gte=0), name="orderline_price_nonnegative"),
            models.CheckConstraint(
                condition=Q(discount_percent__gte=0, discount_percent__lte=100),
                name="orderline_discount_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.position}: {self.product_id} × {self.quantity}"

    @property
    def net_price(self) -> Decimal:
        """The unit price after the line discount."""
        return self.unit_price * (Decimal(100) - self.discount_percent) / Decimal(100)

    @property
    def qty_to_receive(self) -> Decimal:
        return max(self.quantity - self.qty_received, ZERO)

    @property
    def qty_to_bill(self) -> Decimal:
        return self.qty_received - self.qty_billed


# --- vendor bills ------------------------------------------------------------------------------


class BillKind(models.TextChoices):
    BILL = "bill", _("Bill")
    CREDIT_NOTE = "credit_note", _("Credit note")


class BillStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    APPROVED = "approved", _("Approved")
    PARTLY_PAID = "partly_paid", _("Partly paid")
    PAID = "paid", _("Paid")
    CANCELLED = "cancelled", _("Cancelled")


class BillSource(models.TextChoices):
    MANUAL = "manual", _("Entered by hand")
    ORDER = "order", _("From a purchase order")
    EINVOICE = "einvoice", _("E-invoice (UBL)")


class MatchStatus(models.TextChoices):
    NOT_CHECKED = "not_checked", _("Not checked")
    NO_ORDER = "no_order", _("No purchase order")
    MATCHED = "matched", _("Matched")
    VARIANCE = "variance", _("Outside tolerance")
    RELEASED = "released", _("Variance approved")


class VendorBill(CompanyOwned):
    """A vendor's invoice or credit note: a draft until approved, then posted and payable."""

    S = BillStatus
    TRANSITIONS = {
        (S.DRAFT, S.APPROVED),
        (S.DRAFT, S.CANCELLED),
        (S.APPROVED, S.CANCELLED),
        (S.APPROVED, S.PARTLY_PAID),
        (S.APPROVED, S.PAID),
        (S.PARTLY_PAID, S.PAID),
        (S.PARTLY_PAID, S.APPROVED),
        (S.PAID, S.PARTLY_PAID),
        (S.PAID, S.APPROVED),
    }

    number = models.CharField(_("number"), max_length=40, blank=True)
    kind = models.CharField(_("kind"), max_length=12, choices=BillKind.choices, default=BillKind.BILL)
    status = models.CharField(
        _("status"), max_length=12, choices=BillStatus.choices, default=BillStatus.DRAFT
    )
    source = models.CharField(
        _("source"), max_length=10, choices=BillSource.choices, default=BillSource.MANUAL
    )
    vendor = models.ForeignKey(
        "parties.Party", on_delete=models.PROTECT, related_name="+", verbose_name=_("vendor")
    )
    vendor_reference = models.CharField(_("vendor's bill number"), max_length=60, blank=True)
    reference_key = models.CharField(max_length=60, blank=True, editable=False)  # for duplicate detection
    bill_date = models.DateField(_("bill date"), default=timezone.localdate)
    due_date = models.DateField(_("due date"), null=True, blank=True)
    currency = models.ForeignKey(
        "core.Currency", on_delete=models.PROTECT, default="EUR", related_name="+", verbose_name=_("currency")
    )
    payment_term = models.ForeignKey(
        "parties.PaymentTerm",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("payment term"),
    )
    purchase_order = models.ForeignKey(
        PurchaseOrder,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="bills",
        verbose_name=_("purchase order"),
    )
    order_reference = models.CharField(_("order reference on the bill"), max_length=60, blank=True)
    payment_reference = models.CharField(_("payment reference"), max_length=140, blank=True)
    iban = models.CharField(_("pay to IBAN"), max_length=34, blank=True)
    notes = models.TextField(_("notes"), blank=True)
    untaxed_amount = models.DecimalField(_("untaxed"), **AMOUNT, default=ZERO)
    tax_amount = models.DecimalField(_("VAT"), **AMOUNT, default=ZERO)
    total_amount = models.DecimalField(_("total"), **AMOUNT, default=ZERO)
    prepaid_amount = models.DecimalField(_("paid in advance"), **AMOUNT, default=ZERO)
    rounding_amount = models.DecimalField(_("rounding"), **AMOUNT, default=ZERO)
    amount_due = models.DecimalField(_("amount due"), **AMOUNT, default=ZERO)
    residual = models.DecimalField(_("still to pay"), **AMOUNT, default=ZERO)
    match_status = models.CharField(
        _("three-way match"), max_length=12, choices=MatchStatus.choices, default=MatchStatus.NOT_CHECKED
    )
    match_findings = models.JSONField(_("match findings"), default=list, blank=True)
    payment_blocked = models.BooleanField(_("blocked for payment"), default=False)
    block_reason = models.TextField(_("why it is blocked"), blank=True)
    variance_approved_by = _user_fk(_("variance approved by"))
    variance_approved_at = models.DateTimeField(_("variance approved at"), null=True, blank=True)
    variance_note = models.CharField(_("variance note"), max_length=255, blank=True)
    einvoice_findings = models.JSONField(_("e-invoice notes"), default=list, blank=True)
    entered_by = _user_fk(_("entered by"))
    approved_by = _user_fk(_("approved by"))
    approved_at = models.DateTimeField(_("approved at"), null=True, blank=True)
    entry_id = models.BigIntegerField(_("journal entry"), null=True, blank=True, editable=False)
    entry_number = models.CharField(_("journal entry"), max_length=40, blank=True, editable=False)
    reversal_entry_id = models.BigIntegerField(null=True, blank=True, editable=False)
    cancel_reason = models.CharField(_("cancellation reason"), max_length=255, blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now, editable=False)

    class Meta:
        ordering = ["-id"]
        verbose_name = _("vendor bill")
        verbose_name_plural = _("vendor bills")
        permissions = [
            ("approve_vendorbill", "Can approve vendor bills"),
            ("approve_bill_variance", "Can approve bills outside the match tolerance"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["company", "number"], condition=~Q(number=""), name="vendorbill_unique_number"
            ),
            # The backstop behind the duplicate check: one live bill per vendor and bill number.
            models.UniqueConstraint(
                fields=["company", "vendor", "reference_key"],
                condition=~Q(reference_key="") & ~Q(status="cancelled"),
                name="vendorbill_unique_vendor_reference",
            ),
            models.CheckConstraint(
                condition=Q(status__in=[s.value for s in BillStatus]), name="vendorbill_status_valid"
            ),
        ]
        indexes = [
            models.Index(fields=["company", "status"], name="vendorbill_status_idx"),
        ]

    def __str__(self) -> str:
        return self.number or self.vendor_reference or f"#{self.pk}"

    @property
    def sign(self) -> int:
        """+1 for a bill (we owe), -1 for a credit note (the vendor owes us)."""
        return -1 if self.kind == BillKind.CREDIT_NOTE else 1


class BillLine(CompanyOwned):
    """A line of a vendor bill. Quantities may be negative (a correction on an invoice)."""

    bill = models.ForeignKey(VendorBill, on_delete=models.CASCADE, related_name="lines")
    position = models.PositiveIntegerField(_("line"), default=1)
    order_line = models.ForeignKey(
        OrderLine,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="bill_lines",
        verbose_name=_("order line"),
    )
    product = models.ForeignKey(
        "catalog.Product",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("product"),
    )
    description = models.CharField(_("description"), max_length=255)
    vendor_sku = models.CharField(_("vendor's product code"), max_length=60, blank=True)
    quantity = models.DecimalField(_("quantity"), **QTY)
    uom = models.ForeignKey(
        "catalog.Uom",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("unit"),
    )
    unit_price = models.DecimalField(_("unit price"), **PRICE)
    net_amount = models.DecimalField(_("amount"), **AMOUNT)
    tax_code = models.CharField(_("VAT code"), max_length=16, blank=True)
    tax_category = models.CharField(_("VAT category"), max_length=3, blank=True)
    tax_rate = models.DecimalField(_("VAT %"), max_digits=6, decimal_places=3, null=True, blank=True)
    account = models.CharField(
        _("expense account"), max_length=20, blank=True, help_text=_("Empty: from the product or order.")
    )
    grni_value = models.DecimalField(
        _("booked against goods received"), **AMOUNT, default=ZERO, editable=False
    )

    class Meta:
        ordering = ["bill", "position", "id"]
        verbose_name = _("bill line")
        verbose_name_plural = _("bill lines")

    def __str__(self) -> str:
        return f"{self.position}: {self.description}"


class BillTax(CompanyOwned):
    """One VAT amount of a bill: per code (and, for e-invoices, per category and rate)."""

    bill = models.ForeignKey(VendorBill, on_delete=models.CASCADE, related_name="taxes")
    tax_code = models.CharField(_("VAT code"), max_length=16, blank=True)
    category = models.CharField(_("VAT category"), max_length=3, blank=True)
    rate = models.DecimalField(_("VAT %"), max_digits=6, decimal_places=3, default=ZERO)
    base = models.DecimalField(_("taxable amount"), **AMOUNT)
    amount = models.DecimalField(_("VAT"), **AMOUNT)
    deductible = models.BooleanField(
        _("deductible"),
        default=True,
        help_text=_("Foreign VAT the company cannot reclaim is booked as cost."),
    )

    class Meta:
        ordering = ["bill", "id"]
        verbose_name = _("bill VAT")
        verbose_name_plural = _("bill VAT")

    def __str__(self) -> str:
        return f"{self.tax_code or self.category} {self.rate}%: {self.amount}"
