"""Product configuration (CPQ): option groups, options with price and cost deltas, requires/excludes."""

from __future__ import annotations

from decimal import Decimal

import pytest

from kern.catalog import selectors, services
from kern.catalog.models import OptionGroup, OptionRule, ProductOption
from kern.core.exceptions import ValidationFailed
from tests.builders import a_product

pytestmark = pytest.mark.django_db


@pytest.fixture
def chair(company):
    """An office chair: frame (one of oak / steel, required), extras (any), with rules."""
    chair = a_product(
        company, "CFG-CHAIR", name="Office chair", sale_price=Decimal("200.00"), cost=Decimal("120.00")
    )
    frame = services.add_option_group(chair, code="frame", name="Frame", selection="single")
    extras = services.add_option_group(
        chair, code="extras", name="Extras", selection="multiple", is_required=False
    )
    chair.oak = services.add_option(
        frame, code="oak", name="Oak", price_delta=Decimal("40"), cost_delta=Decimal("25")
    )
    chair.steel = services.add_option(frame, code="steel", name="Steel", is_default=True)
    chair.arms = services.add_option(
        extras, code="arms", name="Armrests", price_delta=Decimal("30"), cost_delta=Decimal("10")
    )
    chair.headrest = services.add_option(
        extras, code="headrest", name="Headrest", price_delta=Decimal("55.50")
    )
    chair.wheels = services.add_option(extras, code="wheels", name="Wheels", price_delta=Decimal("-5"))
    services.add_option_rule(chair, option=chair.headrest, kind="requires", target=chair.arms)
    services.add_option_rule(chair, option=chair.oak, kind="excludes", target=chair.wheels)
    return chair


def test_a_valid_configuration_adds_its_deltas_and_describes_itself(chair):
    config = selectors.configuration_of(chair)
    check = selectors.check_configuration(config, ["frame.oak", "arms", chair.headrest.pk])

    assert check.ok
    assert check.errors == {}
    assert check.price_delta == Decimal("125.5000")
    assert check.cost_delta == Decimal("35.0000")
    assert check.summary == "Frame: Oak; Extras: Armrests, Headrest"
    assert [c["option"] for c in check.choices] == ["oak", "arms", "headrest"]


def test_every_broken_rule_is_reported_at_once(chair):
    config = selectors.configuration_of(chair)
    check = selectors.check_configuration(config, ["oak", "steel", "headrest", "wheels", "gold"])

    assert not check.ok
    assert check.errors == {
        "options": [
            "gold is not an option of this product",
            "Frame: choose only one of Oak, Steel",
            "Headrest requires Armrests",
            "Oak cannot be combined with Wheels",
        ]
    }


def test_a_required_group_left_open_is_refused_and_defaults_fill_it(chair):
    config = selectors.configuration_of(chair)

    assert selectors.check_configuration(config, []).errors == {"options": ["Frame: choose an option"]}
    assert config.default_option_ids() == [chair.steel.pk]
    assert selectors.check_configuration(config, config.default_option_ids()).ok


def test_rules_must_be_consistent(chair):
    with pytest.raises(ValidationFailed) as refused:
        services.add_option_rule(chair, option=chair.wheels, kind="requires", target=chair.oak)
    assert "opposite" in refused.value.errors["kind"][0]
    with pytest.raises(ValidationFailed) as same_group:
        services.add_option_rule(chair, option=chair.oak, kind="requires", target=chair.steel)
    assert "choose-one" in same_group.value.errors["target"][0]
    assert OptionRule.objects.filter(product=chair).count() == 2


def test_codes_are_unique_within_the_product_and_group(chair):
    with pytest.raises(ValidationFailed) as refused:
        services.add_option_group(chair, code="frame", name="Frame again")
    assert refused.value.errors == {"code": ["the product already has an option group 'frame'"]}
    frame = OptionGroup.objects.get(product=chair, code="frame")
    with pytest.raises(ValidationFailed):
        services.add_option(frame, code="oak", name="Oak again")
    assert ProductOption.objects.filter(group=frame).count() == 2


def test_removing_an_option_removes_its_rules(chair):
    services.remove_option(chair.arms)

    assert not OptionRule.objects.filter(product=chair, kind="requires").exists()
    assert selectors.check_configuration(selectors.configuration_of(chair), ["steel", "headrest"]).ok


def test_batch_prices_follow_the_same_rule_as_price_for(company):
    from kern.catalog.services import create_price_list, set_price_list_item

    a = a_product(company, "PB-A", sale_price=Decimal("10.00"))
    b = a_product(company, "PB-B", sale_price=Decimal("20.00"))
    general = create_price_list(company, name="Staffel")
    set_price_list_item(general, a, min_quantity=Decimal("10"), unit_price=Decimal("9.00"))
    set_price_list_item(general, a, min_quantity=Decimal("100"), discount_percent=Decimal("20"))

    prices = selectors.prices_for(
        company, [(a, Decimal("5")), (a, Decimal("10")), (a, Decimal("150")), (b, Decimal("1"))]
    )

    assert [p.unit_price for p in prices] == [
        Decimal("10.00"),
        Decimal("9.00"),
        Decimal("8.0000"),
        Decimal("20.00"),
    ]
    for product, qty in ((a, Decimal("5")), (a, Decimal("10")), (a, Decimal("150")), (b, Decimal("1"))):
        assert (
            selectors.price_for(product, quantity=qty).unit_price
            == prices[
                [(a, Decimal("5")), (a, Decimal("10")), (a, Decimal("150")), (b, Decimal("1"))].index(
                    (product, qty)
                )
            ].unit_price
        )
