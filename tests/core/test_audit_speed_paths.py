"""The audit's shortcuts give what the plain code gave: `_jsonable`'s converters cached by type,
and snapshots read through a per-model itemgetter."""

import datetime as dt
import enum
import uuid
from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.utils.functional import SimpleLazyObject

from kern.core import audit
from kern.core.audit import _jsonable, snapshot
from kern.parties import services as parties
from kern.parties.models import Party
from tests.builders import a_company


def plain_jsonable(value):
    """`_jsonable` as an isinstance chain, without caches: what the audit always wrote."""
    if value is None:
        return None
    if isinstance(value, (Decimal, float)):
        return str(value)
    if isinstance(value, (dt.datetime, dt.date, dt.time)):
        return value.isoformat()
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, (bytes, memoryview)):
        return "<binary>"
    if isinstance(value, (list, tuple)):
        return [plain_jsonable(v) for v in value]
    if isinstance(value, dict):
        return {str(k): plain_jsonable(v) for k, v in value.items()}
    if isinstance(value, (bool, int, str)):
        return value
    return str(value)


class Colour(enum.StrEnum):
    RED = "red"


class Size(enum.IntEnum):
    BIG = 3


class Money(Decimal):
    pass


class Stamp(dt.datetime):
    def isoformat(self, *args, **kwargs):
        return "stamp:" + super().isoformat(*args, **kwargs)


class Thing:
    def __str__(self):
        return "a thing"


VALUES = [
    None,
    True,
    7,
    "text",
    Decimal("1.50"),
    2.5,
    dt.datetime(2026, 11, 28, 9, 30, tzinfo=dt.UTC),
    dt.date(2026, 11, 28),
    dt.time(9, 30),
    uuid.UUID(int=5),
    b"\x00",
    memoryview(b"ab"),
    (1, Decimal("2")),
    [dt.date(2026, 1, 1), {"k": Decimal("3")}],
    {1: Colour.RED, "s": Size.BIG},
    Colour.RED,
    Size.BIG,
    Money("4.20"),
    Stamp(2026, 11, 28, 9, 30),
    Thing(),
]


def test_jsonable_gives_what_the_isinstance_chain_gave_on_first_and_later_calls():
    for _ in range(2):  # the second round goes through the converters cached by type
        for value in VALUES:
            got, want = _jsonable(value), plain_jsonable(value)
            assert (got, type(got)) == (want, type(want)), value


def test_a_proxy_is_converted_by_what_it_wraps_each_time():
    """A LazyObject's type is the same whatever it wraps, so its converter is never cached."""
    wrapped = [SimpleLazyObject(lambda: Decimal("1.5")), SimpleLazyObject(lambda: 3), SimpleLazyObject(Thing)]
    for _ in range(2):
        assert (
            [_jsonable(v) for v in wrapped] == [plain_jsonable(v) for v in wrapped] == ["1.5", 3, "a thing"]
        )
    assert SimpleLazyObject not in audit._CONVERTERS and SimpleLazyObject not in audit._PLAIN


def fake_model(*attnames):
    fields = [SimpleNamespace(name=n, attname=n, primary_key=n == "id") for n in ("id", *attnames)]
    return type("Fake", (), {"_meta": SimpleNamespace(concrete_fields=fields)})


def test_snapshots_of_models_with_different_fields_each_read_their_own():
    one, three = fake_model("name"), fake_model("a", "b", "c")
    none = fake_model()
    for _ in range(2):
        assert snapshot(one()) == {}  # nothing loaded: nothing remembered
        item = one()
        item.__dict__.update(id=1, name="x")
        assert snapshot(item) == {"name": "x"}
        item = three()
        item.__dict__.update(id=1, a=1, b=None, c="z", other="not a field")
        assert snapshot(item) == {"a": 1, "b": None, "c": "z"}
        assert snapshot(none()) == {}
    sub = type("Sub", (three,), {"_meta": SimpleNamespace(concrete_fields=one._meta.concrete_fields)})
    item = sub()
    item.__dict__.update(id=2, name="y", a=1)
    assert snapshot(item) == {"name": "y"}  # not the parent model's plan


@pytest.mark.django_db
def test_a_row_loaded_with_deferred_fields_remembers_the_loaded_ones():
    party = parties.create_party(a_company(), name="Jansen Bouw", is_customer=True)
    partial = Party.objects.only("name").get(pk=party.pk)
    remembered = partial.__dict__[audit._SNAPSHOT]
    assert remembered == {"name": "Jansen Bouw"}
    full = Party.objects.get(pk=party.pk)
    tracked = audit._tracked(Party)[0]
    assert "name" in tracked and "company_id" in tracked
    assert full.__dict__[audit._SNAPSHOT] == {n: full.__dict__[n] for n in tracked}
