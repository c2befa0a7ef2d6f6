"""Pages of the catalog: products, categories, units of measure and price lists with their items."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from kern.catalog import selectors, services
from kern.catalog.forms import CategoryForm, PriceListForm, PriceListItemForm, ProductForm
from kern.catalog.models import PriceList, PriceListItem, Product, ProductCategory, Uom
from kern.core import ui


class ProductPages(ui.Resource):
    model = Product
    prefix = "products/"
    list_columns = [
        "sku",
        "name",
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
        "created_at",
        "is_active",
    ]
    default_columns = ["sku", "name", "type", "category", "uom", "sale_price", "is_active"]
    search_fields = ["sku", "name", "barcode", "description"]
    filters = ["type", "category", "tax_category", "tracking", "can_be_sold", "can_be_purchased", "is_active"]
    ordering = ["sku"]
    detail_fields = [
        (_("General"), ["sku", "name", "type", "category", "uom", "barcode", "description"]),
        (_("Prices"), ["sale_price", "cost", "tax_category"]),
        (_("Logistics"), ["tracking", "weight_kg", "can_be_sold", "can_be_purchased", "is_active"]),
    ]
    tabs = [
        ui.Tab(
            "prices",
            _("Price lists"),
            rows=lambda product, request: product.price_list_items.select_related("price_list"),
            columns=["price_list", "min_quantity", "unit_price", "discount_percent"],
            row_url=lambda item: reverse("catalog:pricelist_detail", kwargs={"pk": item.price_list_id}),
        )
    ]
    form_class = ProductForm
    create_service = staticmethod(services.create_product)
    update_service = staticmethod(services.update_product)


class CategoryPages(ui.Resource):
    model = ProductCategory
    name = "category"
    prefix = "categories/"
    list_columns = ["name", "parent", "costing_method"]
    search_fields = ["name"]
    filters = ["costing_method"]
    tabs = [
        ui.Tab(
            "products",
            _("Products"),
            rows=lambda cat, request: Product.objects.filter(category=cat).select_related("uom"),
            columns=["sku", "name", "sale_price", "is_active"],
        )
    ]
    form_class = CategoryForm
    create_service = staticmethod(services.create_category)
    attachments = False


class UomPages(ui.Resource):
    """Units are shared by every company (seeded with the UN/ECE codes); shown read-only."""

    model = Uom
    prefix = "units/"
    title = _("Units of measure")
    list_columns = ["code", "name", "category", "factor", "rounding", "unece_code", "is_active"]
    search_fields = ["code", "name", "unece_code"]
    filters = ["category", "is_active"]
    ordering = ["category__name", "factor"]
    comments = False
    attachments = False
    history = False

    def base_queryset(self, request: HttpRequest) -> QuerySet:
        return Uom.objects.all()


class PriceListPages(ui.Resource):
    model = PriceList
    name = "pricelist"
    prefix = "price-lists/"
    list_columns = [
        "name",
        "currency",
        "party",
        "party_tag",
        "valid_from",
        "valid_to",
        "priority",
        "is_active",
    ]
    search_fields = ["name", "party__name"]
    filters = ["currency", "is_active", "valid_from"]
    detail_fields = [
        "name",
        "currency",
        "party",
        "party_tag",
        "valid_from",
        "valid_to",
        "priority",
        "is_active",
    ]
    tabs = [
        ui.Tab(
            "items",
            _("Prices"),
            rows=lambda pl, request: pl.items.select_related("product"),
            columns=["product", "min_quantity", "unit_price", "discount_percent"],
            add_url=lambda pl: reverse("catalog:pricelistitem_create", kwargs={"parent_pk": pl.pk}),
            add_label=_("Add price"),
            edit_url=lambda pl, row: reverse(
                "catalog:pricelistitem_edit", kwargs={"parent_pk": pl.pk, "pk": row.pk}
            ),
            delete_url=lambda pl, row: reverse(
                "catalog:pricelistitem_delete", kwargs={"parent_pk": pl.pk, "pk": row.pk}
            ),
            limit=500,
        )
    ]
    form_class = PriceListForm
    create_service = staticmethod(services.create_price_list)
    update_service = staticmethod(services.update_price_list)

    def service_data(self, request: HttpRequest, form: Any, obj: Any = None) -> dict[str, Any]:
        data = dict(form.cleaned_data)
        data["currency"] = data["currency"].code
        return data


class PriceListItemPages(ui.Resource):
    model = PriceListItem
    name = "pricelistitem"
    prefix = "price-lists/"
    child_path = "items"
    parent = PriceListPages
    parent_field = "price_list"
    parent_tab = "items"
    form_class = PriceListItemForm
    create_service = staticmethod(services.set_price_list_item)
    update_service = staticmethod(services.set_price_list_item)
    delete_service = staticmethod(services.remove_price_list_item)

    def update(self, request: HttpRequest, obj: Any, data: dict[str, Any]) -> Any:
        # A price break is identified by product and quantity: a changed break replaces the old one.
        with_new = services.set_price_list_item(obj.price_list, by=request.user, **data)
        if with_new.pk != obj.pk:
            services.remove_price_list_item(obj, by=request.user)
        return with_new


PRODUCTS = ProductPages()
CATEGORIES = CategoryPages()
UNITS = UomPages()
PRICE_LISTS = PriceListPages()
PRICE_LIST_ITEMS = PriceListItemPages()


def _search(request: HttpRequest, text: str, limit: int) -> list[ui.SearchHit]:
    return [
        ui.SearchHit(
            title=f"{p.sku} {p.name}",
            url=reverse("catalog:product_detail", kwargs={"pk": p.pk}),
            subtitle=p.get_type_display(),
        )
        for p in selectors.search_products(request.company, text, limit=limit)
    ]


def _newest_products(request: HttpRequest) -> dict[str, Any]:
    return {"products": list(selectors.products_for(request.company).order_by("-created_at", "-pk")[:8])}


def register_ui() -> None:
    """Menu entries, search, the party page's price-list tab and a dashboard card."""
    view = "catalog.view_product"
    for area, order in (("sales", 20), ("purchasing", 20), ("inventory", 10)):
        ui.register_nav(area, _("Products"), "catalog:product_list", permission=view, order=order)
    ui.register_nav(
        "sales", _("Price lists"), "catalog:pricelist_list", permission="catalog.view_pricelist", order=30
    )
    ui.register_nav(
        "inventory",
        _("Product categories"),
        "catalog:category_list",
        permission="catalog.view_productcategory",
        order=20,
    )
    ui.register_nav(
        "inventory", _("Units of measure"), "catalog:uom_list", permission="catalog.view_uom", order=30
    )
    ui.register_nav(
        "settings", _("Units of measure"), "catalog:uom_list", permission="catalog.view_uom", order=55
    )
    ui.register_search(ui.SearchProvider("products", _("Products"), _search, permission=view, order=20))
    ui.register_tab(
        "parties.party",
        ui.Tab(
            "price_lists",
            _("Price lists"),
            rows=lambda party, request: PriceList.objects.filter(party=party),
            columns=["name", "currency", "valid_from", "valid_to", "is_active"],
            permission="catalog.view_pricelist",
        ),
        order=50,
    )
    ui.register_widget(
        ui.Widget(
            "catalog.newest_products",
            _("Newest products"),
            "catalog/widget_newest_products.html",
            _newest_products,
            permission=view,
            roles=("sales_manager", "buyer", "warehouse", "planner", "administrator"),
            order=20,
        )
    )
