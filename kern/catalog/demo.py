"""Demo data: 100 products in categories, with a general price list with quantity breaks,
a wholesale group list and one customer's own prices."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from kern.catalog import services
from kern.catalog.models import PriceList, Product
from kern.parties.models import Party, PartyTag

RANGES = [
    (
        "Kantoormeubelen",
        "stocked",
        "pcs",
        "standard",
        [
            "Bureau",
            "Bureaustoel",
            "Vergadertafel",
            "Archiefkast",
            "Ladeblok",
            "Boekenkast",
            "Zit-sta bureau",
            "Monitorarm",
            "Voetensteun",
            "Kapstok",
        ],
    ),
    (
        "Koffie & thee",
        "stocked",
        "pcs",
        "reduced",
        [
            "Koffiebonen 1 kg",
            "Espresso 1 kg",
            "Thee assortiment",
            "Koffiecups 100 st",
            "Melkpoeder",
            "Suikersticks 500 st",
            "Cacao 1 kg",
            "Decafé 1 kg",
            "Groene thee",
            "Chai latte",
        ],
    ),
    (
        "Verpakking",
        "stocked",
        "pcs",
        "standard",
        [
            "Doos 30x20x20",
            "Doos 40x30x30",
            "Tape 50 m",
            "Noppenfolie",
            "Pallet",
            "Stretchfolie",
            "Vulmateriaal",
            "Etiketten 1000 st",
            "Envelop A4",
            "Verzendkoker",
        ],
    ),
    (
        "Verlichting",
        "stocked",
        "pcs",
        "standard",
        [
            "LED paneel",
            "Bureaulamp",
            "Vloerlamp",
            "LED buis",
            "Spot",
            "Wandlamp",
            "Noodverlichting",
            "Lichtsensor",
            "Dimmer",
            "Plafondlamp",
        ],
    ),
    (
        "Diensten",
        "service",
        "h",
        "standard",
        [
            "Montage",
            "Advies",
            "Installatie",
            "Onderhoud",
            "Training",
            "Projectmanagement",
            "Ontwerp",
            "Inspectie",
            "Reparatie",
            "Support",
        ],
    ),
]


PREFIXES = ["MEU", "KOF", "VRP", "LCH", "DNS"]


def load_catalog(ctx: dict[str, Any], progress: Any = None) -> None:
    company = ctx["company"]
    if Product.objects.for_company(company).count() >= 100:
        return
    n = 0
    total = 100
    products: list[Product] = []
    for r, (category_name, ptype, uom, tax, names) in enumerate(RANGES):
        category = services.create_category(
            company, name=category_name, costing_method="fifo" if r % 2 else "average"
        )
        for variant in ("Basic", "Pro"):
            for k, base in enumerate(names):
                n += 1
                price = Decimal(15 + (k * 37 + r * 11) % 400) + (Decimal("80") if variant == "Pro" else 0)
                products.append(
                    services.create_product(
                        company,
                        sku=f"{PREFIXES[r]}-{variant[0]}{k:02d}",
                        name=f"{base} {variant}",
                        type=ptype,
                        uom=uom,
                        category=category,
                        sale_price=price + Decimal("0.95"),
                        cost=(price * Decimal("0.55")).quantize(Decimal("0.01")),
                        tax_category=tax,
                        barcode=f"87{n:011d}",
                        tracking="lot" if r == 1 and variant == "Pro" else "none",
                    )
                )
                if progress:
                    progress(n, total)
    if not PriceList.objects.for_company(company).exists():
        general = services.create_price_list(company, name="Staffelkorting", priority=20)
        for product in products[:40]:
            services.set_price_list_item(
                general, product, min_quantity=Decimal("10"), discount_percent=Decimal("5")
            )
            services.set_price_list_item(
                general, product, min_quantity=Decimal("50"), discount_percent=Decimal("10")
            )
        wholesale_tag = PartyTag.objects.for_company(company).filter(name="Wholesale").first()
        if wholesale_tag:
            wholesale = services.create_price_list(
                company, name="Groothandel", party_tag=wholesale_tag, priority=10
            )
            for product in products[:60]:
                services.set_price_list_item(wholesale, product, discount_percent=Decimal("12.5"))
        key_account = Party.objects.for_company(company).filter(is_customer=True).order_by("number").first()
        if key_account:
            own = services.create_price_list(company, name=f"Contract {key_account.name}", party=key_account)
            for product in products[:10]:
                services.set_price_list_item(
                    own, product, unit_price=(product.sale_price * Decimal("0.8")).quantize(Decimal("0.01"))
                )
