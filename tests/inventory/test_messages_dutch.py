"""More inventory refusals read well in English and in Dutch: a tracked line without its lot or
serial number says which number it needs, packing with nothing picked left, an unknown or empty
scanned code, and a quantity too small for the product's unit. The sales, payments and inventory
catalogues hold no entry their app no longer marks ('company' comes from kern/core)."""

from __future__ import annotations

import shutil
from decimal import Decimal

import polib
import pytest
from django.utils import translation

from kern.catalog.models import TrackingMode
from kern.core.exceptions import Conflict, NotFound
from kern.inventory import selectors, services
from kern.inventory.exceptions import InvalidQuantity, LotRequired
from kern.inventory.services import MoveSpec, PickLine
from kern.payments.models import Payment
from kern.sales.models import Invoice
from tests.builders import a_product, in_stock
from tests.web.test_translations import KERN, _extracted

D = Decimal


def _unvalidated_receipt(company, vendor, product):
    return services.receive(company, lines=[MoveSpec(product, D("1"))], partner=vendor, validate=False)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("tracking", "english", "dutch"),
    [
        (
            TrackingMode.SERIAL,
            "a serial number is required for PHONE Phone",
            "een serienummer is verplicht voor PHONE Phone",
        ),
        (
            TrackingMode.LOT,
            "a lot number is required for PHONE Phone",
            "een lotnummer is verplicht voor PHONE Phone",
        ),
    ],
)
def test_a_tracked_line_without_its_number_names_the_number_it_needs(
    company, vendor, tracking, english, dutch
):
    phone = a_product(company, "PHONE", name="Phone", tracking=tracking)
    receipt = _unvalidated_receipt(company, vendor, phone)
    with pytest.raises(LotRequired) as refused_in_english:
        services.validate_operation(receipt)
    with translation.override("nl"), pytest.raises(LotRequired) as refused_in_dutch:
        services.validate_operation(receipt)

    assert refused_in_english.value.message == english
    assert refused_in_dutch.value.message == dutch
    for refused in (refused_in_english.value, refused_in_dutch.value):
        problem = refused.as_problem()
        assert (problem["code"], problem["product_id"]) == ("lot_required", phone.pk)
    assert refused_in_english.value.errors == {"lot": ["PHONE needs a lot or serial number"]}


@pytest.mark.django_db
def test_packing_with_nothing_picked_left_is_refused_in_dutch(company, customer, chair):
    in_stock(chair, 5)
    delivery = services.create_delivery(company, lines=[MoveSpec(chair, D("2"))], partner=customer)
    services.pick(delivery, lines=[PickLine(delivery.moves.get().pk, D("0"))])  # picked, but nothing
    assert delivery.status == "picked"

    with translation.override("nl"), pytest.raises(Conflict) as dutch:
        services.pack(delivery)
    with pytest.raises(Conflict) as english:
        services.pack(delivery)

    assert dutch.value.message == f"{delivery.number}: er is niets gepickt dat nog ingepakt moet worden"
    assert english.value.message == f"{delivery.number}: nothing picked is left to pack"
    assert dutch.value.as_problem()["code"] == english.value.as_problem()["code"] == "nothing_to_pack"


@pytest.mark.django_db
def test_an_unknown_or_empty_code_is_not_found_in_dutch(company):
    with translation.override("nl"):
        with pytest.raises(NotFound) as unknown:
            selectors.resolve_code(company, " NOPE-42 ")
        with pytest.raises(NotFound) as empty:
            selectors.resolve_code(company, "  ")
    assert unknown.value.message == "NOPE-42 is geen product, partij, serienummer of locatie"
    assert empty.value.message == "lege code"

    with pytest.raises(NotFound) as english:
        selectors.resolve_code(company, "NOPE-42")
    assert english.value.message == "NOPE-42 is no product, lot, serial number or location"
    with pytest.raises(NotFound) as english_empty:
        selectors.resolve_code(company, "")
    assert english_empty.value.message == "empty code"


@pytest.mark.django_db
def test_a_quantity_smaller_than_the_products_unit_can_hold_is_refused_in_dutch(company, vendor):
    wire = a_product(company, "WIRE", name="Wire", uom="kg")
    line = MoveSpec(wire, D("0.01"), uom="g")  # 0.00001 kg: below the 0.0001 a quantity keeps
    with translation.override("nl"), pytest.raises(InvalidQuantity) as dutch:
        services.receive(company, lines=[line], partner=vendor, validate=False)
    with pytest.raises(InvalidQuantity) as english:
        services.receive(company, lines=[line], partner=vendor, validate=False)

    assert dutch.value.message == "WIRE Wire: aantal 0.01 g is minder dan één kg"
    assert english.value.message == "WIRE Wire: quantity 0.01 g is less than one kg"
    assert dutch.value.errors == {"quantity": [dutch.value.message]}


@pytest.mark.skipif(shutil.which("xgettext") is None, reason="GNU gettext (xgettext) is not installed")
@pytest.mark.parametrize("app", ["sales", "payments", "inventory"])
def test_the_catalogue_holds_only_strings_its_app_marks(app, tmp_path):
    """makemessages --no-obsolete of the app (as tests/web/test_translations.py runs it) would
    drop every entry listed here; 'company' is kern/core's (CompanyOwned), not the app's."""
    po = polib.pofile(str(KERN / app / "locale" / "nl" / "LC_MESSAGES" / "django.po"))
    entries = {(e.msgctxt, e.msgid) for e in po if e.msgid and not e.obsolete}
    unused = sorted(msgid for _, msgid in entries - _extracted(app, tmp_path))
    assert unused == [], f"kern/{app} no longer marks {unused}"


def test_the_company_field_of_sales_and_payments_reads_in_dutch_from_the_core_catalogue():
    with translation.override("nl"):
        labels = {str(model._meta.get_field("company").verbose_name) for model in (Invoice, Payment)}
    assert labels == {"bedrijf"}
