"""Core records: companies, currencies and rates, memberships, numbering, audit log, outbox, tokens."""

from __future__ import annotations

from typing import Any, ClassVar

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField

from kern.core.exceptions import ImmutableRecord
from kern.core.modelinit import construct, init_plan
from kern.core.validators import validate_bic, validate_iban, validate_kvk, validate_vat_id

__all__ = [
    "ApiToken",
    "Attachment",
    "AuditChain",
    "AuditEvent",
    "Audited",
    "Comment",
    "Company",
    "CompanyOwned",
    "Currency",
    "ExchangeRate",
    "IdempotencyRecord",
    "Membership",
    "OutboxEvent",
    "SavedFilter",
    "Sequence",
]

DEFAULT_TWO_FACTOR_ROLES = ["administrator", "controller", "accountant"]


def _default_two_factor_roles() -> list[str]:
    return list(DEFAULT_TWO_FACTOR_ROLES)


class Audited(models.Model):
    """Marker base: every create, change and delete of a subclass is written to the audit log.

    core.audit connects the one mechanism for all of them; `audit_exclude` names fields whose
    values never go into the log (secrets, derived caches).
    """

    audit_exclude: ClassVar[frozenset[str]] = frozenset()

    class Meta:
        abstract = True

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        # Built from keywords by a service: the cheaper constructor of core.modelinit, same result.
        if kwargs and not args:
            plan = init_plan(type(self))
            if plan is not None:
                construct(self, kwargs, plan)
                return
        super().__init__(*args, **kwargs)


class CompanyQuerySet(models.QuerySet):
    def for_company(self, company: Any) -> CompanyQuerySet:
        return self.filter(company_id=getattr(company, "pk", company))


def company_key(*, indexed: bool = True) -> models.ForeignKey:
    """The company a row belongs to. `indexed=False` where the table's (company, …) indexes
    already serve a look-up by company alone: one index fewer to update on every insert."""
    return models.ForeignKey(
        "core.Company", on_delete=models.PROTECT, verbose_name=_("company"), db_index=indexed
    )


class CompanyOwned(Audited):
    """A business row that belongs to exactly one company (the tenancy boundary)."""

    company = company_key()

    objects = CompanyQuerySet.as_manager()

    class Meta:
        abstract = True


class Currency(models.Model):
    code = models.CharField(_("code"), max_length=3, primary_key=True)
    numeric_code = models.CharField(_("numeric code"), max_length=3, blank=True)
    name = models.CharField(_("name"), max_length=80)
    minor_units = models.PositiveSmallIntegerField(_("minor units"), default=2)
    symbol = models.CharField(_("symbol"), max_length=8, blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("currency")
        verbose_name_plural = _("currencies")

    def __str__(self) -> str:
        return self.code


class Company(Audited):
    name = models.CharField(_("name"), max_length=120)
    legal_name = models.CharField(_("legal name"), max_length=200)
    kvk_number = models.CharField(_("KvK number"), max_length=8, blank=True, validators=[validate_kvk])
    vat_id = models.CharField(_("VAT id"), max_length=20, blank=True, validators=[validate_vat_id])
    base_currency = models.ForeignKey(
        Currency, on_delete=models.PROTECT, default="EUR", verbose_name=_("base currency")
    )
    fiscal_year_start_month = models.PositiveSmallIntegerField(
        _("fiscal year starts in month"), default=1, choices=[(m, str(m)) for m in range(1, 13)]
    )
    street = models.CharField(_("street and number"), max_length=200, blank=True)
    postcode = models.CharField(_("postcode"), max_length=16, blank=True)
    city = models.CharField(_("city"), max_length=100, blank=True)
    country = CountryField(_("country"), default="NL")
    iban = models.CharField(_("IBAN"), max_length=34, blank=True, validators=[validate_iban])
    bic = models.CharField(_("BIC"), max_length=11, blank=True, validators=[validate_bic])
    email = models.EmailField(_("e-mail"), blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    website = models.URLField(_("website"), blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    two_factor_roles = models.JSONField(
        _("roles that must use two-factor login"), default=_default_two_factor_roles, blank=True
    )
    settings = models.JSONField(_("settings"), default=dict, blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now, editable=False)

    class Meta:
        ordering = ["name"]
        verbose_name = _("company")
        verbose_name_plural = _("companies")
        constraints = [
            models.CheckConstraint(
                condition=Q(fiscal_year_start_month__gte=1, fiscal_year_start_month__lte=12),
                name="company_fiscal_month_valid",
            )
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def currency(self) -> str:
        return self.base_currency_id

    def fiscal_year_of(self, on) -> int:
        """The fiscal year a date falls in, named by the calendar year in which that year starts."""
        return on.year if on.month >= self.fiscal_year_start_month else on.year - 1


class ExchangeRate(models.Model):
    """1 unit of `base` buys `rate` units of `currency` on `rate_date` (ECB style: 1 EUR = 1.08 USD).

    A company-specific rate overrides the shared one for that company.
    """

    company = models.ForeignKey(Company, null=True, blank=True, on_delete=models.CASCADE)
    base = models.ForeignKey(Currency, on_delete=models.PROTECT, related_name="+", default="EUR")
    currency = models.ForeignKey(Currency, on_delete=models.PROTECT, related_name="rates")
    rate_date = models.DateField(_("valid from"))
    rate = models.DecimalField(_("rate"), max_digits=20, decimal_places=10)
    source = models.CharField(_("source"), max_length=40, blank=True)

    class Meta:
        ordering = ["-rate_date", "currency"]
        verbose_name = _("exchange rate")
        verbose_name_plural = _("exchange rates")
        constraints = [
            models.CheckConstraint(condition=Q(rate__gt=0), name="exchangerate_positive"),
            models.UniqueConstraint(
                fields=["base", "currency", "rate_date"],
                condition=Q(company__isnull=True),
                name="exchangerate_unique_shared",
            ),
            models.UniqueConstraint(
                fields=["company", "base", "currency", "rate_date"],
                condition=Q(company__isnull=False),
                name="exchangerate_unique_company",
            ),
        ]
        indexes = [models.Index(fields=["currency", "base", "rate_date"])]

    def __str__(self) -> str:
        return f"1 {self.base_id} = {self.rate} {self.currency_id} ({self.rate_date})"


class Membership(Audited):
    """A user works for a company. Roles are the user's groups (see core.roles)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships")
    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="memberships")
    is_default = models.BooleanField(_("default company"), default=False)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [models.UniqueConstraint(fields=["user", "company"], name="membership_unique")]

    def __str__(self) -> str:
        return f"{self.user} @ {self.company}"


class Sequence(models.Model):
    """A gapless counter per company, document kind and fiscal year (period_key 0: never resets)."""

    company = models.ForeignKey(Company, on_delete=models.CASCADE)
    kind = models.CharField(max_length=60)
    period_key = models.IntegerField(default=0)
    last_value = models.BigIntegerField(default=0)
    pattern = models.CharField(max_length=80)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["company", "kind", "period_key"], name="sequence_unique"),
            models.CheckConstraint(condition=Q(last_value__gte=0), name="sequence_nonnegative"),
        ]

    def __str__(self) -> str:
        return f"{self.kind}/{self.period_key}: {self.last_value}"


class AppendOnlyQuerySet(models.QuerySet):
    def update(self, **kwargs: Any) -> int:
        raise ImmutableRecord(f"{self.model._meta.label} rows are append-only")

    def delete(self) -> tuple[int, dict[str, int]]:
        raise ImmutableRecord(f"{self.model._meta.label} rows are append-only")


class AuditEvent(models.Model):
    """One create / change / delete / transition of a business row. Append-only and hash-chained.

    `hash` = SHA-256 over the previous row's hash and this row's content, so an edited row no
    longer matches its hash and a removed row breaks its successor's `prev_hash`.
    Users and companies are kept as plain ids: the log outlives what it describes.
    """

    at = models.DateTimeField(db_index=True)
    company_id = models.BigIntegerField(null=True, db_index=True)
    user_id = models.BigIntegerField(null=True)
    user_repr = models.CharField(max_length=150, blank=True)
    interface = models.CharField(max_length=16)
    request_id = models.CharField(max_length=32, blank=True)
    action = models.CharField(max_length=16)  # create | update | delete | transition | <verb>
    model = models.CharField(max_length=80)
    object_id = models.CharField(max_length=64)
    object_repr = models.CharField(max_length=200, blank=True)
    changes = models.JSONField(default=dict)
    prev_hash = models.CharField(max_length=64)
    # Not indexed: nothing looks a row up by its hash, and a unique index on random hex made each
    # audit row write a page of its own at a random place (a fifth of an O2C order's page writes).
    hash = models.CharField(max_length=64)

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        ordering = ["-id"]
        indexes = [models.Index(fields=["model", "object_id"], name="audit_object_idx")]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.action} {self.model}#{self.object_id}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise ImmutableRecord("audit events cannot be changed")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> Any:
        raise ImmutableRecord("audit events cannot be deleted")


class AuditChain(models.Model):
    """The head of the audit hash chain: one row, locked while a transaction appends."""

    last_hash = models.CharField(max_length=64)
    length = models.BigIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.length} events, head {self.last_hash[:12]}"


class OutboxEvent(models.Model):
    """A domain event, stored in the transaction that caused it; after-commit handlers run from here."""

    # Not indexed: the relay reads pending rows by id; an index on the name cost page writes
    # at scattered places on every commit for no look-up.
    name = models.CharField(max_length=80)
    company_id = models.BigIntegerField(null=True)
    payload = models.JSONField(default=dict)
    created_at = models.DateTimeField(default=timezone.now)
    processed_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.TextField(blank=True)

    class Meta:
        ordering = ["id"]
        indexes = [
            models.Index(fields=["id"], condition=Q(processed_at__isnull=True), name="outbox_pending_idx")
        ]

    def __str__(self) -> str:
        return f"{self.name}#{self.pk}"


class ApiToken(Audited):
    """A personal API token bound to one company. Only a SHA-256 of the secret is stored."""

    audit_exclude = frozenset({"key_hash", "last_used_at"})

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens")
    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(_("name"), max_length=80)
    prefix = models.CharField(max_length=12, unique=True)
    key_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField(null=True, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def is_active(self) -> bool:
        now = timezone.now()
        return self.revoked_at is None and (self.expires_at is None or self.expires_at > now)


class IdempotencyRecord(models.Model):
    """The first response to a creating POST with an Idempotency-Key, replayed on a retry."""

    principal = models.CharField(max_length=80)
    key = models.CharField(max_length=255)
    method = models.CharField(max_length=8)
    path = models.CharField(max_length=400)
    request_hash = models.CharField(max_length=64)
    status_code = models.PositiveSmallIntegerField(null=True)
    content_type = models.CharField(max_length=100, blank=True)
    body = models.BinaryField(blank=True, default=b"")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["principal", "key"], name="idempotency_unique")]

    def __str__(self) -> str:
        return f"{self.method} {self.path} [{self.key}]"


class SavedFilter(models.Model):
    """A user's saved list filter (query string and columns) for one list page."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="saved_filters")
    company = models.ForeignKey(Company, on_delete=models.CASCADE)
    list_key = models.CharField(max_length=80)
    name = models.CharField(_("name"), max_length=80)
    query = models.CharField(max_length=1000, blank=True)
    columns = models.JSONField(default=list, blank=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["user", "company", "list_key", "name"], name="savedfilter_unique")
        ]

    def __str__(self) -> str:
        return self.name


class Comment(CompanyOwned):
    """A note a user leaves on any record (`target` = model label + id), shown on its page.

    Generic by label and id rather than a content-type FK, like the audit log, so a note survives
    renamed content types and every app's records can carry notes without a migration of its own.
    """

    target_model = models.CharField(max_length=80)
    target_id = models.CharField(max_length=64)
    body = models.TextField(_("comment"))
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("author"),
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now, editable=False)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("comment")
        verbose_name_plural = _("comments")
        indexes = [models.Index(fields=["company", "target_model", "target_id"], name="comment_target_idx")]

    def __str__(self) -> str:
        return self.body[:60]


def _attachment_path(instance: Attachment, filename: str) -> str:
    import uuid

    # A random name: the original file name is kept in `filename`, never used as a path.
    return f"attachments/{instance.company_id}/{timezone.now():%Y/%m}/{uuid.uuid4().hex}"


class Attachment(CompanyOwned):
    """A file attached to any record (`target` = model label + id)."""

    target_model = models.CharField(max_length=80)
    target_id = models.CharField(max_length=64)
    file = models.FileField(_("file"), upload_to=_attachment_path, max_length=200)
    filename = models.CharField(_("file name"), max_length=200)
    content_type = models.CharField(max_length=100, blank=True)
    size = models.PositiveBigIntegerField(_("size"), default=0)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("uploaded by"),
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now, editable=False)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")
        indexes = [
            models.Index(fields=["company", "target_model", "target_id"], name="attachment_target_idx")
        ]

    def __str__(self) -> str:
        return self.filename
