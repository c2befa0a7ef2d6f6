"""The one audit mechanism for all business models.

Every model deriving from `core.models.Audited` is hooked here: its field values are remembered
when it is loaded (`post_init`), and `post_save` / `post_delete` record old → new values. Bulk
writes that bypass signals (bulk_create, conditional updates in core.workflow) call
`record_created` / `record_change` from this module, so every row of the log is written by the
same code. Rows are buffered in the unit of work (core.db) and flushed with one bulk insert
(by core.events, with the outbox rows: one statement for both on PostgreSQL), chained by SHA-256
under a lock on the chain head.

This is the only module that may connect `post_save` receivers (tests/test_architecture.py).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import operator
import uuid
from decimal import Decimal
from typing import Any

from django.apps import apps
from django.db import connection, transaction
from django.db.models import Model
from django.db.models.signals import post_delete, post_init, post_save

from kern.core import clock, context, modelinit
from kern.core.db import current_connection, current_unit, statement_cursor
from kern.core.jsontext import compact_json

__all__ = [
    "GENESIS_HASH",
    "connect",
    "record",
    "record_change",
    "record_created",
    "record_inserted",
    "record_lines_changed",
    "record_lines_created",
    "verify_chain",
]

GENESIS_HASH = "0" * 64
_SNAPSHOT = "_audit_snapshot"
_HASHED_FIELDS = (
    "at",
    "company_id",
    "user_id",
    "interface",
    "request_id",
    "action",
    "model",
    "object_id",
    "changes",
    "prev_hash",
)
# What an audit row stores: the hashed fields, the display text and the hash itself.
STORED_FIELDS = (*_HASHED_FIELDS, "object_repr", "hash")


def _as_is(value: Any) -> Any:
    return value


# value.isoformat() without a Python frame of its own.
_isoformat = operator.methodcaller("isoformat")


def _binary(value: Any) -> str:
    return "<binary>"


def _list(value: Any) -> list[Any]:
    return [_jsonable(v) for v in value]


def _dict(value: Any) -> dict[str, Any]:
    return {str(k): _jsonable(v) for k, v in value.items()}


def _converter(value: Any) -> Any:
    """How `_jsonable` turns `value` into JSON."""
    if isinstance(value, (Decimal, float)):
        return str
    if isinstance(value, (dt.datetime, dt.date, dt.time)):
        return _isoformat
    if isinstance(value, uuid.UUID):
        return str
    if isinstance(value, (bytes, memoryview)):
        return _binary
    if isinstance(value, (list, tuple)):
        return _list
    if isinstance(value, dict):
        return _dict
    if isinstance(value, (bool, int, str)):  # subclasses (enum members, lazy strings' results)
        return _as_is
    return str


# The converter of each type met so far, by exact type: an order's cycle converts some 500
# values, and one look-up is cheaper than the chain of isinstance calls (an enum member went
# through nine). Types whose values are JSON as they are (text, numbers, flags, None, enum
# members) go in _PLAIN, asked first.
_PLAIN: set[type] = {type(None), bool, int, str}
_CONVERTERS: dict[type, Any] = {}


def _jsonable(value: Any) -> Any:
    cls = type(value)
    if cls in _PLAIN:
        return value
    convert = _CONVERTERS.get(cls)
    if convert is None:
        convert = _converter(value)
        # isinstance also asks `__class__`, which a proxy (Django's LazyObject) answers for the
        # value it wraps: the answer holds for the type only when the two agree.
        if value.__class__ is cls:
            if convert is _as_is:
                _PLAIN.add(cls)
            else:
                _CONVERTERS[cls] = convert
    return convert(value)


# What a new row's audit leaves out as empty. Values of the types in _NEVER_BLANK cannot equal
# any of them, and asking them first skips comparisons that cost a Decimal ~1 µs each.
_BLANK = (None, "", [], {})
_BLANK_TEXT = (None, "")
_NEVER_BLANK = frozenset({bool, int, float, Decimal, dt.date, dt.datetime, dt.time, uuid.UUID})


def _tracked(model: type[Model]) -> tuple[tuple[str, ...], Any]:
    """The attnames an audit snapshot of `model` holds, and a function that reads their values
    from an instance's __dict__ as a tuple (an itemgetter: one C call for all of them)."""
    cached = model.__dict__.get("_audit_tracked")
    if cached is None:
        exclude = getattr(model, "audit_exclude", frozenset())
        names = tuple(
            f.attname
            for f in model._meta.concrete_fields
            if f.name not in exclude and f.attname not in exclude and not f.primary_key
        )
        if len(names) == 1:  # itemgetter of one name gives the value, not a tuple
            name = names[0]
            values = lambda data: (data[name],)  # noqa: E731
        else:
            values = operator.itemgetter(*names) if names else (lambda data: ())
        # Set on the model itself (read back through __dict__): a subclass has fields of its own.
        cached = model._audit_tracked = (names, values)
    return cached


def snapshot(instance: Model) -> dict[str, Any]:
    data = instance.__dict__
    names, values = _tracked(type(instance))
    try:
        return dict(zip(names, values(data), strict=False))  # as many values as names, always
    except KeyError:  # deferred fields (only(), defer()) are not loaded and not remembered
        return {name: data[name] for name in names if name in data}


def _on_init(sender: type[Model], instance: Model, **kwargs: Any) -> None:
    if instance.pk is not None:
        instance.__dict__[_SNAPSHOT] = snapshot(instance)


def _on_save(sender: type[Model], instance: Model, created: bool, raw: bool = False, **kwargs: Any) -> None:
    if raw:
        return
    new = snapshot(instance)
    if created:
        changes = {
            k: [None, _jsonable(v)] for k, v in new.items() if type(v) in _NEVER_BLANK or v not in _BLANK
        }
        _append(instance, "create", changes)
    else:
        old = instance.__dict__.get(_SNAPSHOT)
        if old is None:
            changes = {k: [None, _jsonable(v)] for k, v in new.items()}
        else:
            changes = {
                k: [_jsonable(old.get(k)), _jsonable(v)]
                for k, v in new.items()
                if k in old and old.get(k) != v
            }
        if changes:
            _append(instance, "update", changes)
    instance.__dict__[_SNAPSHOT] = new


def record_inserted(instance: Model) -> None:
    """What `post_save` records for a new row, for rows inserted without `save()` (core.rows)."""
    _on_save(type(instance), instance, created=True)


def _on_delete(sender: type[Model], instance: Model, **kwargs: Any) -> None:
    old = instance.__dict__.get(_SNAPSHOT) or snapshot(instance)
    _append(instance, "delete", {k: [_jsonable(v), None] for k, v in old.items() if v not in (None, "")})


def connect(models: list[type[Model]] | None = None) -> None:
    """Hook every concrete Audited model (called once from CoreConfig.ready), or just `models`."""
    from kern.core.models import Audited

    for model in models if models is not None else apps.get_models():
        if issubclass(model, Audited) and not model._meta.abstract:
            uid = f"kern-audit-{model._meta.label}"
            post_init.connect(_on_init, sender=model, dispatch_uid=uid, weak=False)
            post_save.connect(_on_save, sender=model, dispatch_uid=uid, weak=False)
            post_delete.connect(_on_delete, sender=model, dispatch_uid=uid, weak=False)
    modelinit.SILENT_FOR_NEW.add(_on_init)  # it snapshots rows that have a primary key only


def _company_of(instance: Model) -> int | None:
    # From __dict__ first: the key's attribute is a data descriptor (Python code on every read).
    held = instance.__dict__
    company_id = held["company_id"] if "company_id" in held else getattr(instance, "company_id", None)
    if company_id is None and instance._meta.label == "core.Company":
        company_id = instance.pk
    return company_id


def record(
    instance: Model | None,
    action: str,
    changes: dict[str, Any] | None = None,
    *,
    model: str | None = None,
    object_id: Any = None,
    company_id: int | None = None,
    object_repr: str | None = None,
) -> None:
    """Append one audit row for `instance` (or for model/object_id when there is no instance)."""
    _append(
        instance,
        action,
        _jsonable(changes or {}),
        model=model,
        object_id=object_id,
        company_id=company_id,
        object_repr=object_repr,
    )


def _append(
    instance: Model | None,
    action: str,
    changes: dict[str, Any],
    *,
    model: str | None = None,
    object_id: Any = None,
    company_id: int | None = None,
    object_repr: str | None = None,
) -> None:
    """`record` for changes already converted to JSON values (the signal handlers' own)."""
    actor = context.current()
    row = {
        "at": clock.now(),
        "company_id": company_id if company_id is not None else (_company_of(instance) if instance else None),
        "user_id": actor.user_id,
        "interface": actor.interface,
        "request_id": actor.request_id,
        "action": action,
        "model": model or (instance._meta.label_lower if instance is not None else ""),
        "object_id": str(object_id if object_id is not None else getattr(instance, "pk", "")),
        "object_repr": (object_repr if object_repr is not None else _repr(instance))[:200],
        "changes": changes,
    }
    if row["company_id"] is None:
        row["company_id"] = actor.company_id
    unit = current_unit()
    if unit is not None:
        unit.audit_rows.append(row)
    else:
        # No service transaction around this write (admin, shell, a test's factory): append now.
        with transaction.atomic():
            append_rows([row])


def _repr(instance: Model | None) -> str:
    if instance is None:
        return ""
    try:
        return str(instance)
    except Exception:  # a __str__ that needs a missing relation must not block the write
        return f"{instance._meta.label}#{instance.pk}"


def record_created(instances: list[Model]) -> None:
    """Audit rows for objects written with bulk_create (signals do not fire there)."""
    for instance in instances:
        new = snapshot(instance)
        changes = {
            k: [None, _jsonable(v)] for k, v in new.items() if type(v) in _NEVER_BLANK or v not in _BLANK_TEXT
        }
        _append(instance, "create", changes)
        instance.__dict__[_SNAPSHOT] = new


# How far back in a unit of work a document's own "create" row is looked for (its lines are
# written right after it; a search through a whole import would cost more than a row).
_PENDING_LOOKBACK = 20


def _lines_key(document: Model, line: Model) -> tuple[str, frozenset[str]]:
    """The name of the document's lines (its reverse accessor: "lines", "moves") and the line
    fields that point back at the document (left out of each line's entry)."""
    key = (type(document), type(line))
    cached = _LINES_KEYS.get(key)
    if cached is None:
        back = [
            f for f in type(line)._meta.concrete_fields if f.is_relation and f.related_model is type(document)
        ]
        name = back[0].remote_field.get_accessor_name() if back else type(line)._meta.model_name
        cached = _LINES_KEYS[key] = (name, frozenset(f.attname for f in back))
    return cached


# _lines_key by (document model, line model): the answer depends on the two models only, and
# walking the line's fields again for every document was ~1 % of an O2C order's CPU.
_LINES_KEYS: dict[tuple[type[Model], type[Model]], tuple[str, frozenset[str]]] = {}


def _pending_create_row(document: Model) -> dict[str, Any] | None:
    unit = current_unit()
    if unit is None:
        return None
    label, object_id = document._meta.label_lower, str(document.pk)
    start = max(unit.savepoint_floor, len(unit.audit_rows) - _PENDING_LOOKBACK)
    for row in reversed(unit.audit_rows[start:]):
        if row["object_id"] == object_id and row["model"] == label and row["action"] == "create":
            return row
    return None


def record_lines_created(document: Model, lines: list[Model]) -> None:
    """Audit new lines (written with bulk_create) as part of their document.

    A line belongs to its document and is read there (the document's page shows its history), so
    its values go into the document's own audit row instead of a row each: into the pending
    "create" row when the document was created in the same unit of work — one row for an order
    and its lines — else into one "lines" row on the document. Each line's entry holds its id and
    values; the log stays one row per document event whatever the number of lines.
    """
    if not lines:
        return
    key, back = _lines_key(document, lines[0])
    entries = []
    for line in lines:
        new = snapshot(line)
        entry: dict[str, Any] = {"id": line.pk}
        for k, v in new.items():
            if k not in back and (type(v) in _NEVER_BLANK or v not in _BLANK_TEXT):
                entry[k] = _jsonable(v)
        entries.append(entry)
        line.__dict__[_SNAPSHOT] = new
    row = _pending_create_row(document)
    if row is not None:
        row["changes"].setdefault(key, [None, []])[1].extend(entries)
    else:
        _append(document, "lines", {key: [None, entries]})


def record_lines_changed(
    document: Model, lines: list[Model], old: dict[str, Any], *, action: str = "update"
) -> None:
    """Audit the same change (`old`: attname → previous value) made to several lines of a document
    by one queryset update: one row on the document, `{lines: [[old per line], [new per line]]}`."""
    if not lines:
        return
    key, _back = _lines_key(document, lines[0])
    before, after = [], []
    for line in lines:
        data = line.__dict__
        before.append({"id": line.pk, **{k: _jsonable(v) for k, v in old.items()}})
        after.append({"id": line.pk, **{k: _jsonable(data.get(k)) for k in old}})
        snap = data.get(_SNAPSHOT)
        if snap is not None:
            for k in old:
                snap[k] = data.get(k)
    _append(document, action, {key: [before, after]})


def record_change(instance: Model, old: dict[str, Any], *, action: str = "update") -> None:
    """Audit a change made with a queryset update; `old` maps attname → previous value."""
    changes = {k: [_jsonable(v), _jsonable(instance.__dict__.get(k))] for k, v in old.items()}
    _append(instance, action, changes)
    snap = instance.__dict__.get(_SNAPSHOT)
    if snap is not None:
        for k in old:
            snap[k] = instance.__dict__.get(k)


def compute_hash(row: dict[str, Any]) -> str:
    return _digest(row, _changes_json(row["changes"]))


def _changes_json(changes: Any) -> str:
    """The changes as the hash sees them: exactly json.dumps(changes, sort_keys=True,
    separators=(",", ":"), default=str), the form rows were always hashed and stored in
    (core.jsontext writes it ten times faster than json: ~3 % of an O2C order's CPU went here).
    Floats never reach here: `_jsonable` turns them into text, as every caller's changes go
    through it."""
    return compact_json(changes, sort_keys=True, default=str)


def _scalar_json(value: Any) -> str:
    if type(value) is str:
        return _encode_str(value)
    if value is None:
        return "null"
    if type(value) is int:
        return int.__repr__(value)
    return json.dumps(value, default=str)


_encode_str = json.encoder.encode_basestring_ascii


# The hashed row's JSON with a %s for each field's value: the keys in json.dumps(sort_keys=True)
# order, written once here instead of for every row.
_DIGEST_ORDER = tuple(sorted(_HASHED_FIELDS))
_DIGEST_TEMPLATE = "{" + ",".join(_encode_str(name) + ":%s" for name in _DIGEST_ORDER) + "}"
assert _DIGEST_ORDER == (  # the order _digest passes the values in
    "action",
    "at",
    "changes",
    "company_id",
    "interface",
    "model",
    "object_id",
    "prev_hash",
    "request_id",
    "user_id",
)


def _digest(row: dict[str, Any], changes_json: str) -> str:
    """SHA-256 of json.dumps(<the hashed fields>, sort_keys=True, separators=(",", ":"),
    default=str), assembled around the changes' JSON so that is serialised only once per row
    (the flush stores the same text)."""
    at = row["at"]
    text = _DIGEST_TEMPLATE % (
        _scalar_json(row["action"]),
        _scalar_json(at.isoformat() if isinstance(at, dt.datetime) else str(at)),
        changes_json,
        _scalar_json(row["company_id"]),
        _scalar_json(row["interface"]),
        _scalar_json(row["model"]),
        _scalar_json(row["object_id"]),
        _scalar_json(row["prev_hash"]),
        _scalar_json(row["request_id"]),
        _scalar_json(row["user_id"]),
    )
    return hashlib.sha256(text.encode()).hexdigest()


_HEAD = {
    "postgresql": "SELECT last_hash, length FROM core_auditchain WHERE id = 1 FOR UPDATE",
    "sqlite": "SELECT last_hash, length FROM core_auditchain WHERE id = 1",  # the write lock is held
}
SET_HEAD = "UPDATE core_auditchain SET last_hash = %s, length = %s WHERE id = 1"


def chain_rows(rows: list[dict[str, Any]]) -> tuple[str, int]:
    """Lock the chain head and hash `rows` onto it (sets prev_hash and hash on each row).

    Returns the new head and length, for `SET_HEAD` — which the caller writes after the rows,
    in the same statement as them on PostgreSQL (core.events flushes the unit of work).
    """
    from kern.core.models import AuditChain

    head_sql = _HEAD.get(current_connection().vendor, _HEAD["postgresql"])
    with statement_cursor() as cursor:
        cursor.execute(head_sql)
        head = cursor.fetchone()
    if head is None:
        AuditChain.objects.create(pk=1, last_hash=GENESIS_HASH, length=0)
        with statement_cursor() as cursor:
            cursor.execute(_HEAD.get(connection.vendor, _HEAD["postgresql"]))
            head = cursor.fetchone()
    prev, length = head
    for row in rows:
        # Microseconds survive on both databases; hashing the stored value keeps verify exact.
        row["at"] = row["at"].astimezone(dt.UTC)
        row["prev_hash"] = prev
        # Kept on the row for the flush, which stores this very text.
        row["changes_json"] = text = _changes_json(row["changes"])
        row["hash"] = prev = _digest(row, text)
    return prev, length + len(rows)


def append_rows(rows: list[dict[str, Any]]) -> None:
    from kern.core.models import AuditEvent

    head, length = chain_rows(rows)
    AuditEvent.objects.bulk_create(
        [AuditEvent(**{k: v for k, v in row.items() if k != "changes_json"}) for row in rows]
    )
    with statement_cursor() as cursor:
        cursor.execute(SET_HEAD, [head, length])


def verify_chain(batch_size: int = 5000) -> tuple[bool, int | None, str]:
    """Recompute the chain. Returns (ok, first_bad_event_id, reason)."""
    from kern.core.models import AuditChain, AuditEvent

    prev = GENESIS_HASH
    count = 0
    last_id = 0
    fields = [*_HASHED_FIELDS, "id", "hash"]
    while True:
        batch = list(AuditEvent.objects.filter(id__gt=last_id).order_by("id").values(*fields)[:batch_size])
        if not batch:
            break
        for row in batch:
            if row["prev_hash"] != prev:
                return (
                    False,
                    row["id"],
                    "previous hash does not match: a row before it was removed or altered",
                )
            if compute_hash({**row, "at": row["at"].astimezone(dt.UTC)}) != row["hash"]:
                return False, row["id"], "content does not match its hash: the row was altered"
            prev = row["hash"]
            count += 1
            last_id = row["id"]
    head = AuditChain.objects.filter(pk=1).first()
    if head is not None and (head.last_hash != prev or head.length != count):
        return False, None, "the newest rows were removed: the chain head does not match the last row"
    return True, None, f"{count} events verified"
