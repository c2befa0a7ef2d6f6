"""More inventory refusals read well in English and in Dutch: a tracked line without its lot or
serial number says which number it needs, packing with nothing picked left, picking with nothing
reserved, an unknown or empty scanned code (in the selector and in the scan endpoint), a quantity
too small for the product's unit, deactivating a location that holds stock, a reorder rule saved
over someone else's, returning an operation that is not done, a reservation that lost its stock
to another one, and a company without a warehouse. The sales, payments and inventory catalogues
hold no entry their app no longer marks ('company' comes from kern/core)."""

from __future__ import annotations

import shutil
from decimal import Decimal

import polib
import pytest
from django.db import IntegrityError
from django.utils import translation

from kern.catalog.models import TrackingMode
from kern.core.exceptions import Conflict, NotFound
from kern.inventory import selectors, services
from kern.inventory.exceptions import InvalidQuantity, LotRequired
from kern.inventory.models import ReorderRule, Warehouse
from kern.inventory.services import MoveSpec, PickLine, _sql
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
            "een partijnummer is verplicht voor PHONE Phone",
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
    assert english.value.message == "NOPE-42 is not a product, lot, serial number or location"
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


@pytest.mark.django_db
def test_an_unknown_scanned_code_is_refused_in_dutch_by_the_api(api):
    dutch = api.get("/api/v1/inventory/scan?code=NOPE-42", HTTP_ACCEPT_LANGUAGE="nl")
    english = api.get("/api/v1/inventory/scan?code=NOPE-42")

    assert (dutch.status_code, english.status_code) == (422, 422)
    assert dutch.json()["detail"] == "NOPE-42: geen product, partij, serienummer of locatie"
    assert dutch.json()["errors"] == {"code": ["onbekende code"]}
    assert english.json()["detail"] == "NOPE-42: no product, lot, serial number or location"
    assert english.json()["errors"] == {"code": ["unknown code"]}
    assert dutch.json()["code"] == english.json()["code"] == "unknown_code"


@pytest.mark.django_db
def test_picking_with_nothing_reserved_is_refused_in_dutch(company, customer, chair):
    delivery = services.create_delivery(
        company, lines=[MoveSpec(chair, D("2"))], partner=customer, allow_partial=True
    )
    assert delivery.status == "waiting"  # no stock, so nothing is reserved

    with translation.override("nl"), pytest.raises(Conflict) as dutch:
        services.pick(delivery)
    with pytest.raises(Conflict) as english:
        services.pick(delivery)

    assert dutch.value.message == f"{delivery.number}: er is niets gereserveerd om te picken"
    assert english.value.message == f"{delivery.number}: nothing is reserved to pick"
    assert dutch.value.as_problem()["code"] == english.value.as_problem()["code"] == "nothing_reserved"


@pytest.mark.django_db
def test_deactivating_a_location_that_holds_stock_is_refused_in_dutch(wh, chair):
    in_stock(chair, 5)
    location = wh.stock_location

    with translation.override("nl"), pytest.raises(Conflict) as dutch:
        services.update_location(location, is_active=False)
    with pytest.raises(Conflict) as english:
        services.update_location(location, is_active=False)

    assert dutch.value.message == f"{location} bevat nog voorraad"
    assert english.value.message == f"{location} still holds stock"
    assert dutch.value.as_problem()["code"] == english.value.as_problem()["code"] == "location_not_empty"


@pytest.mark.django_db
def test_a_reorder_rule_changed_by_someone_else_is_refused_in_dutch(wh, chair, monkeypatch):
    def taken(self, *args, **kwargs):  # another user saved the product's rule first
        raise IntegrityError("duplicate key")

    monkeypatch.setattr(ReorderRule, "save", taken)
    with translation.override("nl"), pytest.raises(Conflict) as dutch:
        services.set_reorder_rule(wh, chair, min_quantity=D("2"), max_quantity=D("10"))
    with pytest.raises(Conflict) as english:
        services.set_reorder_rule(wh, chair, min_quantity=D("2"), max_quantity=D("10"))

    assert dutch.value.message == "de bestelregel is door iemand anders gewijzigd; probeer het opnieuw"
    assert english.value.message == "the rule was changed by someone else; try again"


@pytest.mark.django_db
def test_returning_an_operation_that_is_not_done_is_refused_in_dutch(company, customer, chair):
    in_stock(chair, 5)
    delivery = services.create_delivery(company, lines=[MoveSpec(chair, D("2"))], partner=customer)
    assert delivery.status == "ready"

    with translation.override("nl"), pytest.raises(Conflict) as dutch:
        services.return_operation(delivery)
    with pytest.raises(Conflict) as english:
        services.return_operation(delivery)

    assert dutch.value.message == f"{delivery.number} is niet gereed; annuleer de mutatie in plaats daarvan"
    assert english.value.message == f"{delivery.number} is not done; cancel it instead"
    assert dutch.value.as_problem()["code"] == english.value.as_problem()["code"] == "not_done"


@pytest.mark.django_db
def test_a_reservation_that_keeps_losing_its_stock_is_refused_in_dutch(company, customer, chair, monkeypatch):
    in_stock(chair, 5)
    # Every conditional UPDATE finds the stock taken by a concurrent reservation.
    monkeypatch.setattr(_sql, "reserve_quants", lambda allocations: set())
    line = MoveSpec(chair, D("2"))

    with translation.override("nl"), pytest.raises(Conflict) as dutch:
        services.create_delivery(company, lines=[line], partner=customer)
    with pytest.raises(Conflict) as english:
        services.create_delivery(company, lines=[line], partner=customer)

    assert dutch.value.message == "de voorraad is tijdens het reserveren gewijzigd; probeer het opnieuw"
    assert english.value.message == "stock changed while reserving; try again"
    assert dutch.value.as_problem()["code"] == english.value.as_problem()["code"] == "reservation_conflict"


@pytest.mark.django_db
def test_a_company_without_a_warehouse_is_not_found_in_dutch(company):
    Warehouse.objects.filter(company=company).update(is_active=False)

    with translation.override("nl"), pytest.raises(NotFound) as dutch:
        selectors.default_warehouse(company)
    with pytest.raises(NotFound) as english:
        selectors.default_warehouse(company)

    assert dutch.value.message == "het bedrijf heeft geen magazijn"
    assert english.value.message == "the company has no warehouse"


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
