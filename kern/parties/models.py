"""One Party for organisations and people, in every role they play for the company."""

from __future__ import annotations

import re
import unicodedata
from decimal import Decimal

from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField

from kern.core.models import CompanyOwned
from kern.core.validators import validate_bic, validate_iban, validate_kvk, validate_vat_id

__all__ = [
    "Address",
    "AddressKind",
    "BankAccount",
    "ContactPerson",
    "Party",
    "PartyKind",
    "PartyTag",
    "PaymentTerm",
    "normalise_name",
]

_LEGAL_FORMS = (
    r"\b(b\.?v\.?|n\.?v\.?|v\.?o\.?f\.?|c\.?v\.?|gmbh|ag|ltd|limited|inc|llc|sarl|s\.?a\.?|bvba|holding)\b"
)


def normalise_name(name: str) -> str:
    """Lowercase, accents, punctuation and legal forms removed: 'De Vries B.V.' → 'de vries'."""
    text = unicodedata.normalize("NFKD", name or "").encode("ascii", "ignore").decode().lower()
    text = re.sub(_LEGAL_FORMS, " ", text)
    text = re.sub(r"[^a-z0-9]+", " ", text)
    return " ".join(text.split())


class PartyKind(models.TextChoices):
    ORGANISATION = "organisation", _("Organisation")
    PERSON = "person", _("Person")


class PaymentTerm(CompanyOwned):
    """Net days, with an optional early-payment discount (2/10 net 30)."""

    name = models.CharField(_("name"), max_length=80)
    net_days = models.PositiveIntegerField(_("net days"), default=30)
    discount_days = models.PositiveIntegerField(_("discount days"), default=0)
    discount_percent = models.DecimalField(
        _("discount %"),
        max_digits=5,
        decimal_places=2,
        default=Decimal("0"),
        validators=[MinValueValidator(0)],
    )
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["net_days", "name"]
        verbose_name = _("payment term")
        verbose_name_plural = _("payment terms")
        constraints = [
            models.UniqueConstraint(fields=["company", "name"], name="paymentterm_unique_name"),
            models.CheckConstraint(
                condition=Q(discount_percent__gte=0, discount_percent__lt=100),
                name="paymentterm_discount_range",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class PartyTag(CompanyOwned):
    name = models.CharField(_("name"), max_length=60)

    class Meta:
        ordering = ["name"]
        verbose_name = _("tag")
        verbose_name_plural = _("tags")
        constraints = [models.UniqueConstraint(fields=["company", "name"], name="partytag_unique_name")]

    def __str__(self) -> str:
        return self.name


class Party(CompanyOwned):
    number = models.CharField(_("number"), max_length=20)
    kind = models.CharField(
        _("kind"), max_length=12, choices=PartyKind.choices, default=PartyKind.ORGANISATION
    )
    name = models.CharField(_("name"), max_length=200)
    normalised_name = models.CharField(max_length=200, editable=False, db_index=True)
    is_customer = models.BooleanField(_("customer"), default=False)
    is_vendor = models.BooleanField(_("vendor"), default=False)
    is_prospect = models.BooleanField(_("prospect"), default=False)
    is_employee = models.BooleanField(_("employee"), default=False)
    vat_id = models.CharField(_("VAT id"), max_length=20, blank=True, validators=[validate_vat_id])
    kvk_number = models.CharField(_("KvK number"), max_length=8, blank=True, validators=[validate_kvk])
    email = models.EmailField(_("e-mail"), blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    website = models.URLField(_("website"), blank=True)
    language = models.CharField(
        _("language"), max_length=5, default="nl", choices=[("nl", "Nederlands"), ("en", "English")]
    )
    currency = models.ForeignKey(
        "core.Currency", on_delete=models.PROTECT, null=True, blank=True, verbose_name=_("currency")
    )
    payment_term = models.ForeignKey(
        PaymentTerm, on_delete=models.PROTECT, null=True, blank=True, verbose_name=_("payment term")
    )
    credit_limit = models.DecimalField(
        _("credit limit"),
        max_digits=20,
        decimal_places=2,
        default=Decimal("0"),
        validators=[MinValueValidator(0)],
        help_text=_("0 means no credit limit is set."),
    )
    tags = models.ManyToManyField(PartyTag, blank=True, related_name="parties", verbose_name=_("tags"))
    notes = models.TextField(_("notes"), blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now, editable=False)

    class Meta:
        ordering = ["name"]
        verbose_name = _("party")
        verbose_name_plural = _("parties")
        constraints = [
            models.UniqueConstraint(fields=["company", "number"], name="party_unique_number"),
            models.CheckConstraint(condition=Q(credit_limit__gte=0), name="party_credit_limit_nonnegative"),
        ]
        indexes = [
            models.Index(fields=["company", "vat_id"], name="party_vat_idx"),
            models.Index(fields=["company", "email"], name="party_email_idx"),
            models.Index(fields=["company", "is_customer", "name"], name="party_customer_idx"),
        ]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs) -> None:
        self.normalised_name = normalise_name(self.name)
        super().save(*args, **kwargs)

    @property
    def roles(self) -> list[str]:
        return [r for r in ("customer", "vendor", "prospect", "employee") if getattr(self, f"is_{r}")]


class AddressKind(models.TextChoices):
    BILLING = "billing", _("Billing")
    SHIPPING = "shipping", _("Shipping")
    OTHER = "other", _("Other")


class Address(CompanyOwned):
    party = models.ForeignKey(Party, on_delete=models.CASCADE, related_name="addresses")
    kind = models.CharField(
        _("kind"), max_length=10, choices=AddressKind.choices, default=AddressKind.BILLING
    )
    street = models.CharField(_("street and number"), max_length=200)
    street2 = models.CharField(_("address line 2"), max_length=200, blank=True)
    postcode = models.CharField(_("postcode"), max_length=16, blank=True)
    city = models.CharField(_("city"), max_length=100)
    region = models.CharField(_("region"), max_length=100, blank=True)
    country = CountryField(_("country"), default="NL")
    is_default = models.BooleanField(_("default"), default=True)

    class Meta:
        ordering = ["party", "kind", "-is_default", "id"]
        verbose_name = _("address")
        verbose_name_plural = _("addresses")

    def __str__(self) -> str:
        return ", ".join(
            p for p in (self.street, f"{self.postcode} {self.city}".strip(), str(self.country)) if p
        )


class ContactPerson(CompanyOwned):
    party = models.ForeignKey(Party, on_delete=models.CASCADE, related_name="contacts")
    first_name = models.CharField(_("first name"), max_length=80, blank=True)
    last_name = models.CharField(_("last name"), max_length=120)
    job_title = models.CharField(_("job title"), max_length=120, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    mobile = models.CharField(_("mobile"), max_length=40, blank=True)
    language = models.CharField(
        _("language"), max_length=5, default="nl", choices=[("nl", "Nederlands"), ("en", "English")]
    )
    is_primary = models.BooleanField(_("primary contact"), default=False)
    is_active = models.BooleanField(_("active"), default=True)
    notes = models.TextField(_("notes"), blank=True)

    class Meta:
        ordering = ["party", "-is_primary", "last_name", "first_name"]
        verbose_name = _("contact person")
        verbose_name_plural = _("contact persons")
        indexes = [models.Index(fields=["company", "email"], name="contact_email_idx")]

    def __str__(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()

    @property
    def full_name(self) -> str:
        return str(self)


class BankAccount(CompanyOwned):
    party = models.ForeignKey(Party, on_delete=models.CASCADE, related_name="bank_accounts")
    iban = models.CharField(_("IBAN"), max_length=34, validators=[validate_iban])
    bic = models.CharField(_("BIC"), max_length=11, blank=True, validators=[validate_bic])
    holder_name = models.CharField(_("account holder"), max_length=140, blank=True)
    is_default = models.BooleanField(_("default"), default=True)

    class Meta:
        ordering = ["party", "-is_default", "id"]
        verbose_name = _("bank account")
        verbose_name_plural = _("bank accounts")
        constraints = [models.UniqueConstraint(fields=["party", "iban"], name="bankaccount_unique_iban")]
        indexes = [models.Index(fields=["company", "iban"], name="bankaccount_iban_idx")]

    def __str__(self) -> str:
        return self.iban
