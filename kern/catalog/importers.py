"""Products from CSV/XLSX."""

from __future__ import annotations

from typing import Any

from kern.catalog import services
from kern.catalog.models import Product, ProductCategory
from kern.core.imports import Column, Importer, bool_value, decimal_value

_TYPES = {
    "stocked": "stocked",
    "voorraad": "stocked",
    "consumable": "consumable",
    "verbruik": "consumable",
    "service": "service",
    "dienst": "service",
}
_TAX = {
    "standard": "standard",
    "21": "standard",
    "21%": "standard",
    "hoog": "standard",
    "reduced": "reduced",
    "9": "reduced",
    "9%": "reduced",
    "laag": "reduced",
    "zero": "zero",
    "0": "zero",
    "0%": "zero",
    "exempt": "exempt",
    "vrijgesteld": "exempt",
}


def _choice(mapping: dict[str, str], what: str):
    def parse(text: str) -> str:
        try:
            return mapping[text.strip().lower()]
        except KeyError:
            raise ValueError(
                f"unknown {what} {text!r} ({', '.join(sorted(set(mapping.values())))})"
            ) from None

    return parse


def _import_product(company: Any, values: dict[str, Any], by: Any) -> Product:
    category_name = values.pop("category", None)
    if category_name:
        category = ProductCategory.objects.for_company(company).filter(name__iexact=category_name).first()
        values["category"] = category or services.create_category(company, name=category_name, by=by)
    return services.create_product(company, by=by, **values)


PRODUCT_IMPORTER = Importer(
    kind="products",
    label="Products",
    permission="catalog.add_product",
    create_row=_import_product,
    columns=[
        Column("sku", "SKU", required=True, aliases=("artikelnummer", "artikelcode", "code", "item number")),
        Column("name", "Name", required=True, aliases=("naam", "omschrijving kort", "product", "artikel")),
        Column("description", "Description", aliases=("omschrijving", "beschrijving")),
        Column("type", "Type", parse=_choice(_TYPES, "type"), aliases=("soort",)),
        Column("uom", "Unit", aliases=("eenheid", "uom", "unit of measure")),
        Column("sale_price", "Sale price", parse=decimal_value, aliases=("verkoopprijs", "prijs", "price")),
        Column("cost", "Cost", parse=decimal_value, aliases=("kostprijs", "inkoopprijs", "cost price")),
        Column(
            "tax_category",
            "Tax category",
            parse=_choice(_TAX, "tax category"),
            aliases=("btw", "btw-tarief", "vat"),
        ),
        Column("barcode", "Barcode", aliases=("ean", "gtin")),
        Column("category", "Category", aliases=("categorie", "groep", "productgroep")),
        Column("is_active", "Active", parse=bool_value, aliases=("actief",)),
    ],
)
