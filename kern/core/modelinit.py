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
from django.db import DEFAULT_DB_ALIAS, router
from django.db.models import Field, ForeignObjectRel, Model
from django.db.models.base import DEFERRED, ModelState
from django.db.models.fields.related_descriptors import (
    ForeignKeyDeferredAttribute,
    ForwardManyToOneDescriptor,
)
from django.db.models.query_utils import DeferredAttribute
from django.db.models.signals import post_init, pre_init
from django.utils import timezone

from kern.core import clock

__all__ = ["construct", "init_plan"]

# (name, attname, is a relation, default maker, value stored straight into __dict__, what a
# foreign key's descriptor would do with a related object — see _plain_foreign_key — or None)
_Step = tuple[str, str, bool, Callable[[], Any], bool, tuple[type[Model], str, str] | None]

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
                if default is timezone.now:  # created_at and the like: the same value, sooner
                    default = clock.now
            else:
                default = field.get_default
            # On a new instance, setattr through these descriptors stores the value in __dict__
            # (a foreign key's id clears a cached object first: there is none yet).
            direct = type(inspect.getattr_static(cls, field.attname, None)) in _PLAIN_ATTRIBUTES
            is_relation = isinstance(field.remote_field, ForeignObjectRel)
            plain_key = _plain_foreign_key(cls, field) if is_relation and direct else None
            plan.append((field.name, field.attname, is_relation, default, direct, plain_key))
    type.__setattr__(cls, "_kern_init_plan", plan)
    return plan


def _plain_foreign_key(cls: type[Model], field: Field) -> tuple[type[Model], str, str] | None:
    """For a many-to-one key set through Django's own descriptor on one column: the model a
    related object must be an instance of, the attribute its id is read from and the name it is
    cached under. Setting a related object on a new row then comes down to three stores, done in
    `construct` without the descriptor (its calls were ~2 % of an O2C order). Anything else — a
    one-to-one (it also caches the reverse side), a key over several columns, a descriptor of
    its own — goes through `setattr`."""
    descriptor = inspect.getattr_static(cls, field.name, None)
    related_fields = getattr(field, "related_fields", ())
    if type(descriptor) is not ForwardManyToOneDescriptor or not field.remote_field.multiple:
        return None
    if len(related_fields) != 1 or related_fields[0][0].attname != field.attname:
        return None
    return (field.remote_field.model._meta.concrete_model, related_fields[0][1].attname, field.cache_name)


def construct(instance: Model, kwargs: dict[str, Any], plan: list[_Step]) -> None:
    """Django's `Model.__init__(**kwargs)` (no positional values) for a model with a plan."""
    cls = type(instance)
    if pre_init.receivers:
        pre_init.send(sender=cls, args=(), kwargs=kwargs)
    instance._state = state = ModelState()
    store = instance.__dict__
    # Without database routers, the descriptor's router questions have fixed answers (below).
    routed = bool(router.routers)
    for name, attname, is_relation, default, direct, plain_key in plan:
        if kwargs:
            if is_relation and name in kwargs:
                related = kwargs.pop(name)
                if related is DEFERRED:
                    continue
                if plain_key is not None and not routed and isinstance(related, plain_key[0]):
                    # ForwardManyToOneDescriptor.__set__ for a related object, routers absent:
                    # both rows take the database of whichever has one (else the default), the
                    # relation is allowed where the two agree, the id and the object are stored.
                    theirs = related._state
                    if state.db is None:
                        state.db = theirs.db or DEFAULT_DB_ALIAS
                    if theirs.db is None:
                        theirs.db = state.db
                    if theirs.db == state.db:
                        store[attname] = getattr(related, plain_key[1])
                        state.fields_cache[plain_key[2]] = related
                        continue
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
    # The answer holds while the signal's own cache of cls's receivers is the same list: Django
    # replaces it whenever a receiver is connected or disconnected, and flags dead weak ones.
    cache = post_init.sender_receivers_cache
    known = _ANSWERS.get(cls)
    if (
        known is not None
        and not post_init._dead_receivers
        and cache.get(cls) is known[0]
        and known[1] == len(SILENT_FOR_NEW)
    ):
        return known[2]
    sync_receivers, async_receivers = post_init._live_receivers(cls)
    answer = not async_receivers and all(receiver in SILENT_FOR_NEW for receiver in sync_receivers)
    receivers = cache.get(cls)
    if receivers is not None:
        _ANSWERS[cls] = (receivers, len(SILENT_FOR_NEW), answer)
    return answer


# _only_silent_for_new by model: (the signal's cached receivers it was worked out from, the size
# of SILENT_FOR_NEW then, the answer) — asking the signal cost ~0.5 % of an O2C order.
_ANSWERS: dict[type[Model], tuple[Any, int, bool]] = {}
