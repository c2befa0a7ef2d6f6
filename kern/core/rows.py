"""Writing rows with SQL built once per process: the ORM's own statements, not rebuilt per call.

On the O2C hot path building and compiling a statement cost more CPU than running it. These
helpers produce what `bulk_create`, `save()` of a new row and `QuerySet.update` would — values
prepared by each field, related objects checked, ids and saved state set — but keep the
statement text per model and shape. Anything unusual goes to the ORM itself.
"""

from __future__ import annotations

from typing import Any

from django.db import DEFAULT_DB_ALIAS, connections
from django.db.models import AutoField, Model

from kern.core import audit

__all__ = ["insert_rows", "save_new", "update_columns"]

# (model, number of rows, database vendor) -> (INSERT statement, its fields); see `insert_rows`.
_INSERTS: dict[tuple[type[Model], int, str], tuple[str, list[Any]]] = {}


def insert_rows(model: type[Model], rows: list[Model]) -> list[Model]:
    """`model.objects.bulk_create(rows)` for new rows (no id yet), cheaper in CPU.

    The same single INSERT … RETURNING id with the same columns and values (each prepared by its
    field: `pre_save`, then `get_db_prep_save`), the same checks of related objects, and the ids
    and saved state set on the rows after — but the statement's text is built once per model,
    number of rows and database instead of by the ORM's compiler on every call. Anything
    bulk_create treats specially (ids already set, expressions as values, database defaults,
    batches, inherited models, custom placeholders) goes to bulk_create itself.
    """
    if not rows:
        return rows
    # The connection itself, not django.db.connection: each attribute of that proxy is a look-up
    # in a thread-local, and fields ask for one per value they prepare.
    connection = connections[DEFAULT_DB_ALIAS]
    opts = model._meta
    features = connection.features
    fields = [f for f in opts.concrete_fields if not f.generated and not isinstance(f, AutoField)]
    if (
        opts.parents
        or not features.can_return_rows_from_bulk_insert
        or any(f.has_db_default() or hasattr(f, "get_placeholder") for f in fields)
        or connection.ops.bulk_batch_size(fields, rows) < len(rows)
        or any(row._is_pk_set() for row in rows)
    ):
        return model.objects.bulk_create(rows)
    params: list[Any] = []
    for row in rows:
        row._prepare_related_fields_for_save(operation_name="bulk_create")
        for f in fields:
            value = f.pre_save(row, True)
            if hasattr(value, "resolve_expression"):
                return model.objects.bulk_create(rows)
            params.append(f.get_db_prep_save(value, connection=connection))
    key = (model, len(rows), connection.vendor)
    plan = _INSERTS.get(key)
    if plan is None:
        qn = connection.ops.quote_name
        returning, returning_params = connection.ops.return_insert_columns(opts.db_returning_fields)
        if returning_params:
            return model.objects.bulk_create(rows)
        one = "(" + ", ".join(["%s"] * len(fields)) + ")"
        # Table and column names come from the model's metadata, never from input.
        sql = (
            f"INSERT INTO {qn(opts.db_table)} ({', '.join(qn(f.column) for f in fields)}) "  # noqa: S608
            f"VALUES {', '.join([one] * len(rows))} {returning}"
        )
        plan = _INSERTS[key] = (sql, list(opts.db_returning_fields))
    sql, returned = plan
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        results = cursor.fetchall()
    if len(results) != len(rows):
        raise RuntimeError(f"{opts.label}: {len(rows)} rows inserted, {len(results)} ids returned")
    for row, values in zip(rows, results, strict=True):
        for field, value in zip(returned, values, strict=True):
            setattr(row, field.attname, value)
        row._state.adding = False
        row._state.db = connection.alias
    return rows


def save_new(instance: Model) -> Model:
    """`instance.save()` of a new row (no id yet) by `insert_rows`, audited exactly as the
    post_save handler would audit it. Only for models that do not override `save()`."""
    model = type(instance)
    if model.save is not Model.save:
        instance.save(force_insert=True)
        return instance
    insert_rows(model, [instance])
    from kern.core.models import Audited  # models import this package's modules at load

    if isinstance(instance, Audited):
        audit.record_inserted(instance)
    return instance


# (model, database vendor, fields, with status condition) -> (UPDATE statement, its fields)
_UPDATES: dict[tuple[Any, ...], tuple[str, list[Any]]] = {}


def update_columns(model: type[Model], pk: Any, values: dict[str, Any], *, status: Any = None) -> int:
    """`model._base_manager.filter(pk=pk[, status=status]).update(**values)`, its SQL built once
    per model and set of fields: on the hot paths (a transition, an invoice's payment status)
    building the queryset cost more CPU than the statement. Returns the number of rows changed.

    Values go through each field's own `get_db_prep_save`, as the ORM's update would; an
    expression (F(), a function) takes the ORM's way.
    """
    if any(hasattr(value, "resolve_expression") for value in values.values()):
        qs = model._base_manager.filter(pk=pk)
        return (qs.filter(status=status) if status is not None else qs).update(**values)
    connection = connections[DEFAULT_DB_ALIAS]
    key = (model, connection.vendor, tuple(values), status is not None)
    compiled = _UPDATES.get(key)
    if compiled is None:
        meta = model._meta
        fields = [meta.get_field(name) for name in values]
        quote = connection.ops.quote_name
        assignments = ", ".join(f"{quote(f.column)} = %s" for f in fields)
        where = f"{quote(meta.pk.column)} = %s"
        if status is not None:
            where += f" AND {quote(meta.get_field('status').column)} = %s"
        # Table and column names come from the model's metadata, never from input.
        sql = f"UPDATE {quote(meta.db_table)} SET {assignments} WHERE {where}"  # noqa: S608
        compiled = _UPDATES[key] = (sql, fields)
    sql, fields = compiled
    params = []
    for field, value in zip(fields, values.values(), strict=True):
        if field.is_relation and isinstance(value, Model):
            value, field = value.pk, field.target_field
        params.append(field.get_db_prep_save(value, connection))
    params.append(model._meta.pk.get_db_prep_save(pk, connection))
    if status is not None:
        params.append(status)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.rowcount
