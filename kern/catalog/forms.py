"""Forms of the catalog pages. They validate input; kern.catalog.services writes."""

from __future__ import annotations

from typing import Any

from kern.catalog.models import PriceList, PriceListItem, Product, ProductCategory, Uom
from kern.core.models import Currency
from kern.core.ui import KernModelForm


class ProductForm(KernModelForm):
    class Meta:
        model = Product
        fields = [
            "sku",
            "name",
            "description",
            "type",
            "category",
            "uom",
            "sale_price",
            "cost",
            "tax_category",
            "barcode",
            "tracking",
            "can_be_sold",
            "can_be_purchased",
            "weight_kg",
            "is_active",
        ]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["uom"].queryset = Uom.objects.filter(is_active=True).select_related("category")
        self.fields["uom"].initial = Uom.objects.filter(code="pcs").values_list("pk", flat=True).first()


class CategoryForm(KernModelForm):
    class Meta:
        model = ProductCategory
        fields = ["name", "parent", "costing_method"]


class PriceListForm(KernModelForm):
    class Meta:
        model = PriceList
        fields = ["name", "currency", "party", "party_tag", "valid_from", "valid_to", "priority", "is_active"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["currency"].queryset = Currency.objects.filter(is_active=True)


class PriceListItemForm(KernModelForm):
    class Meta:
        model = PriceListItem
        fields = ["product", "min_quantity", "unit_price", "discount_percent"]
