"""Catalog API: products, units, categories, price lists and price lookup."""

import datetime as dt
from decimal import Decimal
from typing import Literal

from django.db.models import Q
from django.http import HttpRequest
from ninja import Field, Router, Schema, Status
from ninja.pagination import paginate

from kern.catalog import selectors, services
from kern.catalog.models import PriceList, PriceListItem, Product, ProductCategory, Uom
from kern.core.apikit import KernCursorPagination, require_perm, scoped
from kern.core.db import atomic
from kern.core.exceptions import ValidationFailed
from kern.parties.models import Party

router = Router(tags=["catalog"])

ProductTypeIn = Literal["stocked", "consumable", "service"]
TaxCategoryIn = Literal["standard", "reduced", "zero", "exempt"]
Money4 = Field(ge=0, max_digits=20, decimal_places=4)


class UomOut(Schema):
    id: int
    code: str
    name: str
    category: str
    factor: Decimal
    unece_code: str

    @staticmethod
    def resolve_category(obj: Uom) -> str:
        return obj.category.code


class CategoryOut(Schema):
    id: int
    name: str
    parent_id: int | None
    costing_method: str


class ProductIn(Schema):
    sku: str = Field(min_length=1, max_length=40)
    name: str = Field(min_length=1, max_length=200)
    description: str = Field("", max_length=10000)
    type: ProductTypeIn = "stocked"
    category_id: int | None = None
    uom: str = Field("pcs", max_length=12)
    sale_price: Decimal = Field(Decimal("0"), ge=0, max_digits=20, decimal_places=4)
    cost: Decimal = Field(Decimal("0"), ge=0, max_digits=20, decimal_places=4)
    tax_category: TaxCategoryIn = "standard"
    barcode: str = Field("", max_length=40)
    tracking: Literal["none", "lot", "serial"] = "none"
    can_be_sold: bool = True
    can_be_purchased: bool = True
    weight_kg: Decimal | None = Field(None, ge=0, max_digits=12, decimal_places=3)
    is_active: bool = True


class ProductPatch(Schema):
    sku: str | None = Field(None, min_length=1, max_length=40)
    name: str | None = Field(None, min_length=1, max_length=200)
    description: str | None = Field(None, max_length=10000)
    type: ProductTypeIn | None = None
    category_id: int | None = None
    uom: str | None = Field(None, max_length=12)
    sale_price: Decimal | None = Field(None, ge=0, max_digits=20, decimal_places=4)
    cost: Decimal | None = Field(None, ge=0, max_digits=20, decimal_places=4)
    tax_category: TaxCategoryIn | None = None
    barcode: str | None = Field(None, max_length=40)
    tracking: Literal["none", "lot", "serial"] | None = None
    can_be_sold: bool | None = None
    can_be_purchased: bool | None = None
    weight_kg: Decimal | None = Field(None, ge=0, max_digits=12, decimal_places=3)
    is_active: bool | None = None


class ProductOut(Schema):
    id: int
    sku: str
    name: str
    description: str
    type: str
    category_id: int | None
    uom: str
    sale_price: Decimal
    cost: Decimal
    tax_category: str
    barcode: str
    tracking: str
    can_be_sold: bool
    can_be_purchased: bool
    weight_kg: Decimal | None
    is_active: bool

    @staticmethod
    def resolve_uom(obj: Product) -> str:
        return obj.uom.code


class PriceListItemIn(Schema):
    product_id: int
    min_quantity: Decimal = Field(Decimal("0"), ge=0, max_digits=20, decimal_places=4)
    unit_price: Decimal | None = Field(None, ge=0, max_digits=20, decimal_places=4)
    discount_percent: Decimal | None = Field(None, ge=0, le=100, max_digits=5, decimal_places=2)


class PriceListItemOut(PriceListItemIn):
    id: int


class PriceListIn(Schema):
    name: str = Field(min_length=1, max_length=100)
    currency: str = Field("EUR", min_length=3, max_length=3)
    party_id: int | None = None
    party_tag_id: int | None = None
    valid_from: dt.date | None = None
    valid_to: dt.date | None = None
    priority: int = Field(10, ge=0, le=1000)
    is_active: bool = True
    items: list[PriceListItemIn] = Field(default_factory=list, max_length=1000)


class PriceListPatch(Schema):
    name: str | None = Field(None, min_length=1, max_length=100)
    valid_from: dt.date | None = None
    valid_to: dt.date | None = None
    priority: int | None = Field(None, ge=0, le=1000)
    is_active: bool | None = None


class PriceListOut(Schema):
    id: int
    name: str
    currency: str = Field(alias="currency_id")
    party_id: int | None
    party_tag_id: int | None
    valid_from: dt.date | None
    valid_to: dt.date | None
    priority: int
    is_active: bool
    items: list[PriceListItemOut]

    @staticmethod
    def resolve_items(obj: PriceList) -> list[PriceListItem]:
        return list(obj.items.all())


class PriceOut(Schema):
    product_id: int
    quantity: Decimal
    unit_price: Decimal
    list_price: Decimal
    discount_percent: Decimal
    currency: str
    price_list_id: int | None


def _product_fields(payload: Schema, *, partial: bool) -> dict:
    data = payload.dict(exclude_unset=partial)
    if partial:
        data = {k: v for k, v in data.items() if v is not None or k in ("category_id", "weight_kg")}
    if "category_id" in data:
        data["category"] = data.pop("category_id")
    return data


@router.get("/uoms", response=list[UomOut])
def list_uoms(request: HttpRequest):
    return Uom.objects.select_related("category").filter(is_active=True)


@router.get("/product-categories", response=list[CategoryOut])
def list_categories(request: HttpRequest):
    return scoped(ProductCategory, request)


@router.get("/products", response=list[ProductOut])
@paginate(KernCursorPagination)
def list_products(
    request: HttpRequest,
    q: str | None = None,
    type: ProductTypeIn | None = None,
    category_id: int | None = None,
    active: bool | None = None,
):
    require_perm(request, "catalog.view_product")
    qs = scoped(Product, request).select_related("uom")
    if q:
        qs = qs.filter(Q(sku__icontains=q) | Q(name__icontains=q) | Q(barcode=q))
    if type:
        qs = qs.filter(type=type)
    if category_id is not None:
        qs = qs.filter(category_id=category_id)
    if active is not None:
        qs = qs.filter(is_active=active)
    return qs


@router.post("/products", response={201: ProductOut})
def create_product(request: HttpRequest, payload: ProductIn):
    who = require_perm(request, "catalog.add_product")
    if scoped(Product, request).filter(sku=payload.sku.strip()).exists():
        raise ValidationFailed.on("sku", f"SKU {payload.sku} is already in use")
    product = services.create_product(who.company, by=who.user, **_product_fields(payload, partial=False))
    return Status(201, scoped(Product.objects.select_related("uom"), request, product.pk))


@router.get("/products/{product_id}", response=ProductOut)
def get_product(request: HttpRequest, product_id: int):
    require_perm(request, "catalog.view_product")
    return scoped(Product.objects.select_related("uom"), request, product_id)


@router.patch("/products/{product_id}", response=ProductOut)
def update_product(request: HttpRequest, product_id: int, payload: ProductPatch):
    who = require_perm(request, "catalog.change_product")
    product = scoped(Product, request, product_id)
    data = _product_fields(payload, partial=True)
    if (
        "sku" in data
        and scoped(Product, request).filter(sku=data["sku"].strip()).exclude(pk=product.pk).exists()
    ):
        raise ValidationFailed.on("sku", f"SKU {data['sku']} is already in use")
    services.update_product(product, by=who.user, **data)
    return scoped(Product.objects.select_related("uom"), request, product_id)


@router.delete("/products/{product_id}", response={204: None})
def archive_product(request: HttpRequest, product_id: int):
    """Products are archived (inactive), never deleted: documents keep pointing at them."""
    who = require_perm(request, "catalog.delete_product")
    services.update_product(scoped(Product, request, product_id), by=who.user, is_active=False)
    return Status(204, None)


@router.get("/products/{product_id}/price", response=PriceOut)
def product_price(
    request: HttpRequest,
    product_id: int,
    quantity: Decimal = Decimal("1"),
    party_id: int | None = None,
    on: dt.date | None = None,
    currency: str | None = None,
):
    require_perm(request, "catalog.view_product")
    product = scoped(Product, request, product_id)
    party = scoped(Party, request, party_id) if party_id is not None else None
    price = selectors.price_for(product, quantity=quantity, party=party, on=on, currency=currency)
    return {
        "product_id": product.pk,
        "quantity": quantity,
        "unit_price": price.unit_price,
        "list_price": price.list_price,
        "discount_percent": price.discount_percent,
        "currency": price.currency,
        "price_list_id": price.price_list_id,
    }


def _price_list_detail(request: HttpRequest, price_list_id: int) -> PriceList:
    return scoped(PriceList.objects.prefetch_related("items"), request, price_list_id)


def _set_items(price_list: PriceList, request: HttpRequest, items: list[PriceListItemIn], by) -> None:
    products = {p.pk: p for p in scoped(Product, request).filter(pk__in=[i.product_id for i in items])}
    for item in items:
        if item.product_id not in products:
            raise ValidationFailed.on("items.product_id", f"unknown product {item.product_id}")
        services.set_price_list_item(
            price_list,
            products[item.product_id],
            min_quantity=item.min_quantity,
            unit_price=item.unit_price,
            discount_percent=item.discount_percent,
            by=by,
        )


@router.get("/price-lists", response=list[PriceListOut])
@paginate(KernCursorPagination)
def list_price_lists(request: HttpRequest, active: bool | None = None, party_id: int | None = None):
    require_perm(request, "catalog.view_pricelist")
    qs = scoped(PriceList, request).prefetch_related("items")
    if active is not None:
        qs = qs.filter(is_active=active)
    if party_id is not None:
        qs = qs.filter(party_id=party_id)
    return qs


@router.post("/price-lists", response={201: PriceListOut})
def create_price_list(request: HttpRequest, payload: PriceListIn):
    who = require_perm(request, "catalog.add_pricelist")
    if scoped(PriceList, request).filter(name=payload.name).exists():
        raise ValidationFailed.on("name", f"a price list named {payload.name!r} exists")
    data = payload.dict(exclude={"items"})
    data["party"] = data.pop("party_id")
    data["party_tag"] = data.pop("party_tag_id")
    with atomic():
        price_list = services.create_price_list(who.company, by=who.user, **data)
        _set_items(price_list, request, payload.items, who.user)
    return Status(201, _price_list_detail(request, price_list.pk))


@router.get("/price-lists/{price_list_id}", response=PriceListOut)
def get_price_list(request: HttpRequest, price_list_id: int):
    require_perm(request, "catalog.view_pricelist")
    return _price_list_detail(request, price_list_id)


@router.patch("/price-lists/{price_list_id}", response=PriceListOut)
def update_price_list(request: HttpRequest, price_list_id: int, payload: PriceListPatch):
    who = require_perm(request, "catalog.change_pricelist")
    price_list = scoped(PriceList, request, price_list_id)
    data = {
        k: v for k, v in payload.dict(exclude_unset=True).items() if v is not None or k.startswith("valid_")
    }
    services.update_price_list(price_list, by=who.user, **data)
    return _price_list_detail(request, price_list_id)


@router.post("/price-lists/{price_list_id}/items", response={201: PriceListOut})
def set_price_list_items(request: HttpRequest, price_list_id: int, payload: list[PriceListItemIn]):
    who = require_perm(request, "catalog.change_pricelist")
    price_list = scoped(PriceList, request, price_list_id)
    with atomic():
        _set_items(price_list, request, payload, who.user)
    return Status(201, _price_list_detail(request, price_list_id))


@router.delete("/price-lists/{price_list_id}", response={204: None})
def archive_price_list(request: HttpRequest, price_list_id: int):
    who = require_perm(request, "catalog.delete_pricelist")
    services.update_price_list(scoped(PriceList, request, price_list_id), by=who.user, is_active=False)
    return Status(204, None)
