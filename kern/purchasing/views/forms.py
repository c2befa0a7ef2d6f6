"""Forms of the purchasing pages. Every choice is limited to the user's company (scope_form)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from kern.catalog.models import Product, Uom
from kern.core import ui
from kern.core.models import Currency
from kern.core.roles import ROLES
from kern.ledger.models import TaxCode
from kern.parties.models import Party
from kern.purchasing.models import (
    ApprovalLimit,
    BillLine,
    OrderLine,
    PurchaseOrder,
    PurchasingPolicy,
    Requisition,
    RequisitionLine,
    Rfq,
    RfqLine,
    RfqVendor,
    VendorBill,
    VendorPrice,
)


def _vendors(form: forms.BaseForm, *names: str) -> None:
    for name in names:
        if name in form.fields:
            form.fields[name].queryset = Party.objects.filter(is_vendor=True, is_active=True).order_by("name")


def _active(form: forms.BaseForm) -> None:
    if "currency" in form.fields:
        form.fields["currency"].queryset = Currency.objects.filter(is_active=True)
    if "product" in form.fields:
        form.fields["product"].queryset = Product.objects.filter(
            is_active=True, can_be_purchased=True
        ).order_by("sku")
    if "uom" in form.fields:
        form.fields["uom"].queryset = Uom.objects.filter(is_active=True)
        form.fields["uom"].required = False


def _tax_code_field() -> forms.ChoiceField:
    return forms.ChoiceField(
        label=_("VAT code"),
        required=False,
        help_text=_("Empty: from the product and the vendor."),
        choices=[("", "—")],
    )


def _tax_choices(form: forms.BaseForm, company: Any) -> None:
    if "tax_code" in form.fields and company is not None:
        codes = TaxCode.objects.filter(company=company, direction="purchase", is_active=True).order_by("code")
        form.fields["tax_code"].choices = [("", "—")] + [(c.code, f"{c.code} — {c.name}") for c in codes]


class CompanyFormMixin:
    """Forms that need the company for their choices get it from the page (`company=`)."""

    def __init__(self, *args: Any, company: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        instance = getattr(self, "instance", None)
        self.company = company or getattr(instance, "company", None)
        _active(self)
        _vendors(self, "vendor")
        _tax_choices(self, self.company)


class VendorPriceForm(CompanyFormMixin, ui.KernModelForm):
    class Meta:
        model = VendorPrice
        fields = [
            "vendor",
            "product",
            "vendor_sku",
            "vendor_product_name",
            "currency",
            "min_quantity",
            "unit_price",
            "lead_time_days",
            "valid_from",
            "valid_to",
            "is_active",
        ]


class PolicyForm(ui.KernModelForm):
    class Meta:
        model = PurchasingPolicy
        fields = [
            "price_tolerance_percent",
            "quantity_tolerance_percent",
            "amount_tolerance",
            "rfq_validity_days",
        ]


class ApprovalLimitForm(ui.KernModelForm):
    role = forms.ChoiceField(label=_("role"), choices=[])

    class Meta:
        model = ApprovalLimit
        fields = ["role", "max_amount"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["role"].choices = [(name, role.label) for name, role in ROLES.items() if role.staff]


class RequisitionForm(ui.KernModelForm):
    class Meta:
        model = Requisition
        fields = ["required_date", "warehouse", "reason"]


class RequisitionLineForm(CompanyFormMixin, ui.KernModelForm):
    class Meta:
        model = RequisitionLine
        fields = ["product", "quantity", "uom", "required_date", "vendor", "description"]


class RfqForm(ui.KernModelForm):
    class Meta:
        model = Rfq
        fields = ["deadline", "required_date", "currency", "warehouse", "notes"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _active(self)


class RfqLineForm(CompanyFormMixin, ui.KernModelForm):
    class Meta:
        model = RfqLine
        fields = ["product", "quantity", "uom", "description", "required_date"]


class RfqVendorForm(CompanyFormMixin, ui.KernModelForm):
    class Meta:
        model = RfqVendor
        fields = ["vendor", "email"]


class OrderForm(CompanyFormMixin, ui.KernModelForm):
    class Meta:
        model = PurchaseOrder
        fields = [
            "vendor",
            "order_date",
            "expected_date",
            "currency",
            "payment_term",
            "warehouse",
            "vendor_reference",
            "notes",
        ]


class OrderEditForm(OrderForm):
    class Meta(OrderForm.Meta):
        fields = [f for f in OrderForm.Meta.fields if f != "vendor"]


class OrderLineForm(CompanyFormMixin, ui.KernModelForm):
    tax_code = _tax_code_field()

    class Meta:
        model = OrderLine
        fields = [
            "product",
            "quantity",
            "uom",
            "unit_price",
            "discount_percent",
            "tax_code",
            "description",
            "expected_date",
        ]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["unit_price"].required = False
        self.fields["unit_price"].help_text = _("Empty: the vendor's price for the quantity.")
        self.fields["discount_percent"].required = False

    def clean_discount_percent(self) -> Decimal:
        return self.cleaned_data.get("discount_percent") or Decimal("0")


class BillForm(CompanyFormMixin, ui.KernModelForm):
    class Meta:
        model = VendorBill
        fields = [
            "vendor",
            "kind",
            "vendor_reference",
            "bill_date",
            "due_date",
            "currency",
            "payment_term",
            "purchase_order",
            "payment_reference",
            "notes",
        ]


class BillEditForm(BillForm):
    class Meta(BillForm.Meta):
        fields = [f for f in BillForm.Meta.fields if f not in ("vendor", "kind", "currency")]


class BillLineForm(CompanyFormMixin, ui.KernModelForm):
    tax_code = _tax_code_field()

    class Meta:
        model = BillLine
        fields = [
            "description",
            "product",
            "quantity",
            "uom",
            "unit_price",
            "tax_code",
            "account",
            "order_line",
        ]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in ("product", "description"):
            if name in self.fields:  # an imported e-invoice's line has no description field
                self.fields[name].required = False
        bill = getattr(self.instance, "bill", None) if self.instance.bill_id else None
        if "order_line" in self.fields:
            qs = OrderLine.objects.select_related("order", "product").exclude(
                order__status__in=["draft", "to_approve", "cancelled"]
            )
            if bill is not None:
                qs = qs.filter(order__vendor_id=bill.vendor_id)
            self.fields["order_line"].queryset = qs.order_by("-order_id", "position")


class EInvoiceLineForm(BillLineForm):
    """An imported e-invoice keeps what the vendor billed; only how it is booked may change."""

    class Meta(BillLineForm.Meta):
        fields = ["product", "tax_code", "account", "order_line"]


class ReasonForm(ui.KernForm):
    reason = forms.CharField(label=_("reason"), max_length=255, required=False)


class NoteForm(ui.KernForm):
    note = forms.CharField(label=_("why the variance is accepted"), max_length=255)


class SendForm(ui.KernForm):
    to = forms.EmailField(label=_("send to"), required=False, help_text=_("Empty: the vendor's address."))
    message = forms.CharField(label=_("message"), required=False, widget=forms.Textarea, max_length=5000)


class UploadForm(ui.KernForm):
    file = forms.FileField(
        label=_("UBL 2.1 / Peppol BIS 3 file"), help_text=_("An invoice or credit note, at most 10 MB.")
    )


class VendorsForm(ui.KernForm):
    vendors = forms.ModelMultipleChoiceField(label=_("vendors"), queryset=Party.objects.none())
    deadline = forms.DateField(label=_("answer by"), required=False, widget=forms.DateInput)

    def __init__(self, *args: Any, company: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["vendors"].queryset = Party.objects.filter(
            company=company, is_vendor=True, is_active=True
        ).order_by("name")
        ui.style_form(self)


class QuoteForm(ui.KernForm):
    """A vendor's answer: per RFQ line a unit price, and the quantity and lead time if they differ."""

    vendor_reference = forms.CharField(label=_("vendor's quote number"), max_length=60, required=False)
    valid_until = forms.DateField(label=_("quote valid until"), required=False, widget=forms.DateInput)
    currency = forms.ModelChoiceField(
        label=_("currency"), queryset=Currency.objects.filter(is_active=True), required=False
    )

    def __init__(self, *args: Any, rfq: Rfq, invitation: RfqVendor, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.rfq_lines = list(rfq.lines.select_related("product", "uom").order_by("position"))
        known = {q.line_id: q for q in invitation.quotes.all()}
        self.rows = []
        for line in self.rfq_lines:
            q = known.get(line.pk)
            names = (f"price_{line.pk}", f"qty_{line.pk}", f"days_{line.pk}")
            self.fields[names[0]] = forms.DecimalField(
                label=_("unit price"),
                required=False,
                min_value=0,
                max_digits=20,
                decimal_places=6,
                initial=q.unit_price if q else None,
            )
            self.fields[names[1]] = forms.DecimalField(
                label=_("quantity offered"),
                required=False,
                min_value=Decimal("0.0001"),
                max_digits=20,
                decimal_places=4,
                initial=q.quantity if q else line.quantity,
            )
            self.fields[names[2]] = forms.IntegerField(
                label=_("lead time (days)"),
                required=False,
                min_value=0,
                max_value=3650,
                initial=q.lead_time_days if q else None,
            )
            self.rows.append((line, [self[n] for n in names]))
        self.initial.setdefault("vendor_reference", invitation.vendor_reference)
        self.initial.setdefault("valid_until", invitation.valid_until)
        self.initial.setdefault("currency", invitation.currency_id or rfq.currency_id)
        ui.style_form(self)

    def prices(self) -> list[dict[str, Any]]:
        out = []
        for line in self.rfq_lines:
            price = self.cleaned_data.get(f"price_{line.pk}")
            if price is None:
                continue
            out.append(
                {
                    "line": line,
                    "unit_price": price,
                    "quantity": self.cleaned_data.get(f"qty_{line.pk}") or line.quantity,
                    "lead_time_days": self.cleaned_data.get(f"days_{line.pk}") or 0,
                }
            )
        return out


class QualityForm(ui.KernForm):
    """Per order line in quality hold: how much passes (into stock) and how much goes back."""

    def __init__(self, *args: Any, held: list[tuple[Any, Decimal]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.rows = []
        for line, qty in held:
            release = f"release_{line.pk}"
            reject = f"reject_{line.pk}"
            self.fields[release] = forms.DecimalField(
                label=_("into stock"),
                required=False,
                min_value=0,
                max_value=qty,
                max_digits=20,
                decimal_places=4,
                initial=qty,
            )
            self.fields[reject] = forms.DecimalField(
                label=_("back to the vendor"),
                required=False,
                min_value=0,
                max_value=qty,
                max_digits=20,
                decimal_places=4,
            )
            self.rows.append((line, qty, self[release], self[reject]))
        ui.style_form(self)

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        for _line, qty, release, reject in self.rows:
            total = (data.get(release.name) or 0) + (data.get(reject.name) or 0)
            if total > qty:
                self.add_error(release.name, _("More than is in quality hold."))
        return data

    def quantities(self, prefix: str) -> dict[int, Decimal]:
        return {
            line.pk: self.cleaned_data[f"{prefix}_{line.pk}"]
            for line, _qty, _a, _b in self.rows
            if self.cleaned_data.get(f"{prefix}_{line.pk}")
        }
