"""Forms of the party pages. They validate input; the services in kern.parties.services write."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from kern.core.models import Currency
from kern.core.ui import KernModelForm
from kern.parties.models import Address, BankAccount, ContactPerson, Party, PaymentTerm


class PartyForm(KernModelForm):
    tags = forms.CharField(
        label=_("tags"),
        required=False,
        max_length=500,
        help_text=_("Separate tags with commas, e.g. Retail, Horeca."),
    )

    class Meta:
        model = Party
        fields = [
            "kind",
            "name",
            "is_customer",
            "is_vendor",
            "is_prospect",
            "is_employee",
            "email",
            "phone",
            "website",
            "vat_id",
            "kvk_number",
            "language",
            "currency",
            "payment_term",
            "credit_limit",
            "notes",
            "is_active",
        ]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["currency"].queryset = Currency.objects.filter(is_active=True)
        if self.instance.pk:
            self.initial["tags"] = ", ".join(t.name for t in self.instance.tags.all())
        else:
            del self.fields["is_active"]

    def clean_tags(self) -> list[str]:
        return [t.strip() for t in self.cleaned_data.get("tags", "").split(",") if t.strip()]


class ContactForm(KernModelForm):
    class Meta:
        model = ContactPerson
        fields = [
            "first_name",
            "last_name",
            "job_title",
            "email",
            "phone",
            "mobile",
            "language",
            "is_primary",
            "is_active",
            "notes",
        ]


class AddressForm(KernModelForm):
    class Meta:
        model = Address
        fields = ["kind", "street", "street2", "postcode", "city", "region", "country", "is_default"]


class BankAccountForm(KernModelForm):
    class Meta:
        model = BankAccount
        fields = ["iban", "bic", "holder_name", "is_default"]


class PaymentTermForm(KernModelForm):
    class Meta:
        model = PaymentTerm
        fields = ["name", "net_days", "discount_days", "discount_percent", "is_active"]
