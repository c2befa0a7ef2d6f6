"""Gapless document numbers per company, kind and fiscal year."""

import datetime as dt

import pytest
from django.db import transaction

from kern.core.db import atomic
from kern.core.models import Sequence
from kern.core.numbering import next_number, peek_number, register_scheme
from tests.builders import a_company

register_scheme("tests.invoice", "INV-{year}-{seq:05d}")
register_scheme("tests.ticket", "T{seq:04d}", yearly=False)


@pytest.mark.django_db
def test_numbers_are_consecutive_per_company_kind_and_year():
    acme, other = a_company(), a_company()
    jan = dt.date(2026, 1, 15)
    assert [next_number(acme, "tests.invoice", jan) for _ in range(3)] == [
        "INV-2026-00001",
        "INV-2026-00002",
        "INV-2026-00003",
    ]
    assert next_number(other, "tests.invoice", jan) == "INV-2026-00001"
    assert next_number(acme, "tests.invoice", dt.date(2027, 1, 1)) == "INV-2027-00001"
    assert next_number(acme, "tests.ticket", jan) == "T0001"
    assert next_number(acme, "tests.ticket", dt.date(2027, 1, 1)) == "T0002"


@pytest.mark.django_db
def test_a_rolled_back_transaction_gives_its_number_back():
    company = a_company()
    on = dt.date(2026, 3, 1)
    assert next_number(company, "tests.invoice", on) == "INV-2026-00001"
    with pytest.raises(RuntimeError), atomic():
        assert next_number(company, "tests.invoice", on) == "INV-2026-00002"
        raise RuntimeError("posting failed")
    assert next_number(company, "tests.invoice", on) == "INV-2026-00002"
    assert peek_number(company, "tests.invoice", on) == "INV-2026-00003"


@pytest.mark.django_db
def test_the_fiscal_year_names_the_sequence():
    company = a_company(fiscal_year_start_month=7)
    assert next_number(company, "tests.invoice", dt.date(2026, 6, 30)) == "INV-2025-00001"
    assert next_number(company, "tests.invoice", dt.date(2026, 7, 1)) == "INV-2026-00001"


@pytest.mark.django_db
def test_a_company_can_override_the_pattern():
    company = a_company(settings={"numbering": {"tests.invoice": "F{yy}{month}-{seq:03d}"}})
    assert next_number(company, "tests.invoice", dt.date(2026, 5, 2)) == "F2605-001"


@pytest.mark.django_db
def test_the_counter_row_is_unique_per_company_kind_and_year():
    company = a_company()
    next_number(company, "tests.invoice", dt.date(2026, 1, 1))
    with pytest.raises(Exception), transaction.atomic():  # noqa: B017 -- IntegrityError differs per backend
        Sequence.objects.create(company=company, kind="tests.invoice", period_key=2026, pattern="x")
