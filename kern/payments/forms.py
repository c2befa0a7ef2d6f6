"""Forms of the payments screens: statement upload, register payment, reconcile a statement line,
propose a payment run, ageing and party statement periods."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from kern.core import ui
from kern.parties.models import Party
from kern.payments.models import BankJournal, OpenItemKind, PaymentDirection, StatementFormat

MAX_UPLOAD = 10 * 1024 * 1024


def _banks(company: Any):
    return BankJournal.objects.filter(company=company, is_active=True).order_by("-is_default", "name")


class StatementUploadForm(ui.KernForm):
    file = forms.FileField(
        label=_("Statement file"), help_text=_("camt.053 (XML) or a bank's CSV export, at most 10 MB.")
    )
    format = forms.ChoiceField(
        label=_("Format"),
        required=False,
        choices=[("", _("Recognise from the file")), *StatementFormat.choices],
    )
    bank_journal = forms.ModelChoiceField(
        label=_("Bank journal"),
        queryset=BankJournal.objects.none(),
        required=False,
        empty_label=_("From the account in the file"),
    )
    mapping = forms.CharField(
        label=_("Column mapping (CSV)"),
        required=False,
        help_text=_(
            'One "column=field" per line, e.g. "Bedrag=amount"; empty: the usual Dutch bank exports.'
        ),
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args: Any, company: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["bank_journal"].queryset = _banks(company)

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        if upload.size > MAX_UPLOAD:
            raise forms.ValidationError(_("The file is larger than 10 MB."))
        return upload

    def clean_mapping(self) -> dict[str, str] | None:
        text = self.cleaned_data.get("mapping") or ""
        mapping: dict[str, str] = {}
        for raw in text.replace(",", "\n").splitlines():
            if not raw.strip():
                continue
            column, sep, target = raw.partition("=")
            if not sep or not column.strip() or not target.strip():
                raise forms.ValidationError(_('Write each mapping as "column=field".'))
            mapping[column.strip()] = target.strip()
        return mapping or None


class PaymentForm(ui.KernForm):
    direction = forms.ChoiceField(label=_("Direction"), choices=PaymentDirection.choices)
    party = forms.ModelChoiceField(label=_("Party"), queryset=Party.objects.none())
    date = forms.DateField(label=_("Date"), widget=forms.DateInput(attrs={"type": "date"}))
    amount = forms.DecimalField(label=_("Amount"), max_digits=20, decimal_places=2, min_value=0)
    bank_journal = forms.ModelChoiceField(
        label=_("Bank journal"), queryset=BankJournal.objects.none(), required=False
    )
    reference = forms.CharField(label=_("Reference"), max_length=140, required=False)
    memo = forms.CharField(label=_("Memo"), max_length=255, required=False)

    def __init__(self, *args: Any, company: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["party"].queryset = Party.objects.filter(company=company).order_by("name")
        self.fields["bank_journal"].queryset = _banks(company)


class ReconcileForm(ui.KernForm):
    """Book a statement line as a payment of a party, allocated to the ticked items."""

    party = forms.ModelChoiceField(label=_("Party"), queryset=Party.objects.none())

    def __init__(self, *args: Any, company: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["party"].queryset = Party.objects.filter(company=company).order_by("name")


class BookToAccountForm(ui.KernForm):
    account = forms.CharField(label=_("Account code"), max_length=20)
    description = forms.CharField(label=_("Description"), max_length=255, required=False)


class ProposeRunForm(ui.KernForm):
    execution_date = forms.DateField(
        label=_("Execution date"), widget=forms.DateInput(attrs={"type": "date"})
    )
    due_until = forms.DateField(
        label=_("Due until"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("Bills due on or before this day; empty: the execution date."),
    )
    bank_journal = forms.ModelChoiceField(
        label=_("Bank journal"), queryset=BankJournal.objects.none(), required=False
    )

    def __init__(self, *args: Any, company: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["bank_journal"].queryset = _banks(company).filter(currency_id="EUR")


class AgeingForm(forms.Form):
    on = forms.DateField(label=_("As of"), required=False)


class PartyStatementForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=OpenItemKind.choices, required=False)
    start = forms.DateField(label=_("From"), required=False)
    end = forms.DateField(label=_("Until"), required=False)
