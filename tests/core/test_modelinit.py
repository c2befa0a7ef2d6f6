"""core.modelinit: every audited model built from keywords comes out as Django's constructor builds it."""

import datetime as dt
import itertools
from decimal import Decimal

import pytest
from django.apps import apps
from django.db.models import Model
from django.db.models.signals import post_init, pre_init

from kern.core.modelinit import init_plan
from kern.core.models import Audited

pytestmark = pytest.mark.django_db

_counter = itertools.count(1)


def _value_for(field):
    kind = field.get_internal_type()
    n = next(_counter)
    if field.is_relation:
        return n
    if kind in ("DecimalField",):
        return Decimal(n) / 4
    if kind in ("DateField",):
        return dt.date(2026, 1, 1) + dt.timedelta(days=n)
    if kind in ("DateTimeField",):
        return dt.datetime(2026, 1, 1, tzinfo=dt.UTC) + dt.timedelta(minutes=n)
    if kind in ("BooleanField",):
        return bool(n % 2)
    if kind.endswith("IntegerField"):
        return n
    if kind == "JSONField":
        return {"n": n}
    if kind == "CountryField" or getattr(field, "countries", None) is not None:
        return "NL"
    if field.choices:
        return field.choices[0][0]
    return f"v{n}"


def _built_by_django(model, **kwargs):
    instance = model.__new__(model)
    Model.__init__(instance, **kwargs)
    return instance


def _state_of(instance):
    values = {k: v for k, v in vars(instance).items() if k != "_state"}
    return values, dict(instance._state.fields_cache), instance._state.adding, instance._state.db


def _audited_models():
    return [m for m in apps.get_models() if issubclass(m, Audited)]


def test_every_audited_model_has_a_plan():
    models = _audited_models()
    assert len(models) > 60
    assert all(init_plan(m) is not None for m in models)


@pytest.mark.parametrize("shape", ["ids", "defaults only", "every other field", "related objects"])
def test_built_from_keywords_as_django_builds_it(shape):
    for model in _audited_models():
        fields = [f for f in model._meta.concrete_fields if not f.primary_key and not f.generated]
        kwargs = {}
        for i, field in enumerate(fields):
            if shape == "defaults only" or (shape == "every other field" and i % 2):
                continue
            if shape == "related objects" and field.is_relation:
                kwargs[field.name] = field.related_model()
            else:
                kwargs[field.attname] = _value_for(field)
        if not kwargs:
            kwargs = {"pk": None}
        ours = model(**dict(kwargs))
        theirs = _built_by_django(model, **dict(kwargs))
        ours_state, theirs_state = _state_of(ours), _state_of(theirs)
        assert ours_state[0].keys() == theirs_state[0].keys(), model
        for key, value in theirs_state[0].items():
            # Mutable defaults (dicts, lists) are new objects each time: compare what they hold;
            # a default of "now" is read a few microseconds apart, a random token differs.
            mine = ours_state[0][key]
            made_by = {f.attname: f.default for f in fields}.get(key)
            if isinstance(value, dt.datetime) and isinstance(mine, dt.datetime):
                assert abs(mine - value) < dt.timedelta(seconds=5), (model, key)
            elif callable(made_by) and not isinstance(value, dict | list):
                assert type(mine) is type(value), (model, key)  # a new token, a new number…
            else:
                assert mine == value, (model, key)
        assert ours_state[1:] == theirs_state[1:], model


def test_unknown_keywords_and_properties_behave_as_in_django():
    from kern.sales.models import SalesOrder

    with pytest.raises(TypeError, match="unexpected keyword arguments: 'nonsense'"):
        SalesOrder(nonsense=1)
    with pytest.raises(TypeError, match="unexpected keyword arguments: 'nonsense'"):
        _built_by_django(SalesOrder, nonsense=1)
    # a related object and its id both given: the id wins, the cached object is dropped, as in Django
    from kern.parties.models import Party

    party = Party(pk=5, name="A")
    ours = SalesOrder(customer=party, customer_id=7)
    theirs = _built_by_django(SalesOrder, customer=party, customer_id=7)
    assert (ours.customer_id, "customer" in ours._state.fields_cache) == (
        theirs.customer_id,
        "customer" in theirs._state.fields_cache,
    )


def test_the_init_signals_are_sent_as_django_sends_them():
    from kern.sales.models import SalesOrder

    seen = []

    def before(sender, args, kwargs, **extra):
        seen.append(("pre", sender, dict(kwargs)))

    def after(sender, instance, **extra):
        seen.append(("post", sender, instance.number))

    pre_init.connect(before, sender=SalesOrder)
    post_init.connect(after, sender=SalesOrder)
    try:
        SalesOrder(number="SO-1")
    finally:
        pre_init.disconnect(before, sender=SalesOrder)
        post_init.disconnect(after, sender=SalesOrder)
    assert seen == [("pre", SalesOrder, {"number": "SO-1"}), ("post", SalesOrder, "SO-1")]


def test_rows_loaded_from_the_database_still_use_djangos_constructor(company):
    from kern.core.models import Company

    loaded = Company.objects.get(pk=company.pk)
    assert not loaded._state.adding and loaded.name == company.name


def test_post_init_is_skipped_only_where_its_receivers_would_do_nothing():
    """A new row of an audited model: the audit's receiver snapshots loaded rows only, so the
    send is skipped; with a key given, or with any other receiver, it is sent."""
    from unittest import mock

    from kern.core.audit import _SNAPSHOT
    from kern.sales.models import SalesOrder

    with mock.patch.object(post_init, "send", wraps=post_init.send) as send:
        SalesOrder(number="SO-1")
        assert send.call_count == 0
        keyed = SalesOrder(pk=41, number="SO-2")
        assert send.call_count == 1
    assert keyed.__dict__[_SNAPSHOT]["number"] == "SO-2"

    seen = []

    def other(sender, instance, **extra):
        seen.append(instance.number)

    post_init.connect(other, sender=SalesOrder)
    try:
        SalesOrder(number="SO-3")
    finally:
        post_init.disconnect(other, sender=SalesOrder)
    assert seen == ["SO-3"]
