"""Sales: teams, quotes (configure-price-quote), sales orders, customer invoices and credit notes,
return authorisations.

Documents carry their sales rep and team (CRM and commissions read them) and keep what was sold
as it was sold: product, description, chosen options, list price, discount and net amount per
line, so a later price or configuration change never rewrites a quote, an order or an invoice.

An invoice's journal entry and its open item in receivables point back at it (source type
"sales.invoice" and its id), as do the stock operations and moves of an order ("sales.order",
"sales.orderline"): the lower apps' selectors find them from the document, so posting writes
nothing back onto the invoice. The order's warehouse is kept as a plain id.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kern.core.models import CompanyOwned, company_key

__all__ = [
    "DeliveryStatus",
    "Invoice",
    "InvoiceKind",
    "InvoiceLine",
    "InvoiceStatus",
    "InvoicingPolicy",
    "OrderInvoiceStatus",
    "OrderStatus",
    "PaymentStatus",
    "Quote",
    "QuoteLine",
    "QuoteStatus",
    "ReturnAuthorisation",
    "ReturnLine",
    "ReturnStatus",
    "SalesOrder",
    "SalesOrderLine",
    "SalesTeam",
]

ZERO = Decimal("0")
QTY = {"max_digits": 20, "decimal_places": 4}
PRICE = {"max_digits": 20, "decimal_places": 4}
AMOUNT = {"max_digits": 20, "decimal_places": 2}
PERCENT = {"max_digits": 6, "decimal_places": 2}


class SalesTeam(CompanyOwned):
    """A team of sales reps with a manager; quotes, orders and invoices record their team."""

    name = models.CharField(_("name"), max_length=100)
    manager = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="managed_sales_teams",
        verbose_name=_("manager"),
    )
    members = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="sales_teams", verbose_name=_("members")
    )
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now, editable=False)

    class Meta:
        ordering = ["name"]
        verbose_name = _("sales team")
        verbose_name_plural = _("sales teams")
        constraints = [models.UniqueConstraint(fields=["company", "name"], name="salesteam_unique_name")]

    def __str__(self) -> str:
        return self.name


class InvoicingPolicy(models.TextChoices):
    ORDER = "order", _("On order (ordered quantities)")
    DELIVERY = "delivery", _("On delivery (delivered quantities)")


class SalesDocument(CompanyOwned):
    """What a quote and an order have in common: the customer, the terms and the totals."""

    # No index on company alone: each document's (company, …) indexes serve that look-up.
    company = company_key(indexed=False)
    number = models.CharField(_("number"), max_length=40)
    customer = models.ForeignKey(
        "parties.Party", on_delete=models.PROTECT, related_name="+", verbose_name=_("customer")
    )
    contact = models.ForeignKey(
        "parties.ContactPerson",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("contact"),
        db_index=False,
    )
    currency = models.ForeignKey(
        "core.Currency",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("currency"),
        db_index=False,
    )
    payment_term = models.ForeignKey(
        "parties.PaymentTerm",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("payment term"),
        db_index=False,
    )
    invoicing_policy = models.CharField(
        _("invoicing policy"),
        max_length=10,
        choices=InvoicingPolicy.choices,
        default=InvoicingPolicy.DELIVERY,
    )
    sales_rep = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("sales rep"),
        db_index=False,
    )
    team = models.ForeignKey(
        SalesTeam,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("team"),
        db_index=False,
    )
    # Where the document came from in a higher app (a CRM opportunity): no foreign key upwards.
    source_type = models.CharField(_("source type"), max_length=60, blank=True)
    source_id = models.BigIntegerField(_("source id"), null=True, blank=True)
    customer_reference = models.CharField(_("customer reference"), max_length=80, blank=True)
    # The customer's VAT situation when the document was made (billing country, VAT id): the tax
    # codes of the lines follow from it and the product's tax category.
    tax_country = models.CharField(_("VAT country"), max_length=2, blank=True)
    tax_vat_id = models.CharField(_("customer VAT id"), max_length=20, blank=True)
    net_total = models.DecimalField(_("net"), **AMOUNT, default=ZERO)
    tax_total = models.DecimalField(_("VAT"), **AMOUNT, default=ZERO)
    total = models.DecimalField(_("total"), **AMOUNT, default=ZERO)
    cost_total = models.DecimalField(_("cost"), **AMOUNT, default=ZERO)
    notes = models.TextField(_("notes"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now, editable=False)

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return self.number

    @property
    def margin(self) -> Decimal:
        return self.net_total - self.cost_total

    @property
    def margin_percent(self) -> Decimal | None:
        if not self.net_total:
            return None
        return (self.margin / self.net_total * 100).quantize(Decimal("0.01"))


class SalesLine(CompanyOwned):
    """A line as sold: product, chosen options, quantity, list price, discount, net amount."""

    # No index on company alone: a line is reached through its document, never by company.
    company = company_key(indexed=False)
    line_no = models.PositiveIntegerField(_("line"))
    product = models.ForeignKey(
        "catalog.Product", on_delete=models.PROTECT, related_name="+", verbose_name=_("product")
    )
    description = models.CharField(_("description"), max_length=500, blank=True)
    quantity = models.DecimalField(_("quantity"), **QTY)
    uom = models.ForeignKey(
        "catalog.Uom", on_delete=models.PROTECT, related_name="+", verbose_name=_("unit"), db_index=False
    )
    list_price = models.DecimalField(_("list price"), **PRICE, default=ZERO)
    discount_percent = models.DecimalField(_("discount %"), **PERCENT, default=ZERO)
    unit_price = models.DecimalField(_("unit price"), **PRICE, default=ZERO)
    amount = models.DecimalField(_("amount"), **AMOUNT, default=ZERO)
    unit_cost = models.DecimalField(_("unit cost"), **PRICE, default=ZERO)
    price_list_id = models.BigIntegerField(null=True, blank=True)
    options = models.JSONField(_("options"), default=list, blank=True)
    option_summary = models.CharField(_("configuration"), max_length=500, blank=True)
    tax_code = models.CharField(_("VAT code"), max_length=16, blank=True)
    tax_rate = models.DecimalField(_("VAT %"), **PERCENT, default=ZERO)
    tax_kind = models.CharField(
        max_length=20, blank=True
    )  # the ledger's kind of the code (standard, intra_eu_goods …)

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return f"{self.line_no}. {self.description or self.product_id}"


# --- Quotes -----------------------------------------------------------------------------------


class QuoteStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    TO_APPROVE = "to_approve", _("Waiting for approval")
    APPROVED = "approved", _("Approved")
    SENT = "sent", _("Sent")
    ACCEPTED = "accepted", _("Accepted")
    REJECTED = "rejected", _("Rejected")
    EXPIRED = "expired", _("Expired")
    CANCELLED = "cancelled", _("Cancelled")


class Quote(SalesDocument):
    """An offer to a customer: priced, possibly configured and discounted, valid until a date.

    A discount beyond what the rep's role may give, or a margin under the company's floor, needs
    the approval of a role that may (docs/design.md, "Sales"); sending the quote gives the customer
    a signed link to accept it, and acceptance turns it into a sales order.
    """

    S = QuoteStatus
    TRANSITIONS = {
        (S.DRAFT, S.TO_APPROVE),
        (S.TO_APPROVE, S.APPROVED),
        (S.TO_APPROVE, S.DRAFT),
        (S.APPROVED, S.DRAFT),
        (S.DRAFT, S.SENT),
        (S.APPROVED, S.SENT),
        (S.SENT, S.ACCEPTED),
        (S.SENT, S.REJECTED),
        (S.SENT, S.EXPIRED),
        (S.SENT, S.DRAFT),
        (S.EXPIRED, S.DRAFT),
        (S.REJECTED, S.DRAFT),
        (S.DRAFT, S.CANCELLED),
        (S.TO_APPROVE, S.CANCELLED),
        (S.APPROVED, S.CANCELLED),
        (S.SENT, S.CANCELLED),
        (S.EXPIRED, S.CANCELLED),
        (S.REJECTED, S.CANCELLED),
    }

    status = models.CharField(
        _("status"), max_length=12, choices=QuoteStatus.choices, default=QuoteStatus.DRAFT
    )
    quote_date = models.DateField(_("quote date"), default=timezone.localdate)
    valid_until = models.DateField(_("valid until"))
    max_discount_percent = models.DecimalField(_("highest discount %"), **PERCENT, default=ZERO)
    approval_reasons = models.JSONField(_("approval needed for"), default=list, blank=True)
    approval_role = models.CharField(_("approval by"), max_length=30, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("approved by"),
    )
    approved_at = models.DateTimeField(_("approved at"), null=True, blank=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    accepted_at = models.DateTimeField(_("accepted at"), null=True, blank=True)
    accepted_by_name = models.CharField(_("accepted by"), max_length=120, blank=True)
    accepted_from = models.CharField(_("accepted from"), max_length=45, blank=True)
    rejection_reason = models.CharField(_("reason for rejection"), max_length=300, blank=True)
    # Changes with every revision, so a link sent for an earlier version no longer works.
    link_nonce = models.CharField(max_length=32, blank=True, editable=False)

    class Meta:
        ordering = ["-id"]
        verbose_name = _("quote")
        verbose_name_plural = _("quotes")
        permissions = [("approve_low_margin", "Approve quotes below the margin floor")]
        constraints = [
            models.UniqueConstraint(fields=["company", "number"], name="quote_unique_number"),
            models.CheckConstraint(
                condition=Q(valid_until__gte=F("quote_date")), name="quote_valid_after_date"
            ),
        ]
        indexes = [
            models.Index(fields=["company", "status"], name="quote_status_idx"),
            models.Index(fields=["company", "customer"], name="quote_customer_idx"),
            models.Index(fields=["company", "source_type", "source_id"], name="quote_source_idx"),
            models.Index(
                fields=["contact"], name="quote_contact_idx", condition=models.Q(contact__isnull=False)
            ),
            models.Index(
                fields=["sales_rep"], name="quote_sales_rep_idx", condition=models.Q(sales_rep__isnull=False)
            ),
            models.Index(fields=["team"], name="quote_team_idx", condition=models.Q(team__isnull=False)),
        ]

    @property
    def needs_approval(self) -> bool:
        return bool(self.approval_reasons)


class QuoteLine(SalesLine):
    # No index of its own: the unique (quote, line_no) index leads with it.
    quote = models.ForeignKey(
        Quote, on_delete=models.CASCADE, related_name="lines", verbose_name=_("quote"), db_index=False
    )

    class Meta:
        ordering = ["quote", "line_no"]
        verbose_name = _("quote line")
        verbose_name_plural = _("quote lines")
        constraints = [
            models.UniqueConstraint(fields=["quote", "line_no"], name="quoteline_unique_no"),
            models.CheckConstraint(condition=Q(quantity__gt=0), name="quoteline_quantity_positive"),
            models.CheckConstraint(
                condition=Q(discount_percent__gte=0, discount_percent__lte=100),
                name="quoteline_discount_range",
            ),
        ]


# --- Sales orders -----------------------------------------------------------------------------


class OrderStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    BLOCKED = "blocked", _("Blocked (credit)")
    CONFIRMED = "confirmed", _("Confirmed")
    DONE = "done", _("Done")
    CANCELLED = "cancelled", _("Cancelled")


class DeliveryStatus(models.TextChoices):
    NOTHING = "nothing", _("Not delivered")
    PARTLY = "partly", _("Partly delivered")
    FULLY = "fully", _("Fully delivered")


class OrderInvoiceStatus(models.TextChoices):
    NOTHING = "nothing", _("Not invoiced")
    PARTLY = "partly", _("Partly invoiced")
    FULLY = "fully", _("Fully invoiced")


class SalesOrder(SalesDocument):
    """A confirmed sale: stock is reserved, goods go out through inventory deliveries, invoices follow
    the invoicing policy. `delivery_status` and `invoice_status` track progress; the order is done
    when everything is delivered and invoiced."""

    S = OrderStatus
    TRANSITIONS = {
        (S.DRAFT, S.CONFIRMED),
        (S.DRAFT, S.BLOCKED),
        (S.BLOCKED, S.CONFIRMED),
        (S.BLOCKED, S.DRAFT),
        (S.DRAFT, S.CANCELLED),
        (S.BLOCKED, S.CANCELLED),
        (S.CONFIRMED, S.CANCELLED),
        (S.CONFIRMED, S.DONE),
        (S.DONE, S.CONFIRMED),
    }

    status = models.CharField(
        _("status"), max_length=10, choices=OrderStatus.choices, default=OrderStatus.DRAFT
    )
    delivery_status = models.CharField(
        _("delivery"), max_length=8, choices=DeliveryStatus.choices, default=DeliveryStatus.NOTHING
    )
    invoice_status = models.CharField(
        _("invoicing"), max_length=8, choices=OrderInvoiceStatus.choices, default=OrderInvoiceStatus.NOTHING
    )
    order_date = models.DateField(_("order date"), default=timezone.localdate)
    expected_date = models.DateField(_("expected delivery"), null=True, blank=True)
    quote = models.ForeignKey(
        Quote,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="orders",
        verbose_name=_("quote"),
        db_index=False,
    )
    invoice_address = models.ForeignKey(
        "parties.Address",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("invoice address"),
    )
    delivery_address = models.ForeignKey(
        "parties.Address",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("delivery address"),
    )
    warehouse_id = models.BigIntegerField(_("warehouse"), null=True, blank=True)
    invoiced_total = models.DecimalField(_("invoiced"), **AMOUNT, default=ZERO)
    credit_block_reason = models.CharField(_("credit block"), max_length=300, blank=True)
    released_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("released by"),
        db_index=False,
    )
    released_at = models.DateTimeField(_("released at"), null=True, blank=True)
    confirmed_at = models.DateTimeField(_("confirmed at"), null=True, blank=True)
    cancel_reason = models.CharField(_("reason for cancelling"), max_length=300, blank=True)

    class Meta:
        ordering = ["-id"]
        verbose_name = _("sales order")
        verbose_name_plural = _("sales orders")
        permissions = [("release_credit_block", "Release sales orders blocked by the credit check")]
        constraints = [models.UniqueConstraint(fields=["company", "number"], name="salesorder_unique_number")]
        indexes = [
            models.Index(fields=["company", "status"], name="salesorder_status_idx"),
            models.Index(fields=["company", "customer", "status"], name="salesorder_customer_idx"),
            models.Index(fields=["company", "source_type", "source_id"], name="salesorder_source_idx"),
            models.Index(
                fields=["contact"], name="salesorder_contact_idx", condition=models.Q(contact__isnull=False)
            ),
            models.Index(
                fields=["sales_rep"],
                name="salesorder_sales_rep_idx",
                condition=models.Q(sales_rep__isnull=False),
            ),
            models.Index(fields=["team"], name="salesorder_team_idx", condition=models.Q(team__isnull=False)),
            models.Index(
                fields=["quote"], name="salesorder_quote_idx", condition=models.Q(quote__isnull=False)
            ),
            models.Index(
                fields=["released_by"],
                name="salesorder_released_by_idx",
                condition=models.Q(released_by__isnull=False),
            ),
        ]

    @property
    def open_amount(self) -> Decimal:
        """What the customer will still be invoiced for (the credit check counts it)."""
        return max(self.total - self.invoiced_total, ZERO)


class SalesOrderLine(SalesLine):
    # No index of its own: the unique (order, line_no) index leads with it.
    order = models.ForeignKey(
        SalesOrder,
        on_delete=models.CASCADE,
        related_name="lines",
        verbose_name=_("sales order"),
        db_index=False,
    )
    qty_delivered = models.DecimalField(_("delivered"), **QTY, default=ZERO)
    qty_invoiced = models.DecimalField(_("invoiced"), **QTY, default=ZERO)
    qty_returned = models.DecimalField(_("returned"), **QTY, default=ZERO)

    class Meta:
        ordering = ["order", "line_no"]
        verbose_name = _("sales order line")
        verbose_name_plural = _("sales order lines")
        constraints = [
            models.UniqueConstraint(fields=["order", "line_no"], name="salesorderline_unique_no"),
            models.CheckConstraint(condition=Q(quantity__gt=0), name="salesorderline_quantity_positive"),
            models.CheckConstraint(
                condition=Q(discount_percent__gte=0, discount_percent__lte=100),
                name="salesorderline_discount_range",
            ),
            models.CheckConstraint(condition=Q(qty_delivered__gte=0), name="salesorderline_delivered_nonneg"),
            models.CheckConstraint(condition=Q(qty_returned__gte=0), name="salesorderline_returned_nonneg"),
        ]


# --- Invoices and credit notes ----------------------------------------------------------------


class InvoiceKind(models.TextChoices):
    INVOICE = "invoice", _("Invoice")
    CREDIT_NOTE = "credit_note", _("Credit note")


class InvoiceStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    POSTED = "posted", _("Posted")
    CANCELLED = "cancelled", _("Cancelled")


class PaymentStatus(models.TextChoices):
    NOT_PAID = "not_paid", _("Not paid")
    PARTLY_PAID = "partly_paid", _("Partly paid")
    PAID = "paid", _("Paid")


class Invoice(CompanyOwned):
    """A customer invoice or credit note. Drafts can change; posting allocates the gapless legal
    number, posts receivable / revenue / VAT through the ledger and opens the item in receivables.
    A posted invoice never changes again except for its payment status (corrections are credit
    notes)."""

    S = InvoiceStatus
    TRANSITIONS = {(S.DRAFT, S.POSTED), (S.DRAFT, S.CANCELLED)}

    # No index on company alone: the (company, …) indexes below serve that look-up.
    company = company_key(indexed=False)
    kind = models.CharField(
        _("kind"), max_length=12, choices=InvoiceKind.choices, default=InvoiceKind.INVOICE
    )
    number = models.CharField(_("number"), max_length=40, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=InvoiceStatus.choices, default=InvoiceStatus.DRAFT
    )
    payment_status = models.CharField(
        _("payment"), max_length=12, choices=PaymentStatus.choices, default=PaymentStatus.NOT_PAID
    )
    customer = models.ForeignKey(
        "parties.Party", on_delete=models.PROTECT, related_name="+", verbose_name=_("customer")
    )
    invoice_address = models.ForeignKey(
        "parties.Address",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("invoice address"),
    )
    invoice_date = models.DateField(_("invoice date"), default=timezone.localdate)
    due_date = models.DateField(_("due date"), null=True, blank=True)
    discount_date = models.DateField(_("pay with discount until"), null=True, blank=True)
    discount_amount = models.DecimalField(_("early-payment discount"), **AMOUNT, default=ZERO)
    payment_term = models.ForeignKey(
        "parties.PaymentTerm",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("payment term"),
        db_index=False,
    )
    currency = models.ForeignKey(
        "core.Currency",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("currency"),
        db_index=False,
    )
    order = models.ForeignKey(
        SalesOrder,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="invoices",
        verbose_name=_("sales order"),
    )
    original = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="credit_notes",
        verbose_name=_("credits invoice"),
        db_index=False,
    )
    return_authorisation = models.ForeignKey(
        "ReturnAuthorisation",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="credit_notes",
        verbose_name=_("return"),
        db_index=False,
    )
    sales_rep = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("sales rep"),
        db_index=False,
    )
    team = models.ForeignKey(
        SalesTeam,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("team"),
        db_index=False,
    )
    customer_reference = models.CharField(_("customer reference"), max_length=80, blank=True)
    payment_reference = models.CharField(_("payment reference"), max_length=35, blank=True)
    tax_country = models.CharField(_("VAT country"), max_length=2, blank=True)
    tax_vat_id = models.CharField(_("customer VAT id"), max_length=20, blank=True)
    net_total = models.DecimalField(_("net"), **AMOUNT, default=ZERO)
    tax_total = models.DecimalField(_("VAT"), **AMOUNT, default=ZERO)
    total = models.DecimalField(_("total"), **AMOUNT, default=ZERO)
    total_company = models.DecimalField(_("total in company currency"), **AMOUNT, default=ZERO)
    residual = models.DecimalField(_("open"), **AMOUNT, default=ZERO)
    tax_summary = models.JSONField(_("VAT breakdown"), default=list, blank=True)
    notes = models.TextField(_("notes"), blank=True)
    posted_at = models.DateTimeField(_("posted at"), null=True, blank=True)
    posted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
    )
    created_by = models.ForeignKey(
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
        verbose_name = _("customer invoice")
        verbose_name_plural = _("customer invoices")
        constraints = [
            models.UniqueConstraint(
                fields=["company", "kind", "number"], condition=~Q(number=""), name="invoice_unique_number"
            ),
            models.CheckConstraint(
                condition=Q(status__in=["draft", "cancelled"]) | ~Q(number=""),
                name="invoice_posted_has_number",
            ),
        ]
        indexes = [
            models.Index(fields=["company", "status", "payment_status"], name="invoice_status_idx"),
            models.Index(fields=["company", "customer"], name="invoice_customer_idx"),
            models.Index(fields=["company", "number"], name="invoice_number_idx"),
            models.Index(
                fields=["original"], name="invoice_original_idx", condition=models.Q(original__isnull=False)
            ),
            models.Index(
                fields=["return_authorisation"],
                name="invoice_return_auth_idx",
                condition=models.Q(return_authorisation__isnull=False),
            ),
            models.Index(
                fields=["sales_rep"],
                name="invoice_sales_rep_idx",
                condition=models.Q(sales_rep__isnull=False),
            ),
            models.Index(fields=["team"], name="invoice_team_idx", condition=models.Q(team__isnull=False)),
        ]

    def __str__(self) -> str:
        return self.number or f"{self.get_kind_display()} ({_('draft')} #{self.pk})"

    @property
    def is_credit_note(self) -> bool:
        return self.kind == InvoiceKind.CREDIT_NOTE

    @property
    def sign(self) -> int:
        """+1 for an invoice, −1 for a credit note: what it does to the customer's balance."""
        return -1 if self.is_credit_note else 1


class InvoiceLine(CompanyOwned):
    # No index on company alone: a line is reached through its invoice, never by company.
    company = company_key(indexed=False)
    # No index of its own: the unique (invoice, line_no) index leads with it.
    invoice = models.ForeignKey(
        Invoice, on_delete=models.CASCADE, related_name="lines", verbose_name=_("invoice"), db_index=False
    )
    line_no = models.PositiveIntegerField(_("line"))
    product = models.ForeignKey(
        "catalog.Product",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("product"),
    )
    description = models.CharField(_("description"), max_length=500)
    quantity = models.DecimalField(_("quantity"), **QTY)
    uom = models.ForeignKey(
        "catalog.Uom",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("unit"),
        db_index=False,
    )
    unit_price = models.DecimalField(_("unit price"), **PRICE)
    discount_percent = models.DecimalField(_("discount %"), **PERCENT, default=ZERO)
    amount = models.DecimalField(_("amount"), **AMOUNT)
    tax_code = models.CharField(_("VAT code"), max_length=16)
    tax_rate = models.DecimalField(_("VAT %"), **PERCENT, default=ZERO)
    tax_kind = models.CharField(max_length=20, blank=True)
    revenue_role = models.CharField(max_length=30, default="revenue")
    order_line = models.ForeignKey(
        SalesOrderLine, on_delete=models.PROTECT, null=True, blank=True, related_name="invoice_lines"
    )
    return_line = models.ForeignKey(
        "ReturnLine",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="invoice_lines",
        db_index=False,
    )

    class Meta:
        indexes = [
            models.Index(
                fields=["return_line"],
                name="invoiceline_return_line_idx",
                condition=models.Q(return_line__isnull=False),
            ),
        ]
        ordering = ["invoice", "line_no"]
        verbose_name = _("invoice line")
        verbose_name_plural = _("invoice lines")
        constraints = [
            models.UniqueConstraint(fields=["invoice", "line_no"], name="invoiceline_unique_no"),
            models.CheckConstraint(condition=Q(quantity__gt=0), name="invoiceline_quantity_positive"),
            models.CheckConstraint(
                condition=Q(discount_percent__gte=0, discount_percent__lte=100),
                name="invoiceline_discount_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.line_no}. {self.description}"


# --- Returns ----------------------------------------------------------------------------------


class ReturnStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    AUTHORISED = "authorised", _("Authorised")
    RECEIVED = "received", _("Received")
    CREDITED = "credited", _("Credited")
    CANCELLED = "cancelled", _("Cancelled")


class ReturnAuthorisation(CompanyOwned):
    """A return merchandise authorisation (RMA): what the customer may send back from an order.
    Authorising it opens a return receipt in inventory; the goods coming in mark it received, and
    the credit note for what came back closes it."""

    S = ReturnStatus
    TRANSITIONS = {
        (S.DRAFT, S.AUTHORISED),
        (S.AUTHORISED, S.RECEIVED),
        (S.RECEIVED, S.CREDITED),
        (S.DRAFT, S.CANCELLED),
        (S.AUTHORISED, S.CANCELLED),
    }

    number = models.CharField(_("number"), max_length=40)
    status = models.CharField(
        _("status"), max_length=10, choices=ReturnStatus.choices, default=ReturnStatus.DRAFT
    )
    order = models.ForeignKey(
        SalesOrder, on_delete=models.PROTECT, related_name="returns", verbose_name=_("sales order")
    )
    customer = models.ForeignKey(
        "parties.Party", on_delete=models.PROTECT, related_name="+", verbose_name=_("customer")
    )
    return_date = models.DateField(_("date"), default=timezone.localdate)
    reason = models.CharField(_("reason"), max_length=300, blank=True)
    # The inventory return receipts opened for it (one per delivery the goods came from).
    receipt_ids = models.JSONField(_("return receipts"), default=list, blank=True, editable=False)
    authorised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    authorised_at = models.DateTimeField(_("authorised at"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now, editable=False)

    class Meta:
        ordering = ["-id"]
        verbose_name = _("return authorisation")
        verbose_name_plural = _("return authorisations")
        constraints = [models.UniqueConstraint(fields=["company", "number"], name="return_unique_number")]

    def __str__(self) -> str:
        return self.number


class ReturnLine(CompanyOwned):
    authorisation = models.ForeignKey(
        ReturnAuthorisation, on_delete=models.CASCADE, related_name="lines", verbose_name=_("return")
    )
    order_line = models.ForeignKey(
        SalesOrderLine, on_delete=models.PROTECT, related_name="return_lines", verbose_name=_("order line")
    )
    product = models.ForeignKey(
        "catalog.Product", on_delete=models.PROTECT, related_name="+", verbose_name=_("product")
    )
    quantity = models.DecimalField(_("quantity"), **QTY)
    qty_received = models.DecimalField(_("received"), **QTY, default=ZERO)
    qty_credited = models.DecimalField(_("credited"), **QTY, default=ZERO)

    class Meta:
        ordering = ["authorisation", "id"]
        verbose_name = _("return line")
        verbose_name_plural = _("return lines")
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gt=0), name="returnline_quantity_positive"),
            models.CheckConstraint(
                condition=Q(qty_received__lte=F("quantity")), name="returnline_received_within"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.product_id} × {self.quantity}"
