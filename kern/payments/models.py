"""Payments: the receivables/payables subledger (open items), payments and their allocations, bank
journals and statements, payment runs and dunning.

Signs: an open item's `amount` is positive in its natural direction — a customer invoice (what the
customer owes us) on a receivable item, a vendor bill (what we owe) on a payable item — and negative
for what reduces it: credit notes and money received or paid in advance. An allocation carries the
item's sign and reduces its residual towards zero; the database refuses a residual beyond its
amount or on the other side of zero (the backstop behind the conditional updates in services).
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kern.core.models import CompanyOwned, company_key
from kern.core.validators import validate_bic, validate_iban

__all__ = [
    "Allocation",
    "BankJournal",
    "BankStatement",
    "DunningLetter",
    "DunningLetterLine",
    "DunningLevel",
    "LineStatus",
    "OpenItem",
    "OpenItemKind",
    "OpenItemStatus",
    "Payment",
    "PaymentDirection",
    "PaymentRun",
    "PaymentRunApproval",
    "PaymentRunLine",
    "PaymentRunStatus",
    "PaymentStatus",
    "RunLineStatus",
    "StatementFormat",
    "StatementLine",
]

ZERO = Decimal("0")


def _amount(label, **kwargs):
    return models.DecimalField(label, max_digits=20, decimal_places=2, **kwargs)


class OpenItemKind(models.TextChoices):
    RECEIVABLE = "receivable", _("Receivable")
    PAYABLE = "payable", _("Payable")


class OpenItemStatus(models.TextChoices):
    OPEN = "open", _("Open")
    PARTIAL = "partial", _("Partly settled")
    PAID = "paid", _("Settled")


class OpenItem(CompanyOwned):
    """What a party owes us or we owe a party, document by document, and what is left of it."""

    # No index on company alone: the (company, …) indexes below serve that look-up.
    company = company_key(indexed=False)
    party = models.ForeignKey(
        "parties.Party", on_delete=models.PROTECT, related_name="+", verbose_name=_("party")
    )
    kind = models.CharField(_("kind"), max_length=10, choices=OpenItemKind.choices)
    source_type = models.CharField(_("source type"), max_length=40)
    source_id = models.BigIntegerField(_("source id"), null=True, blank=True)
    number = models.CharField(_("document"), max_length=60)
    reference = models.CharField(
        _("payment reference"),
        max_length=60,
        blank=True,
        help_text=_("What the payer quotes: a structured reference or the vendor's invoice number."),
    )
    document_date = models.DateField(_("document date"))
    due_date = models.DateField(_("due date"))
    discount_date = models.DateField(_("discount until"), null=True, blank=True)
    discount_amount = _amount(_("early-payment discount"), default=ZERO)
    currency = models.ForeignKey(
        "core.Currency",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("currency"),
        db_index=False,
    )
    amount = _amount(_("amount"))
    amount_company = _amount(_("amount (company currency)"))
    residual = _amount(_("residual"))
    residual_company = _amount(_("residual (company currency)"))
    status = models.CharField(
        _("status"), max_length=8, choices=OpenItemStatus.choices, default=OpenItemStatus.OPEN
    )
    entry = models.ForeignKey(
        "ledger.JournalEntry",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("journal entry"),
    )
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("entered by"),
        db_index=False,
    )
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("approved by"),
        db_index=False,
    )
    payment_blocked = models.BooleanField(_("blocked for payment"), default=False)
    block_reason = models.CharField(_("block reason"), max_length=255, blank=True)
    dunning_level = models.PositiveSmallIntegerField(_("dunning level"), default=0)
    last_dunned_on = models.DateField(_("last reminder"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now, editable=False)

    class Meta:
        ordering = ["due_date", "id"]
        verbose_name = _("open item")
        verbose_name_plural = _("open items")
        constraints = [
            models.CheckConstraint(condition=~Q(amount=0), name="openitem_amount_nonzero"),
            models.CheckConstraint(
                condition=(Q(amount__gt=0) & Q(residual__gte=0) & Q(residual__lte=F("amount")))
                | (Q(amount__lt=0) & Q(residual__lte=0) & Q(residual__gte=F("amount"))),
                name="openitem_residual_within_amount",
            ),
            models.CheckConstraint(
                condition=(Q(residual=0) & Q(residual_company=0))
                | (Q(residual__gt=0) & Q(residual_company__gte=0))
                | (Q(residual__lt=0) & Q(residual_company__lte=0)),
                name="openitem_residual_company_sign",
            ),
            models.CheckConstraint(condition=Q(discount_amount__gte=0), name="openitem_discount_nonnegative"),
            models.UniqueConstraint(
                fields=["company", "kind", "source_type", "source_id"],
                condition=Q(source_id__isnull=False),
                name="openitem_unique_source",
            ),
        ]
        indexes = [
            models.Index(fields=["company", "kind", "party", "status"], name="openitem_party_idx"),
            models.Index(fields=["company", "kind", "status", "due_date"], name="openitem_due_idx"),
            models.Index(fields=["company", "number"], name="openitem_number_idx"),
            models.Index(fields=["company", "reference"], name="openitem_reference_idx"),
            models.Index(
                fields=["entered_by"],
                name="openitem_entered_by_idx",
                condition=models.Q(entered_by__isnull=False),
            ),
            models.Index(
                fields=["approved_by"],
                name="openitem_approved_by_idx",
                condition=models.Q(approved_by__isnull=False),
            ),
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def sign(self) -> int:
        return 1 if self.amount > 0 else -1

    @property
    def is_settled(self) -> bool:
        return self.residual == 0


class BankJournal(CompanyOwned):
    """One of the company's own bank accounts: its IBAN, and where its money is booked in the ledger."""

    name = models.CharField(_("name"), max_length=80)
    iban = models.CharField(_("IBAN"), max_length=34, validators=[validate_iban])
    bic = models.CharField(_("BIC"), max_length=11, blank=True, validators=[validate_bic])
    currency = models.ForeignKey(
        "core.Currency", on_delete=models.PROTECT, default="EUR", related_name="+", verbose_name=_("currency")
    )
    journal = models.CharField(_("ledger journal"), max_length=8, help_text=_("Code of a bank journal."))
    account = models.CharField(_("ledger account"), max_length=20, help_text=_("Code of the bank account."))
    is_default = models.BooleanField(_("default"), default=False)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["-is_default", "name"]
        verbose_name = _("bank journal")
        verbose_name_plural = _("bank journals")
        constraints = [
            models.UniqueConstraint(fields=["company", "iban"], name="bankjournal_unique_iban"),
            models.UniqueConstraint(
                fields=["company"], condition=Q(is_default=True), name="bankjournal_one_default"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.iban})"


class PaymentDirection(models.TextChoices):
    INCOMING = "incoming", _("Incoming")
    OUTGOING = "outgoing", _("Outgoing")


class PaymentStatus(models.TextChoices):
    POSTED = "posted", _("Posted")
    REVERSED = "reversed", _("Reversed")


class Payment(CompanyOwned):
    """Money received from or paid to a party, posted to the bank and allocated to open items."""

    TRANSITIONS = {(PaymentStatus.POSTED, PaymentStatus.REVERSED)}

    # No index on company alone: the (company, …) indexes below serve that look-up.
    company = company_key(indexed=False)
    number = models.CharField(_("number"), max_length=40)
    direction = models.CharField(_("direction"), max_length=8, choices=PaymentDirection.choices)
    status = models.CharField(
        _("status"), max_length=8, choices=PaymentStatus.choices, default=PaymentStatus.POSTED
    )
    party = models.ForeignKey(
        "parties.Party", on_delete=models.PROTECT, related_name="+", verbose_name=_("party")
    )
    date = models.DateField(_("date"))
    amount = _amount(_("amount"))
    currency = models.ForeignKey(
        "core.Currency",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("currency"),
        db_index=False,
    )
    amount_company = _amount(_("amount (company currency)"))
    unallocated = _amount(
        _("kept as credit"), default=ZERO, help_text=_("The part not allocated to documents.")
    )
    reference = models.CharField(_("reference"), max_length=140, blank=True)
    memo = models.CharField(_("memo"), max_length=255, blank=True)
    # Not indexed: a company has a handful of bank accounts, each shared by many payments.
    bank_journal = models.ForeignKey(
        BankJournal,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="payments",
        verbose_name=_("bank journal"),
        db_index=False,
    )
    payment_run = models.ForeignKey(
        "payments.PaymentRun",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="payments",
        verbose_name=_("payment run"),
        db_index=False,
    )
    is_reconciled = models.BooleanField(_("reconciled with the bank"), default=False)
    reversed_on = models.DateField(_("reversed on"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("created by"),
        db_index=False,
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now, editable=False)

    class Meta:
        ordering = ["-date", "-id"]
        verbose_name = _("payment")
        verbose_name_plural = _("payments")
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="payment_amount_positive"),
            models.UniqueConstraint(fields=["company", "number"], name="payment_unique_number"),
        ]
        indexes = [
            models.Index(fields=["company", "party", "date"], name="payment_party_idx"),
            models.Index(fields=["company", "is_reconciled", "direction"], name="payment_reconcile_idx"),
            models.Index(
                fields=["payment_run"], name="payment_run_idx", condition=models.Q(payment_run__isnull=False)
            ),
        ]

    def __str__(self) -> str:
        return self.number


class Allocation(CompanyOwned):
    """Part of an open item settled by a payment, or offset against another open item.

    `amount` (document currency, with the item's sign) is what the payment or the counterpart
    paid; `discount` is the early-payment discount granted on top; together they reduce the
    item's residual. `amount_company` is the item's company-currency value settled (at the rate
    the item was booked); `exchange_difference` is the realised gain (+) or loss (−).
    """

    # No index on company alone: the (company, …) indexes below serve that look-up.
    company = company_key(indexed=False)
    open_item = models.ForeignKey(
        OpenItem, on_delete=models.PROTECT, related_name="allocations", verbose_name=_("open item")
    )
    payment = models.ForeignKey(
        Payment,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="allocations",
        verbose_name=_("payment"),
    )
    counterpart = models.ForeignKey(
        OpenItem,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("offset against"),
        db_index=False,
    )
    date = models.DateField(_("date"))
    amount = _amount(_("amount"))
    discount = _amount(_("discount"), default=ZERO)
    amount_company = _amount(_("settled (company currency)"))
    exchange_difference = _amount(_("exchange difference"), default=ZERO)
    is_reversed = models.BooleanField(_("reversed"), default=False)
    reversed_on = models.DateField(_("reversed on"), null=True, blank=True)

    class Meta:
        ordering = ["date", "id"]
        verbose_name = _("allocation")
        verbose_name_plural = _("allocations")
        constraints = [
            models.CheckConstraint(
                condition=Q(payment__isnull=False) | Q(counterpart__isnull=False),
                name="allocation_has_a_source",
            ),
        ]
        indexes = [
            models.Index(fields=["company", "date"], name="allocation_date_idx"),
            models.Index(
                fields=["counterpart"],
                name="allocation_counterpart_idx",
                condition=models.Q(counterpart__isnull=False),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.open_item_id}: {self.amount}"


class StatementFormat(models.TextChoices):
    CAMT053 = "camt053", _("ISO 20022 camt.053")
    CSV = "csv", _("CSV")


class BankStatement(CompanyOwned):
    bank_journal = models.ForeignKey(
        BankJournal, on_delete=models.PROTECT, related_name="statements", verbose_name=_("bank journal")
    )
    reference = models.CharField(_("statement"), max_length=80)
    iban = models.CharField(_("IBAN"), max_length=34)
    currency = models.ForeignKey(
        "core.Currency", on_delete=models.PROTECT, related_name="+", verbose_name=_("currency")
    )
    date = models.DateField(_("date"))
    period_start = models.DateField(_("from"), null=True, blank=True)
    period_end = models.DateField(_("until"), null=True, blank=True)
    opening_balance = _amount(_("opening balance"), null=True, blank=True)
    closing_balance = _amount(_("closing balance"), null=True, blank=True)
    format = models.CharField(_("format"), max_length=8, choices=StatementFormat.choices)
    filename = models.CharField(_("file"), max_length=200, blank=True)
    file_hash = models.CharField(max_length=64)
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("imported by"),
    )
    imported_at = models.DateTimeField(_("imported"), default=timezone.now, editable=False)

    class Meta:
        ordering = ["-date", "-id"]
        verbose_name = _("bank statement")
        verbose_name_plural = _("bank statements")
        constraints = [
            # The same statement twice is refused: by its identity at the bank, and by content.
            models.UniqueConstraint(
                fields=["company", "bank_journal", "reference"], name="statement_unique_reference"
            ),
            models.UniqueConstraint(fields=["company", "file_hash"], name="statement_unique_content"),
        ]

    def __str__(self) -> str:
        return self.reference


class LineStatus(models.TextChoices):
    UNMATCHED = "unmatched", _("To reconcile")
    RECONCILED = "reconciled", _("Reconciled")
    IGNORED = "ignored", _("Ignored")
    DUPLICATE = "duplicate", _("Already imported")


class StatementLine(CompanyOwned):
    statement = models.ForeignKey(
        BankStatement, on_delete=models.PROTECT, related_name="lines", verbose_name=_("statement")
    )
    sequence = models.PositiveIntegerField(_("line"))
    booking_date = models.DateField(_("booking date"))
    value_date = models.DateField(_("value date"), null=True, blank=True)
    amount = _amount(_("amount"), help_text=_("Positive: money in; negative: money out."))
    currency = models.ForeignKey(
        "core.Currency", on_delete=models.PROTECT, related_name="+", verbose_name=_("currency")
    )
    counterparty_name = models.CharField(_("counterparty"), max_length=140, blank=True)
    counterparty_iban = models.CharField(_("counterparty IBAN"), max_length=34, blank=True)
    counterparty_bic = models.CharField(_("counterparty BIC"), max_length=11, blank=True)
    remittance = models.CharField(_("description"), max_length=500, blank=True)
    structured_reference = models.CharField(_("payment reference"), max_length=60, blank=True)
    end_to_end_id = models.CharField(_("end-to-end id"), max_length=60, blank=True)
    bank_reference = models.CharField(_("bank reference"), max_length=80, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=LineStatus.choices, default=LineStatus.UNMATCHED
    )
    party = models.ForeignKey(
        "parties.Party",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("party"),
    )
    payment = models.ForeignKey(
        Payment,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="statement_lines",
        verbose_name=_("payment"),
    )
    entry = models.ForeignKey(
        "ledger.JournalEntry",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("journal entry"),
    )
    match_note = models.CharField(_("how it was matched"), max_length=200, blank=True)

    class Meta:
        ordering = ["statement", "sequence"]
        verbose_name = _("statement line")
        verbose_name_plural = _("statement lines")
        constraints = [
            models.UniqueConstraint(fields=["statement", "sequence"], name="statementline_unique_seq"),
            models.CheckConstraint(condition=~Q(amount=0), name="statementline_amount_nonzero"),
        ]
        indexes = [
            models.Index(fields=["company", "status"], name="statementline_status_idx"),
            models.Index(fields=["company", "bank_reference"], name="statementline_bankref_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.statement_id}/{self.sequence} {self.amount}"

    @property
    def is_incoming(self) -> bool:
        return self.amount > 0


class PaymentRunStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    APPROVED = "approved", _("Approved")
    EXPORTED = "exported", _("Exported")
    DONE = "done", _("Reconciled")
    CANCELLED = "cancelled", _("Cancelled")


class PaymentRun(CompanyOwned):
    """A batch of vendor payments: proposed, approved, exported as SEPA pain.001, reconciled."""

    TRANSITIONS = {
        (PaymentRunStatus.DRAFT, PaymentRunStatus.APPROVED),
        (PaymentRunStatus.DRAFT, PaymentRunStatus.CANCELLED),
        (PaymentRunStatus.APPROVED, PaymentRunStatus.EXPORTED),
        (PaymentRunStatus.APPROVED, PaymentRunStatus.CANCELLED),
        (PaymentRunStatus.EXPORTED, PaymentRunStatus.DONE),
    }

    number = models.CharField(_("number"), max_length=40)
    status = models.CharField(
        _("status"), max_length=10, choices=PaymentRunStatus.choices, default=PaymentRunStatus.DRAFT
    )
    bank_journal = models.ForeignKey(
        BankJournal, on_delete=models.PROTECT, related_name="+", verbose_name=_("bank journal")
    )
    execution_date = models.DateField(_("execution date"))
    due_until = models.DateField(_("due until"))
    currency = models.ForeignKey(
        "core.Currency", on_delete=models.PROTECT, default="EUR", related_name="+", verbose_name=_("currency")
    )
    total = _amount(_("total"), default=ZERO)
    required_approvals = models.PositiveSmallIntegerField(_("approvals needed"), default=1)
    pain001 = models.TextField(_("SEPA file"), blank=True)
    exported_at = models.DateTimeField(_("exported"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now, editable=False)

    audit_exclude = frozenset({"pain001"})

    class Meta:
        ordering = ["-execution_date", "-id"]
        verbose_name = _("payment run")
        verbose_name_plural = _("payment runs")
        permissions = [("approve_paymentrun", "Can approve payment runs")]
        constraints = [models.UniqueConstraint(fields=["company", "number"], name="paymentrun_unique_number")]

    def __str__(self) -> str:
        return self.number


class RunLineStatus(models.TextChoices):
    INCLUDED = "included", _("Included")
    ERROR = "error", _("Cannot be paid")
    PAID = "paid", _("Paid")


class PaymentRunLine(CompanyOwned):
    run = models.ForeignKey(PaymentRun, on_delete=models.CASCADE, related_name="lines", verbose_name=_("run"))
    open_item = models.ForeignKey(
        OpenItem, on_delete=models.PROTECT, related_name="+", verbose_name=_("open item")
    )
    party = models.ForeignKey(
        "parties.Party", on_delete=models.PROTECT, related_name="+", verbose_name=_("vendor")
    )
    amount = _amount(_("to pay"))
    discount = _amount(_("discount taken"), default=ZERO)
    iban = models.CharField(_("IBAN"), max_length=34, blank=True)
    bic = models.CharField(_("BIC"), max_length=11, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=RunLineStatus.choices, default=RunLineStatus.INCLUDED
    )
    error = models.CharField(_("problem"), max_length=255, blank=True)
    payment = models.ForeignKey(
        Payment, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("payment")
    )

    class Meta:
        ordering = ["run", "party", "id"]
        verbose_name = _("payment run line")
        verbose_name_plural = _("payment run lines")

    def __str__(self) -> str:
        return f"{self.run_id}: {self.open_item_id}"


class PaymentRunApproval(CompanyOwned):
    run = models.ForeignKey(
        PaymentRun, on_delete=models.CASCADE, related_name="approvals", verbose_name=_("run")
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("approver")
    )
    at = models.DateTimeField(_("approved"), default=timezone.now)

    class Meta:
        ordering = ["at"]
        verbose_name = _("approval")
        verbose_name_plural = _("approvals")
        constraints = [models.UniqueConstraint(fields=["run", "user"], name="paymentrunapproval_unique")]

    def __str__(self) -> str:
        return f"{self.run_id} by {self.user_id}"


class DunningLevel(CompanyOwned):
    """A reminder step: sent once an item is `days_overdue` past due, with its fee and wording."""

    level = models.PositiveSmallIntegerField(_("level"))
    name = models.CharField(_("name"), max_length=80)
    days_overdue = models.PositiveIntegerField(_("days overdue"))
    fee = _amount(_("fee"), default=ZERO)
    text = models.TextField(_("letter text"), blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["level"]
        verbose_name = _("dunning level")
        verbose_name_plural = _("dunning levels")
        constraints = [
            models.UniqueConstraint(fields=["company", "level"], name="dunninglevel_unique_level"),
            models.CheckConstraint(condition=Q(fee__gte=0), name="dunninglevel_fee_nonnegative"),
            models.CheckConstraint(condition=Q(level__gte=1), name="dunninglevel_level_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.level}. {self.name}"


class DunningLetter(CompanyOwned):
    number = models.CharField(_("number"), max_length=40)
    party = models.ForeignKey(
        "parties.Party", on_delete=models.PROTECT, related_name="+", verbose_name=_("customer")
    )
    level = models.PositiveSmallIntegerField(_("level"))
    date = models.DateField(_("date"))
    currency = models.ForeignKey(
        "core.Currency", on_delete=models.PROTECT, related_name="+", verbose_name=_("currency")
    )
    overdue_total = _amount(_("overdue"))
    fee = _amount(_("fee"), default=ZERO)
    fee_item = models.ForeignKey(
        OpenItem, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("fee")
    )
    text = models.TextField(_("letter text"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("created by"),
    )

    class Meta:
        ordering = ["-date", "-id"]
        verbose_name = _("dunning letter")
        verbose_name_plural = _("dunning letters")
        constraints = [
            models.UniqueConstraint(fields=["company", "number"], name="dunningletter_unique_number")
        ]

    def __str__(self) -> str:
        return self.number


class DunningLetterLine(CompanyOwned):
    letter = models.ForeignKey(
        DunningLetter, on_delete=models.CASCADE, related_name="lines", verbose_name=_("letter")
    )
    open_item = models.ForeignKey(
        OpenItem, on_delete=models.PROTECT, related_name="+", verbose_name=_("open item")
    )
    level = models.PositiveSmallIntegerField(_("level"))
    days_overdue = models.IntegerField(_("days overdue"))
    residual = _amount(_("open"))

    class Meta:
        ordering = ["letter", "id"]
        verbose_name = _("dunning letter line")
        verbose_name_plural = _("dunning letter lines")

    def __str__(self) -> str:
        return f"{self.letter_id}: {self.open_item_id}"
