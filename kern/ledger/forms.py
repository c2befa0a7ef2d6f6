"""Forms of the ledger pages: report periods, accounts, journals and the entry form with its lines."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from kern.core import ui
from kern.ledger.models import AccountSubtype, AccountType, JournalKind

__all__ = [
    "AccountEditForm",
    "AccountForm",
    "BalanceSheetForm",
    "EntryForm",
    "JournalEditForm",
    "JournalForm",
    "LineFormSet",
    "PeriodRangeForm",
    "ProfitAndLossForm",
]

DATE = forms.DateInput(attrs={"type": "date"})


def current_year(company: Any) -> tuple[dt.date, dt.date]:
    from kern.ledger.models import FiscalYear

    today = dt.date.today()
    year = FiscalYear.objects.filter(company=company, start_date__lte=today, end_date__gte=today).first()
    if year is None:
        return today.replace(month=1, day=1), today.replace(month=12, day=31)
    return year.start_date, year.end_date


class PeriodRangeForm(ui.KernForm):
    date_from = forms.DateField(label=_("From"), widget=DATE)
    date_to = forms.DateField(label=_("To"), widget=DATE)

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data.get("date_from") and data.get("date_to") and data["date_from"] > data["date_to"]:
            self.add_error("date_to", _("The end lies before the start."))
        return data


class ProfitAndLossForm(PeriodRangeForm):
    compare_from = forms.DateField(label=_("Compare from"), widget=DATE, required=False)
    compare_to = forms.DateField(label=_("Compare to"), widget=DATE, required=False)


class BalanceSheetForm(ui.KernForm):
    on = forms.DateField(label=_("On"), widget=DATE)
    compare_on = forms.DateField(label=_("Compare with"), widget=DATE, required=False)


class AccountForm(ui.KernForm):
    code = forms.CharField(label=_("Code"), max_length=20)
    name = forms.CharField(label=_("Name"), max_length=200)
    type = forms.ChoiceField(label=_("Type"), choices=AccountType.choices)
    subtype = forms.ChoiceField(label=_("Subtype"), choices=AccountSubtype.choices, initial="other")
    parent = forms.CharField(label=_("Parent (group) code"), max_length=20, required=False)
    is_group = forms.BooleanField(label=_("Group (not postable)"), required=False)
    rgs_code = forms.CharField(label=_("RGS code"), max_length=20, required=False)
    description = forms.CharField(
        label=_("Description"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )


class AccountEditForm(AccountForm):
    is_active = forms.BooleanField(label=_("Active"), required=False)

    def __init__(self, *args: Any, instance: Any = None, **kwargs: Any) -> None:
        if instance is not None and "initial" not in kwargs:
            kwargs["initial"] = {
                "code": instance.code,
                "name": instance.name,
                "type": instance.type,
                "subtype": instance.subtype,
                "parent": instance.parent.code if instance.parent_id else "",
                "is_group": instance.is_group,
                "rgs_code": instance.rgs_code,
                "description": instance.description,
                "is_active": instance.is_active,
            }
        super().__init__(*args, **kwargs)


class JournalForm(ui.KernForm):
    code = forms.CharField(label=_("Code"), max_length=8)
    name = forms.CharField(label=_("Name"), max_length=100)
    kind = forms.ChoiceField(label=_("Kind"), choices=JournalKind.choices)
    default_account = forms.CharField(label=_("Default account (code)"), max_length=20, required=False)


class JournalEditForm(ui.KernForm):
    name = forms.CharField(label=_("Name"), max_length=100)
    is_active = forms.BooleanField(label=_("Active"), required=False)
    default_account = forms.CharField(label=_("Default account (code)"), max_length=20, required=False)

    def __init__(self, *args: Any, instance: Any = None, **kwargs: Any) -> None:
        if instance is not None and "initial" not in kwargs:
            kwargs["initial"] = {
                "name": instance.name,
                "is_active": instance.is_active,
                "default_account": instance.default_account.code if instance.default_account_id else "",
            }
        super().__init__(*args, **kwargs)


class EntryForm(ui.KernForm):
    journal = forms.ChoiceField(label=_("Journal"))
    date = forms.DateField(label=_("Date"), widget=DATE, initial=dt.date.today)
    memo = forms.CharField(label=_("Memo"), max_length=255, required=False)

    def __init__(self, *args: Any, journals: list[tuple[str, str]] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["journal"].choices = list(journals)


class LineForm(ui.KernForm):
    account = forms.CharField(label=_("Account"), max_length=20, required=False)
    description = forms.CharField(label=_("Description"), max_length=255, required=False)
    debit = forms.DecimalField(label=_("Debit"), max_digits=20, decimal_places=2, min_value=0, required=False)
    credit = forms.DecimalField(
        label=_("Credit"), max_digits=20, decimal_places=2, min_value=0, required=False
    )
    party = forms.CharField(label=_("Party (number)"), max_length=20, required=False)
    tax_code = forms.CharField(label=_("VAT code"), max_length=16, required=False)

    def has_amount(self) -> bool:
        data = getattr(self, "cleaned_data", {}) or {}
        return bool(data.get("account")) or bool(data.get("debit")) or bool(data.get("credit"))


LineFormSet = forms.formset_factory(LineForm, extra=0, min_num=2, max_num=500, validate_max=True)


def line_totals(formset: Any) -> tuple[Decimal, Decimal]:
    debit = credit = Decimal("0")
    for form in formset.forms:
        data = getattr(form, "cleaned_data", None) or {}
        debit += data.get("debit") or Decimal("0")
        credit += data.get("credit") or Decimal("0")
    return debit, credit
