"""The books: chart of accounts, journals, fiscal years and periods, taxes, entries and lines.

Posted entries and their lines are immutable three times over: the model refuses save/delete,
the queryset refuses update/delete, and database triggers (migration 0002) refuse UPDATE and
DELETE. The one change a posted entry may undergo is its status going from posted to reversed
when a reversal is posted; nothing else of the row may change (the trigger checks every column).

`AccountBalance` is a derived table (debit and credit per account per period) maintained by
`post_entry` in the same transaction; `Books` is the per-company row that serialises posting,
holds the head of the entry hash chain, the lock date and the version of the cached settings.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from kern.core.exceptions import ImmutableRecord
from kern.core.models import CompanyOwned, CompanyQuerySet

__all__ = [
    "Account",
    "AccountBalance",
    "AccountRole",
    "AccountSubtype",
    "AccountType",
    "Books",
    "DraftLine",
    "EntryKind",
    "EntryStatus",
    "FiscalYear",
    "FiscalYearStatus",
    "Journal",
    "JournalEntry",
    "JournalKind",
    "JournalLine",
    "Period",
    "PeriodKind",
    "PeriodStatus",
    "TaxCode",
    "TaxDirection",
    "TaxKind",
]

ZERO = Decimal("0")
GENESIS_HASH = "0" * 64


def _amount(verbose: str, **kwargs: Any) -> models.DecimalField:
    return models.DecimalField(verbose, max_digits=20, decimal_places=2, **kwargs)


class AccountType(models.TextChoices):
    ASSET = "asset", _("Asset")
    LIABILITY = "liability", _("Liability")
    EQUITY = "equity", _("Equity")
    INCOME = "income", _("Income")
    EXPENSE = "expense", _("Expense")


BALANCE_SHEET_TYPES = (AccountType.ASSET, AccountType.LIABILITY, AccountType.EQUITY)
PROFIT_AND_LOSS_TYPES = (AccountType.INCOME, AccountType.EXPENSE)


class AccountSubtype(models.TextChoices):
    FIXED_ASSET = "fixed_asset", _("Fixed asset")
    CURRENT_ASSET = "current_asset", _("Current asset")
    RECEIVABLE = "receivable", _("Receivable")
    BANK = "bank", _("Bank")
    CASH = "cash", _("Cash")
    INVENTORY = "inventory", _("Inventory")
    VAT = "vat", _("VAT")
    PAYABLE = "payable", _("Payable")
    CURRENT_LIABILITY = "current_liability", _("Current liability")
    LONG_TERM_LIABILITY = "long_term_liability", _("Long-term liability")
    EQUITY = "equity", _("Equity")
    RETAINED_EARNINGS = "retained_earnings", _("Retained earnings")
    REVENUE = "revenue", _("Revenue")
    OTHER_INCOME = "other_income", _("Other income")
    COST_OF_SALES = "cost_of_sales", _("Cost of sales")
    EXPENSE = "expense", _("Operating expense")
    DEPRECIATION = "depreciation", _("Depreciation")
    FINANCIAL = "financial", _("Financial income and expense")
    OTHER = "other", _("Other")


# Subtypes whose lines must name the party they are owed by or to.
PARTY_SUBTYPES = frozenset({AccountSubtype.RECEIVABLE, AccountSubtype.PAYABLE})


class Books(models.Model):
    """One row per company: the posting lock, the entry hash chain head, lock date, settings version.

    Every posting updates this row first (one statement that locks it, advances the hash chain
    and returns the version and lock date), so postings of one company are serialised and the
    chain is linear. `version` goes up whenever accounts, journals, periods, taxes or the lock
    date change; processes cache those per company and reload when the version moved.
    """

    company = models.OneToOneField("core.Company", on_delete=models.CASCADE, related_name="books")
    chart = models.CharField(_("chart of accounts"), max_length=20, default="generic")
    lock_date = models.DateField(_("lock date"), null=True, blank=True)
    version = models.BigIntegerField(default=1)
    chain_head = models.CharField(max_length=64, default=GENESIS_HASH)
    prev_head = models.CharField(max_length=64, default=GENESIS_HASH)  # scratch: head before the last post
    chain_length = models.BigIntegerField(default=0)

    class Meta:
        verbose_name = _("books")
        verbose_name_plural = _("books")

    def __str__(self) -> str:
        return f"books of company {self.company_id}"


class Account(CompanyOwned):
    code = models.CharField(_("code"), max_length=20)
    name = models.CharField(_("name"), max_length=200)
    type = models.CharField(_("type"), max_length=12, choices=AccountType.choices)
    subtype = models.CharField(
        _("subtype"), max_length=24, choices=AccountSubtype.choices, default=AccountSubtype.OTHER
    )
    parent = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
        verbose_name=_("parent"),
    )
    is_group = models.BooleanField(
        _("group (not postable)"), default=False, help_text=_("A heading that totals its children.")
    )
    is_active = models.BooleanField(_("active"), default=True)
    rgs_code = models.CharField(_("RGS code"), max_length=20, blank=True)
    currency = models.ForeignKey(
        "core.Currency",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        verbose_name=_("currency"),
        help_text=_("Only for accounts kept in one foreign currency (a USD bank account)."),
    )
    description = models.TextField(_("description"), blank=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("account")
        verbose_name_plural = _("accounts")
        constraints = [models.UniqueConstraint(fields=["company", "code"], name="account_unique_code")]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    @property
    def requires_party(self) -> bool:
        return self.subtype in PARTY_SUBTYPES

    @property
    def is_balance_sheet(self) -> bool:
        return self.type in BALANCE_SHEET_TYPES


class AccountRole(CompanyOwned):
    """Which account plays a role (receivable, revenue, vat_output_high …) for the company."""

    role = models.CharField(_("role"), max_length=40)
    account = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="roles")

    class Meta:
        ordering = ["role"]
        verbose_name = _("account role")
        verbose_name_plural = _("account roles")
        constraints = [models.UniqueConstraint(fields=["company", "role"], name="accountrole_unique")]

    def __str__(self) -> str:
        return f"{self.role} → {self.account_id}"


class JournalKind(models.TextChoices):
    SALE = "sale", _("Sales")
    PURCHASE = "purchase", _("Purchases")
    BANK = "bank", _("Bank")
    CASH = "cash", _("Cash")
    GENERAL = "general", _("General")
    STOCK = "stock", _("Stock")
    PAYROLL = "payroll", _("Payroll")


class Journal(CompanyOwned):
    code = models.CharField(_("code"), max_length=8)
    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("kind"), max_length=10, choices=JournalKind.choices)
    default_account = models.ForeignKey(
        Account,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("default account"),
        help_text=_("The bank or cash account of a bank or cash journal."),
    )
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("journal")
        verbose_name_plural = _("journals")
        constraints = [models.UniqueConstraint(fields=["company", "code"], name="journal_unique_code")]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    @property
    def sequence_kind(self) -> str:
        return f"ledger.journal.{self.code}"


class FiscalYearStatus(models.TextChoices):
    OPEN = "open", _("Open")
    CLOSED = "closed", _("Closed")


class FiscalYear(CompanyOwned):
    TRANSITIONS = {
        (FiscalYearStatus.OPEN, FiscalYearStatus.CLOSED),
        (FiscalYearStatus.CLOSED, FiscalYearStatus.OPEN),
    }

    year = models.IntegerField(_("year"), help_text=_("Named after the calendar year in which it starts."))
    start_date = models.DateField(_("start"))
    end_date = models.DateField(_("end"))
    status = models.CharField(
        _("status"), max_length=8, choices=FiscalYearStatus.choices, default=FiscalYearStatus.OPEN
    )

    class Meta:
        ordering = ["-year"]
        verbose_name = _("fiscal year")
        verbose_name_plural = _("fiscal years")
        constraints = [
            models.UniqueConstraint(fields=["company", "year"], name="fiscalyear_unique"),
            models.CheckConstraint(condition=Q(end_date__gt=models.F("start_date")), name="fiscalyear_dates"),
        ]

    def __str__(self) -> str:
        return str(self.year)


class PeriodKind(models.TextChoices):
    OPENING = "opening", _("Opening")
    REGULAR = "regular", _("Regular")
    CLOSING = "closing", _("Closing")


class PeriodStatus(models.TextChoices):
    OPEN = "open", _("Open")
    CLOSED = "closed", _("Closed")


class Period(CompanyOwned):
    """Number 1–12 are the months; 0 holds opening entries and 13 the year-end closing entry."""

    TRANSITIONS = {(PeriodStatus.OPEN, PeriodStatus.CLOSED), (PeriodStatus.CLOSED, PeriodStatus.OPEN)}

    fiscal_year = models.ForeignKey(FiscalYear, on_delete=models.PROTECT, related_name="periods")
    number = models.PositiveSmallIntegerField(_("number"))
    kind = models.CharField(_("kind"), max_length=8, choices=PeriodKind.choices, default=PeriodKind.REGULAR)
    start_date = models.DateField(_("start"))
    end_date = models.DateField(_("end"))
    status = models.CharField(
        _("status"), max_length=8, choices=PeriodStatus.choices, default=PeriodStatus.OPEN
    )

    class Meta:
        ordering = ["start_date", "number"]
        verbose_name = _("period")
        verbose_name_plural = _("periods")
        constraints = [
            models.UniqueConstraint(fields=["fiscal_year", "number"], name="period_unique_number"),
            models.CheckConstraint(condition=Q(end_date__gte=models.F("start_date")), name="period_dates"),
        ]
        indexes = [models.Index(fields=["company", "start_date"], name="period_company_start_idx")]

    def __str__(self) -> str:
        return f"{self.fiscal_year_id}/{self.number:02d}"

    @property
    def label(self) -> str:
        if self.kind == PeriodKind.OPENING:
            return f"{self.start_date.year} opening"
        if self.kind == PeriodKind.CLOSING:
            return f"{self.end_date.year} closing"
        return f"{self.start_date:%Y-%m}"


class TaxDirection(models.TextChoices):
    SALE = "sale", _("Sales")
    PURCHASE = "purchase", _("Purchases")


class TaxKind(models.TextChoices):
    STANDARD = "standard", _("Standard rate")
    REDUCED = "reduced", _("Reduced rate")
    ZERO = "zero", _("Zero rate")
    EXEMPT = "exempt", _("Exempt")
    REVERSE_CHARGE = "reverse_charge", _("Domestic reverse charge")
    INTRA_EU_GOODS = "intra_eu_goods", _("Intra-EU goods")
    INTRA_EU_SERVICES = "intra_eu_services", _("Intra-EU services")
    EXPORT = "export", _("Outside the EU (export)")
    IMPORT = "import", _("Outside the EU (import)")


class TaxCode(CompanyOwned):
    """A VAT code: rate, the account its tax goes to, and the VAT return boxes it fills.

    Reverse-charge codes (domestic reverse charge, intra-EU acquisitions, imports) self-assess:
    the tax is owed (`account`, box `tax_box`) and deducted at once (`deductible_account`,
    box 5b), so the net effect is nil but both show on the return.
    """

    code = models.CharField(_("code"), max_length=16)
    name = models.CharField(_("name"), max_length=100)
    direction = models.CharField(_("direction"), max_length=8, choices=TaxDirection.choices)
    kind = models.CharField(_("kind"), max_length=20, choices=TaxKind.choices)
    rate = models.DecimalField(_("rate %"), max_digits=6, decimal_places=3, default=ZERO)
    account = models.ForeignKey(
        Account,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("tax account"),
        help_text=_("Output VAT for sales and self-assessed codes, input VAT for purchases."),
    )
    deductible_account = models.ForeignKey(
        Account,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("deductible tax account"),
        help_text=_("Self-assessed codes only: where the deductible part goes (input VAT)."),
    )
    base_box = models.CharField(_("box for the base"), max_length=3, blank=True)
    tax_box = models.CharField(_("box for the tax"), max_length=3, blank=True)
    deductible_box = models.CharField(_("box for the deductible tax"), max_length=3, blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["direction", "code"]
        verbose_name = _("tax code")
        verbose_name_plural = _("tax codes")
        constraints = [
            models.UniqueConstraint(fields=["company", "code"], name="taxcode_unique"),
            models.CheckConstraint(condition=Q(rate__gte=0, rate__lt=100), name="taxcode_rate_range"),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    @property
    def is_self_assessed(self) -> bool:
        return self.deductible_account_id is not None


class EntryStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    POSTED = "posted", _("Posted")
    REVERSED = "reversed", _("Reversed")


class EntryKind(models.TextChoices):
    NORMAL = "normal", _("Normal")
    OPENING = "opening", _("Opening balance")
    CLOSING = "closing", _("Year-end closing")
    REVALUATION = "revaluation", _("Currency revaluation")
    REVERSAL = "reversal", _("Reversal")


class EntryQuerySet(CompanyQuerySet):
    """Drafts may be changed in bulk; a queryset touching a posted entry is refused."""

    def _refuse_if_posted(self) -> None:
        if self.exclude(status=EntryStatus.DRAFT).exists():
            raise ImmutableRecord(
                gettext("a posted journal entry cannot be changed or deleted: reverse it instead"),
                code="entry_posted",
            )

    def update(self, **kwargs: Any) -> int:
        self._refuse_if_posted()
        return super().update(**kwargs)

    def delete(self) -> tuple[int, dict[str, int]]:
        self._refuse_if_posted()
        return super().delete()


class JournalEntry(CompanyOwned):
    TRANSITIONS = {
        (EntryStatus.DRAFT, EntryStatus.POSTED),
        (EntryStatus.POSTED, EntryStatus.REVERSED),
    }

    # The composite indexes below lead with the company; a separate one would only slow inserts.
    company = models.ForeignKey(
        "core.Company", on_delete=models.PROTECT, db_index=False, verbose_name=_("company")
    )
    # Not indexed alone: a company has a handful of journals, each shared by many entries, so an
    # index on it would select a large part of the table; the (company, …) indexes serve reads.
    journal = models.ForeignKey(Journal, on_delete=models.PROTECT, related_name="entries", db_index=False)
    number = models.CharField(_("number"), max_length=40, blank=True)
    date = models.DateField(_("date"))
    period = models.ForeignKey(
        Period, on_delete=models.PROTECT, null=True, blank=True, db_index=False, related_name="+"
    )
    status = models.CharField(
        _("status"), max_length=8, choices=EntryStatus.choices, default=EntryStatus.DRAFT
    )
    kind = models.CharField(_("kind"), max_length=12, choices=EntryKind.choices, default=EntryKind.NORMAL)
    memo = models.CharField(_("memo"), max_length=255, blank=True)
    source_type = models.CharField(_("source type"), max_length=40, blank=True)
    source_id = models.BigIntegerField(_("source id"), null=True, blank=True)
    source_number = models.CharField(_("source number"), max_length=60, blank=True)
    # Mostly empty (only reversals have one): indexed where set (entry_reversal_idx).
    reversal_of = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="reversals",
        verbose_name=_("reverses"),
        db_index=False,
    )
    total = _amount(_("total"), default=ZERO)
    chain_seq = models.BigIntegerField(null=True, blank=True, editable=False)
    prev_hash = models.CharField(max_length=64, blank=True, editable=False)
    hash = models.CharField(max_length=64, blank=True, editable=False)
    posted_at = models.DateTimeField(_("posted"), null=True, blank=True)
    posted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        db_index=False,
        related_name="+",
        verbose_name=_("posted by"),
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        db_index=False,
        related_name="+",
        verbose_name=_("created by"),
    )

    objects = EntryQuerySet.as_manager()

    class Meta:
        ordering = ["-date", "-id"]
        verbose_name = _("journal entry")
        verbose_name_plural = _("journal entries")
        constraints = [
            models.UniqueConstraint(
                fields=["company", "chain_seq"],
                condition=Q(chain_seq__isnull=False),
                name="entry_chain_unique",
            ),
            models.UniqueConstraint(
                fields=["journal", "number"], condition=~Q(number=""), name="entry_number_unique"
            ),
            models.CheckConstraint(
                condition=Q(status="draft") | (~Q(number="") & Q(chain_seq__isnull=False)),
                name="entry_posted_has_number",
            ),
        ]
        indexes = [
            models.Index(fields=["company", "source_type", "source_id"], name="entry_source_idx"),
            models.Index(fields=["company", "date"], name="entry_company_date_idx"),
            models.Index(
                fields=["reversal_of"], condition=Q(reversal_of__isnull=False), name="entry_reversal_idx"
            ),
        ]

    def __str__(self) -> str:
        return self.number or f"draft {self.pk}"

    @property
    def is_posted(self) -> bool:
        return self.status != EntryStatus.DRAFT

    def _stored_status(self) -> str | None:
        snapshot = self.__dict__.get("_audit_snapshot")
        if snapshot is not None and "status" in snapshot:
            return snapshot["status"]
        if self.pk is None:
            return None
        return JournalEntry._base_manager.filter(pk=self.pk).values_list("status", flat=True).first()

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding and self._stored_status() not in (None, EntryStatus.DRAFT):
            raise ImmutableRecord(
                gettext("journal entry %(number)s is posted and cannot be changed: reverse it instead")
                % {"number": self.number},
                code="entry_posted",
            )
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> Any:
        if self._stored_status() not in (None, EntryStatus.DRAFT):
            raise ImmutableRecord(
                gettext("journal entry %(number)s is posted and cannot be deleted: reverse it instead")
                % {"number": self.number},
                code="entry_posted",
            )
        return super().delete(*args, **kwargs)


class LineQuerySet(CompanyQuerySet):
    def update(self, **kwargs: Any) -> int:
        raise ImmutableRecord(
            gettext("posted journal lines cannot be changed: reverse the entry"), code="entry_posted"
        )

    def delete(self) -> tuple[int, dict[str, int]]:
        raise ImmutableRecord(
            gettext("posted journal lines cannot be deleted: reverse the entry"), code="entry_posted"
        )


class JournalLine(CompanyOwned):
    """A posted line. Lines exist only for posted entries (drafts keep theirs in DraftLine).

    `date` and `period` repeat the entry's so reports and drill-downs read one table through one
    index; `vat_box` is the VAT return box the line counts in, fixed at posting.
    """

    company = models.ForeignKey(
        "core.Company", on_delete=models.PROTECT, db_index=False, verbose_name=_("company")
    )
    # No index of its own: the unique (entry, line_no) index leads with it.
    entry = models.ForeignKey(JournalEntry, on_delete=models.PROTECT, related_name="lines", db_index=False)
    line_no = models.PositiveSmallIntegerField(_("line"))
    account = models.ForeignKey(Account, on_delete=models.PROTECT, db_index=False, related_name="lines")
    date = models.DateField(_("date"))
    period = models.ForeignKey(Period, on_delete=models.PROTECT, db_index=False, related_name="+")
    party = models.ForeignKey(
        "parties.Party", on_delete=models.PROTECT, null=True, blank=True, db_index=False, related_name="+"
    )
    debit = _amount(_("debit"), default=ZERO)
    credit = _amount(_("credit"), default=ZERO)
    amount_currency = models.DecimalField(
        _("amount in currency"), max_digits=20, decimal_places=3, null=True, blank=True
    )
    currency = models.CharField(_("currency"), max_length=3, blank=True)
    tax_code = models.ForeignKey(
        TaxCode, on_delete=models.PROTECT, null=True, blank=True, db_index=False, related_name="+"
    )
    tax_kind = models.CharField(max_length=4, blank=True)  # "base" | "tax" | ""
    vat_box = models.CharField(max_length=3, blank=True)
    description = models.CharField(_("description"), max_length=255, blank=True)
    analytic = models.JSONField(_("analytic tags"), null=True, blank=True)
    due_date = models.DateField(_("due date"), null=True, blank=True)

    objects = LineQuerySet.as_manager()

    class Meta:
        ordering = ["entry", "line_no"]
        verbose_name = _("journal line")
        verbose_name_plural = _("journal lines")
        constraints = [
            models.CheckConstraint(condition=Q(debit__gte=0, credit__gte=0), name="line_amounts_nonnegative"),
            models.CheckConstraint(condition=Q(debit=0) | Q(credit=0), name="line_one_side"),
            models.UniqueConstraint(fields=["entry", "line_no"], name="line_unique_no"),
        ]
        indexes = [
            # The drill-down's running balance sums debit − credit over a month of one account's
            # lines: with the amounts in the index that sum reads no table row (index-only).
            models.Index(
                fields=["account", "date", "id", "debit", "credit"], name="line_account_date_amounts_idx"
            ),
            models.Index(
                fields=["company", "party", "account", "date"],
                condition=Q(party__isnull=False),
                name="line_party_idx",
            ),
            models.Index(
                fields=["company", "vat_box", "date"], condition=~Q(vat_box=""), name="line_vat_box_idx"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.entry_id}/{self.line_no}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise ImmutableRecord(
                gettext("posted journal lines cannot be changed: reverse the entry"), code="entry_posted"
            )
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> Any:
        raise ImmutableRecord(
            gettext("posted journal lines cannot be deleted: reverse the entry"), code="entry_posted"
        )

    @property
    def balance(self) -> Decimal:
        return self.debit - self.credit


class DraftLine(CompanyOwned):
    """A line of a draft entry: freely editable until the draft is posted."""

    entry = models.ForeignKey(JournalEntry, on_delete=models.CASCADE, related_name="draft_lines")
    line_no = models.PositiveSmallIntegerField(_("line"))
    account = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="+")
    party = models.ForeignKey(
        "parties.Party", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    debit = _amount(_("debit"), default=ZERO)
    credit = _amount(_("credit"), default=ZERO)
    amount_currency = models.DecimalField(
        _("amount in currency"), max_digits=20, decimal_places=3, null=True, blank=True
    )
    currency = models.CharField(_("currency"), max_length=3, blank=True)
    tax_code = models.ForeignKey(TaxCode, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    description = models.CharField(_("description"), max_length=255, blank=True)
    analytic = models.JSONField(_("analytic tags"), null=True, blank=True)
    due_date = models.DateField(_("due date"), null=True, blank=True)

    class Meta:
        ordering = ["entry", "line_no"]
        verbose_name = _("draft line")
        verbose_name_plural = _("draft lines")
        constraints = [
            models.CheckConstraint(
                condition=Q(debit__gte=0, credit__gte=0), name="draftline_amounts_nonnegative"
            ),
            models.CheckConstraint(condition=Q(debit=0) | Q(credit=0), name="draftline_one_side"),
        ]

    def __str__(self) -> str:
        return f"{self.entry_id}/{self.line_no}"


class AccountBalance(models.Model):
    """Debit and credit per account per period, kept equal to SUM over the lines at posting.

    Reports read this table (hundreds of rows) instead of the lines (millions).
    """

    company = models.ForeignKey("core.Company", on_delete=models.CASCADE, db_index=False, related_name="+")
    account = models.ForeignKey(Account, on_delete=models.CASCADE, db_index=False, related_name="+")
    period = models.ForeignKey(Period, on_delete=models.CASCADE, db_index=False, related_name="+")
    debit = _amount(_("debit"), default=ZERO)
    credit = _amount(_("credit"), default=ZERO)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["account", "period"], name="balance_unique")]
        indexes = [models.Index(fields=["company", "period"], name="balance_company_period_idx")]

    def __str__(self) -> str:
        return f"{self.account_id}@{self.period_id}: {self.debit}/{self.credit}"
