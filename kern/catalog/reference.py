"""Units of measure every company starts with (UN/ECE Recommendation 20 codes for e-invoices)."""

from __future__ import annotations

from decimal import Decimal

UNITS = {
    ("unit", "Unit"): [("pcs", "Piece", "1", "H87"), ("dozen", "Dozen", "12", "DZN"), ("pair", "Pair", "2", "PR"),
                       ("box10", "Box of 10", "10", "XBX")],
    ("weight", "Weight"): [("kg", "Kilogram", "1", "KGM"), ("g", "Gram", "0.001", "GRM"), ("t", "Tonne", "1000", "TNE")],
    ("length", "Length"): [("m", "Metre", "1", "MTR"), ("cm", "Centimetre", "0.01", "CMT"), ("km", "Kilometre", "1000", "KMT")],
    ("volume", "Volume"): [("l", "Litre", "1", "LTR"), ("ml", "Millilitre", "0.001", "MLT"), ("m3", "Cubic metre", "1000", "MTQ")],
    ("area", "Area"): [("m2", "Square metre", "1", "MTK")],
    ("time", "Time"): [("h", "Hour", "1", "HUR"), ("min", "Minute", "0.0166666667", "MIN"), ("day", "Day", "8", "DAY")],
}  # fmt: skip


def seed_units(using: str = "default", UomCategory=None, Uom=None) -> None:
    """Create missing unit categories and units; existing ones are left as they are."""
    if UomCategory is None:
        from kern.catalog.models import Uom, UomCategory
    for (code, name), units in UNITS.items():
        category, _ = UomCategory.objects.using(using).get_or_create(code=code, defaults={"name": name})
        for ucode, uname, factor, unece in units:
            Uom.objects.using(using).get_or_create(
                code=ucode,
                defaults={
                    "category": category,
                    "name": uname,
                    "factor": Decimal(factor),
                    "unece_code": unece,
                },
            )
