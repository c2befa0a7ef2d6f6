"""A cheaper `Model.__init__` for rows built from keyword arguments, with the same result.

Services build their documents, lines, moves and journal entries as `Model(field=value, …)`;
on the O2C hot path Django's constructor was the largest single cost outside the database (~8 %
of an order's CPU): per field it tries `kwargs.pop` and catches the KeyError, asks the field for
its default through two calls, and sets each value through the attribute machinery. Here what
that needs is worked out once per model — each field's name, attribute, default and whether a
plain dictionary store is what `setattr` would do on a new instance — and the constructor walks
that list. Related objects still go through their descriptor (type checks, cache), properties
and virtual fields through `setattr`, unknown keywords fail as in Django, and the `pre_init` /
`post_init` signals are sent as Django sends them. Positional construction (rows loaded from the
database) and anything unusual is Django's own.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from typing import Any

from django.core.exceptions import FieldDoesNotExist
from django.db.models import Field, ForeignObjectRel, Model
from django.db.models.base import DEFERRED, ModelState
from django.db.models.fields.related_descriptors import ForeignKeyDeferredAttribute
from django.db.models.query_utils import DeferredAttribute
from django.db.models.signals import post_init, pre_init

__all__ = ["construct", "init_plan"]

# (name, attname, is a relation, default maker, value stored straight into __dict__)
_Step = tuple[str, str, bool, Callable[[], Any], bool]

_PLAIN_ATTRIBUTES = (DeferredAttribute, ForeignKeyDeferredAttribute)


def init_plan(cls: type[Model]) -> list[_Step] | None:
    """The steps of building a `cls` from keywords, or None where Django's constructor must do it
    (another class between the model and `object` has an `__init__` of its own)."""
    cached = cls.__dict__.get("_kern_init_plan", False)
    if cached is not False:
        return cached
    plan: list[_Step] | None = []
    after_model = cls.__mro__[cls.__mro__.index(Model) + 1 :]
    if cls._meta.abstract or any("__init__" in k.__dict__ for k in after_model if k is not object):
        plan = None
    else:
        for field in cls._meta.fields:
            if field.column is None or field.generated:
                continue  # virtual: only ever set from a keyword, after the fields (below)
            if type(field).get_default is Field.get_default:
                default = field._get_default  # what Field.get_default() calls
            else:
                default = field.get_default
            # On a new instance, setattr through these descriptors stores the value in __dict__
            # (a foreign key's id clears a cached object first: there is none yet).
            direct = type(inspect.getattr_static(cls, field.attname, None)) in _PLAIN_ATTRIBUTES
            plan.append(
                (field.name, field.attname, isinstance(field.remote_field, ForeignObjectRel), default, direct)
            )
    type.__setattr__(cls, "_kern_init_plan", plan)
    return plan


def construct(instance: Model, kwargs: dict[str, Any], plan: list[_Step]) -> None:
    """Django's `Model.__init__(**kwargs)` (no positional values) for a model with a plan."""
    cls = type(instance)
    if pre_init.receivers:
        pre_init.send(sender=cls, args=(), kwargs=kwargs)
    instance._state = ModelState()
    store = instance.__dict__
    for name, attname, is_relation, default, direct in plan:
        if kwargs:
            if is_relation and name in kwargs:
                related = kwargs.pop(name)
                if related is not DEFERRED:
                    setattr(instance, name, related)  # the descriptor checks and caches it
                continue
            value = kwargs.pop(attname) if attname in kwargs else default()
        else:
            value = default()
        if value is DEFERRED:
            continue
        if direct:
            store[attname] = value
        else:
            setattr(instance, attname, value)
    if kwargs:
        opts = cls._meta
        unexpected = ()
        for prop, value in kwargs.items():
            if prop not in opts._property_names:
                try:
                    opts.get_field(prop)
                except FieldDoesNotExist:
                    unexpected += (prop,)
                    continue
            if value is not DEFERRED:
                setattr(instance, prop, value)
        if unexpected:
            names = ", ".join(repr(n) for n in unexpected)
            raise TypeError(f"{cls.__name__}() got unexpected keyword arguments: {names}")
    if post_init.receivers and (instance.pk is not None or not _only_silent_for_new(cls)):
        post_init.send(sender=cls, instance=instance)


# post_init receivers that do nothing for an instance without a primary key (core.audit's
# snapshot of a loaded row). A new row whose model has only these skips the send: the signal's
# dispatch was ~2 % of an O2C order, for nothing.
SILENT_FOR_NEW: set[Any] = set()


def _only_silent_for_new(cls: type[Model]) -> bool:
    sync_receivers, async_receivers = post_init._live_receivers(cls)
    return not async_receivers and all(receiver in SILENT_FOR_NEW for receiver in sync_receivers)
