"""Forms of the payments screens: statement upload, register payment, reconcile a statement line,
propose a payment run, ageing and party statement periods, dunning, dunning levels, and using or
refunding a party's credit."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django import forms
from django.core.validators import MinValueValidator
from django.utils import formats, timezone
from django.utils.translation import gettext_lazy as _

from kern.core import ui
from kern.parties.models import Party
from kern.payments.models import (
    BankJournal,
    DunningLevel,
    OpenItem,
    OpenItemKind,
    PaymentDirection,
    StatementFormat,
)

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


class DunningForm(ui.KernForm):
    """The day the reminders are looked at (and dated, when they are sent)."""

    on = forms.DateField(
        label=_("Reminder date"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("Which invoices are how late on this day; the letters are dated on it."),
    )

    def day(self) -> dt.date:
        """The chosen day, or today (also when the form is not valid)."""
        if self.is_bound and self.is_valid() and self.cleaned_data["on"]:
            return self.cleaned_data["on"]
        return timezone.localdate()

    def check_sendable(self) -> bool:
        """Letters are not dated ahead: a reminder about the future would be wrong tomorrow."""
        if self.is_valid() and self.day() > timezone.localdate():
            self.add_error("on", _("Reminders cannot be dated in the future."))
        return not self.errors


class DunningLevelForm(ui.KernModelForm):
    class Meta:
        model = DunningLevel
        fields = ["level", "name", "days_overdue", "fee", "text", "is_active"]
        help_texts = {
            "days_overdue": _("The letter is due once an invoice is this many days past its due date."),
            "fee": _("Charged with the letter and collected like an invoice; 0 for none."),
            "text": _("The paragraph of the letter above the list of invoices."),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # The model's CHECK constraints would answer with their names; say it in words first.
        for name, least in (("level", 1), ("fee", 0)):
            self.fields[name].validators.append(MinValueValidator(least))
            self.fields[name].widget.attrs["min"] = least


def _item_label(item: OpenItem) -> str:
    return (
        f"{item.number} · {formats.date_format(item.due_date, 'SHORT_DATE_FORMAT')} · "
        f"{item.currency_id} {formats.number_format(abs(item.residual), 2)}"
    )


class _ItemChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj: OpenItem) -> str:
        return _item_label(obj)


def _party_items(company: Any, party: Any, kind: str):
    return OpenItem.objects.filter(
        company=company, party=party, kind=kind, status__in=["open", "partial"]
    ).order_by("due_date", "pk")


class CreditAllocationForm(ui.KernForm):
    """Use a credit of the party (money kept as credit, a credit note) on one of its open items."""

    credit = _ItemChoice(
        label=_("Credit to use"),
        queryset=OpenItem.objects.none(),
        widget=forms.RadioSelect,
        error_messages={
            "required": _("Choose the credit to use."),
            "invalid_choice": _("That credit is not open any more."),
        },
    )
    debit = _ItemChoice(
        label=_("Invoice to settle"),
        queryset=OpenItem.objects.none(),
        widget=forms.RadioSelect,
        error_messages={
            "required": _("Choose the item to settle."),
            "invalid_choice": _("That item is not open any more."),
        },
    )
    amount = forms.DecimalField(
        label=_("Amount"),
        required=False,
        max_digits=20,
        decimal_places=2,
        min_value=Decimal("0.01"),
        help_text=_("Empty: as much as both allow."),
    )
    date = forms.DateField(label=_("Date"), required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(
        self, *args: Any, company: Any = None, party: Any = None, kind: str = "receivable", **kwargs: Any
    ):
        super().__init__(*args, **kwargs)
        items = _party_items(company, party, kind)
        self.fields["credit"].queryset = items.filter(residual__lt=0)
        self.fields["debit"].queryset = items.filter(residual__gt=0)

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        credit, debit, amount = data.get("credit"), data.get("debit"), data.get("amount")
        if credit is None or debit is None:
            return data
        if credit.currency_id != debit.currency_id:
            self.add_error(
                "debit",
                _(
                    "%(debit)s is in %(currency)s, the credit in %(credit)s: choose an item in the same currency."
                )
                % {"debit": debit.number, "currency": debit.currency_id, "credit": credit.currency_id},
            )
            return data
        most = min(abs(credit.residual), debit.residual)
        if amount is not None and amount > most:
            self.add_error(
                "amount",
                _("At most %(most)s can be used here.") % {"most": formats.number_format(most, 2)},
            )
        return data


class RefundForm(ui.KernForm):
    """Pay a party's credit back: an outgoing payment to a customer (incoming from a vendor)."""

    credit = _ItemChoice(
        label=_("Credit to refund"),
        queryset=OpenItem.objects.none(),
        error_messages={
            "required": _("Choose the credit to refund."),
            "invalid_choice": _("That credit is not open any more."),
        },
    )
    amount = forms.DecimalField(
        label=_("Amount"),
        required=False,
        max_digits=20,
        decimal_places=2,
        min_value=Decimal("0.01"),
        help_text=_("Empty: all of the credit."),
    )
    date = forms.DateField(label=_("Date"), widget=forms.DateInput(attrs={"type": "date"}))
    bank_journal = forms.ModelChoiceField(
        label=_("Bank journal"), queryset=BankJournal.objects.none(), required=False
    )
    reference = forms.CharField(label=_("Reference"), max_length=140, required=False)

    def __init__(
        self, *args: Any, company: Any = None, party: Any = None, kind: str = "receivable", **kwargs: Any
    ):
        super().__init__(*args, **kwargs)
        self.fields["credit"].queryset = _party_items(company, party, kind).filter(residual__lt=0)
        self.fields["bank_journal"].queryset = _banks(company)

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        credit, amount, bank = data.get("credit"), data.get("amount"), data.get("bank_journal")
        if credit is None:
            return data
        if amount is not None and amount > abs(credit.residual):
            self.add_error(
                "amount",
                _("At most %(most)s is left of this credit.")
                % {"most": formats.number_format(abs(credit.residual), 2)},
            )
        if bank is not None and bank.currency_id != credit.currency_id:
            self.add_error(
                "bank_journal",
                _("The credit is in %(currency)s: choose a bank journal kept in it.")
                % {"currency": credit.currency_id},
            )
        return data
