"""Forms of the inventory pages. They validate input; kern.inventory.services writes."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from kern.catalog.models import Product, ProductType
from kern.core.ui import KernForm, KernModelForm
from kern.inventory.models import (
    Location,
    LocationKind,
    Lot,
    OperationKind,
    ReorderRule,
    ReplenishMethod,
    StockCount,
    Warehouse,
)
from kern.parties.models import Party

QTY = {"max_digits": 20, "decimal_places": 4}


class WarehouseForm(KernModelForm):
    class Meta:
        model = Warehouse
        fields = ["code", "name", "allow_negative_stock", "street", "postcode", "city"]


class WarehouseEditForm(KernModelForm):
    class Meta:
        model = Warehouse
        fields = ["code", "name", "allow_negative_stock", "street", "postcode", "city", "is_active"]


class LocationForm(KernModelForm):
    class Meta:
        model = Location
        fields = ["parent", "name", "kind", "barcode"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["parent"].required = True
        self.fields["parent"].queryset = Location.objects.filter(
            kind__in=[LocationKind.VIEW, LocationKind.INTERNAL], warehouse__isnull=False
        )
        self.fields["kind"].choices = [
            (LocationKind.INTERNAL, LocationKind.INTERNAL.label),
            (LocationKind.VIEW, LocationKind.VIEW.label),
        ]


class LocationEditForm(KernModelForm):
    class Meta:
        model = Location
        fields = ["name", "barcode", "is_active"]


class LotForm(KernModelForm):
    class Meta:
        model = Lot
        fields = ["product", "name", "expiry_date", "notes"]
        widgets = {"expiry_date": forms.DateInput(attrs={"type": "date"})}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["product"].queryset = Product.objects.exclude(tracking="none")


class ReorderRuleForm(KernModelForm):
    class Meta:
        model = ReorderRule
        fields = [
            "warehouse",
            "product",
            "min_quantity",
            "max_quantity",
            "multiple",
            "lead_days",
            "method",
            "vendor",
            "is_active",
        ]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["product"].queryset = Product.objects.exclude(type=ProductType.SERVICE)
        self.fields["vendor"].queryset = Party.objects.filter(is_vendor=True)


class ReorderRuleEditForm(KernModelForm):
    class Meta:
        model = ReorderRule
        fields = ["min_quantity", "max_quantity", "multiple", "lead_days", "method", "vendor", "is_active"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["vendor"].queryset = Party.objects.filter(is_vendor=True)


class StockCountForm(KernModelForm):
    class Meta:
        model = StockCount
        fields = ["warehouse", "location"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["location"].required = False
        self.fields["location"].help_text = _("Empty: the warehouse's whole stock location.")
        self.fields["location"].queryset = Location.objects.filter(
            warehouse__isnull=False, kind__in=[LocationKind.VIEW, LocationKind.INTERNAL]
        )


class OperationForm(KernForm):
    """A new stock operation with up to ten lines (receipts, transfers, scrap, adjustments…)."""

    LINES = 10

    kind = forms.ChoiceField(label=_("type"), choices=OperationKind.choices)
    warehouse = forms.ModelChoiceField(
        label=_("warehouse"), queryset=Warehouse.objects.filter(is_active=True)
    )
    partner = forms.ModelChoiceField(label=_("partner"), queryset=Party.objects.all(), required=False)
    location_from = forms.ModelChoiceField(label=_("from"), queryset=Location.objects.all(), required=False)
    location_to = forms.ModelChoiceField(label=_("to"), queryset=Location.objects.all(), required=False)
    scheduled_date = forms.DateField(label=_("scheduled date"), required=False, widget=forms.DateInput())
    notes = forms.CharField(label=_("notes"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    validate_now = forms.BooleanField(label=_("book it now (done)"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for i in range(self.LINES):
            self.fields[f"product_{i}"] = forms.ModelChoiceField(
                label=_("product"), queryset=Product.objects.exclude(type=ProductType.SERVICE), required=False
            )
            self.fields[f"quantity_{i}"] = forms.DecimalField(label=_("quantity"), required=False, **QTY)
            self.fields[f"lot_{i}"] = forms.CharField(
                label=_("lot / serial number"), required=False, max_length=60
            )

    def line_rows(self) -> list[tuple[Any, Any, Any]]:
        return [(self[f"product_{i}"], self[f"quantity_{i}"], self[f"lot_{i}"]) for i in range(self.LINES)]

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        lines = []
        for i in range(self.LINES):
            product, quantity = data.get(f"product_{i}"), data.get(f"quantity_{i}")
            if product is None and quantity is None:
                continue
            if product is None or quantity is None:
                self.add_error(
                    f"quantity_{i}" if product else f"product_{i}", _("Give a product and a quantity.")
                )
                continue
            lines.append((product, quantity, (data.get(f"lot_{i}") or "").strip() or None))
        if not lines and not self.errors:
            raise forms.ValidationError(_("Add at least one line."))
        data["lines"] = lines
        return data


class ScanForm(KernForm):
    code = forms.CharField(
        label=_("Scan or type a SKU, barcode, lot or serial number"),
        max_length=80,
        widget=forms.TextInput(attrs={"autofocus": True, "autocomplete": "off", "inputmode": "text"}),
    )
    quantity = forms.DecimalField(label=_("quantity"), initial=1, min_value=0, **QTY)


class CountScanForm(ScanForm):
    """A scan on the count screen, in one location of the count."""

    location = forms.ModelChoiceField(label=_("location"), queryset=Location.objects.none())

    field_order = ["location", "code", "quantity"]


class CountLineForm(forms.Form):
    line = forms.IntegerField()
    counted = forms.DecimalField(min_value=0, **QTY)


class WarehouseFilterForm(KernForm):
    warehouse = forms.ModelChoiceField(label=_("warehouse"), queryset=Warehouse.objects.all(), required=False)


class StockLevelsForm(WarehouseFilterForm):
    q = forms.CharField(label=_("product"), required=False, max_length=80)
    on = forms.DateField(
        label=_("up to"),
        required=False,
        widget=forms.DateInput(),
        help_text=_("Count what is scheduled to come in and go out up to this date."),
    )

    field_order = ["q", "warehouse", "on"]


class ReplenishFilterForm(WarehouseFilterForm):
    method = forms.ChoiceField(
        label=_("replenish by"), choices=[("", "---------"), *ReplenishMethod.choices], required=False
    )
