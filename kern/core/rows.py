"""Writing rows with SQL built once per process: the ORM's own statements, not rebuilt per call.

On the O2C hot path building and compiling a statement cost more CPU than running it. These
helpers produce what `bulk_create`, `save()` of a new row and `QuerySet.update` would — values
prepared by each field, related objects checked, ids and saved state set — but keep the
statement text per model and shape. Anything unusual goes to the ORM itself.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.backends.base.operations import BaseDatabaseOperations
from django.db.models import (
    AutoField,
    BooleanField,
    CharField,
    DateField,
    DateTimeField,
    DecimalField,
    Field,
    ForeignKey,
    IntegerField,
    Model,
    TextField,
)
from django.db.models.fields import AutoFieldMixin

from kern.core import audit
from kern.core.db import current_connection, statement_cursor
from kern.core.numbering import NumberClaim

__all__ = [
    "RowsUpdate",
    "execute_riding",
    "insert_rows",
    "inserted_ids",
    "rows_update",
    "save_new",
    "update_columns",
]

# (model, number of rows, database vendor) -> (INSERT statement, its fields); see `insert_rows`.
_INSERTS: dict[tuple[type[Model], int, str], tuple[str, list[Any], bool]] = {}

_NONE = type(None)


def _passed_as_is(field: Field, connection: Any) -> tuple[type, ...]:
    """The value types `field.get_db_prep_save` hands to the driver unchanged on this connection.

    Decided by which implementations the field's class and the backend use — those of Django's
    own CharField/TextField, IntegerField, BooleanField, DecimalField and foreign keys to an auto
    id are read to return a value of their own type as it is — so a field with its own
    conversion is always asked. A Decimal also needs to be finite (`_prepared` checks that).
    """
    kind = type(field)
    ops = type(connection.ops)
    if isinstance(field, ForeignKey):
        if kind.get_db_prep_save is not ForeignKey.get_db_prep_save:
            return ()
        target = field.target_field
        if (
            isinstance(target, AutoFieldMixin)
            and type(target).get_db_prep_value is AutoFieldMixin.get_db_prep_value
            and type(target).get_prep_value is IntegerField.get_prep_value
            and ops.validate_autopk_value is BaseDatabaseOperations.validate_autopk_value
        ):
            return (int, _NONE)
        return ()
    if kind.get_db_prep_save is not Field.get_db_prep_save:
        return ()
    prep, to_python, db_prep = kind.get_prep_value, kind.to_python, kind.get_db_prep_value
    if db_prep is Field.get_db_prep_value:
        if (prep, to_python) in _TEXT:
            return (str, _NONE)
        if (prep, to_python) == (BooleanField.get_prep_value, BooleanField.to_python):
            return (bool, _NONE)
        return ()
    if (
        db_prep is IntegerField.get_db_prep_value
        and prep is IntegerField.get_prep_value
        and ops.adapt_integerfield_value is BaseDatabaseOperations.adapt_integerfield_value
    ):
        return (int, _NONE)
    if (db_prep, prep, to_python) == (
        DecimalField.get_db_prep_value,
        DecimalField.get_prep_value,
        DecimalField.to_python,
    ) and ops.adapt_decimalfield_value is BaseDatabaseOperations.adapt_decimalfield_value:
        return (Decimal, _NONE)
    return ()


_TEXT = {
    (CharField.get_prep_value, CharField.to_python),
    (TextField.get_prep_value, TextField.to_python),
}


def _plain_read(field: Field) -> bool:
    """Whether `field.pre_save(row, True)` just reads the attribute: Django's own `pre_save`, or a
    date field's when it is not filled in automatically (auto_now, auto_now_add)."""
    kind = type(field).pre_save
    if kind is Field.pre_save:
        return True
    return kind in (DateField.pre_save, DateTimeField.pre_save) and not (field.auto_now or field.auto_now_add)


def _adapt_date(value: dt.date, field: Field, connection: Any) -> Any:
    return connection.ops.adapt_datefield_value(value)


def _adapt_aware_datetime(value: dt.datetime, field: Field, connection: Any) -> Any:
    if value.tzinfo is None:  # naive: the field warns and reads it in the default time zone
        return field.get_db_prep_save(value, connection=connection)
    return connection.ops.adapt_datetimefield_value(value)


_Quick = tuple[type, Callable[[Any, Field, Any], Any]] | None


def _quick_prep(field: Field, connection: Any) -> _Quick:
    """A shorter way to `field.get_db_prep_save` for values of one type, where the field uses
    Django's own implementations: a date (an aware datetime) goes straight to the backend's
    adapter, as those end up doing after four calls that hand it back unchanged (~1 % of an O2C
    order: every row carries dates and timestamps)."""
    kind = type(field)
    if kind.get_db_prep_save is not Field.get_db_prep_save:
        return None
    methods = (kind.get_db_prep_value, kind.get_prep_value, kind.to_python)
    if methods == (DateField.get_db_prep_value, DateField.get_prep_value, DateField.to_python):
        return (dt.date, _adapt_date)
    if methods == (DateTimeField.get_db_prep_value, DateTimeField.get_prep_value, DateTimeField.to_python):
        return (dt.datetime, _adapt_aware_datetime)
    return None


def _prepared(field: Field, value: Any, as_is: tuple[type, ...], connection: Any) -> Any:
    """`field.get_db_prep_save(value, connection)`, skipping the call where it returns `value`."""
    if type(value) in as_is and (type(value) is not Decimal or value.is_finite()):
        return value
    return field.get_db_prep_save(value, connection=connection)


class _Columns:
    """What inserting rows of one model on one backend needs, worked out once: the columns, how
    each value is read (the attribute itself unless the field has its own `pre_save`) and
    prepared, and whether anything sends the rows to `bulk_create` instead."""

    def __init__(self, model: type[Model], connection: Any):
        opts = model._meta
        self.fields = [f for f in opts.concrete_fields if not f.generated and not isinstance(f, AutoField)]
        self.unusual = bool(
            opts.parents
            or not connection.features.can_return_rows_from_bulk_insert
            or any(f.has_db_default() or hasattr(f, "get_placeholder") for f in self.fields)
        )
        self.values = [
            (f, f.attname, _plain_read(f), _passed_as_is(f, connection), _quick_prep(f, connection))
            for f in self.fields
        ]
        # Django's related-object check only has work where a related object is cached on the row.
        self.relations = tuple((f, f.cache_name) for f in self.fields if f.is_relation)
        self.always_check = bool(opts.private_fields)
        # How many rows one INSERT may carry (bulk_batch_size): on SQLite a bound set by the
        # columns alone, asked here once instead of on every insert; None where the backend's
        # answer is the number of rows itself (no bound).
        ops = connection.ops
        one, two = ops.bulk_batch_size(self.fields, [None]), ops.bulk_batch_size(self.fields, [None, None])
        self.max_rows: int | None = one if one == two else None


def _check_related(row: Model, relations: tuple[tuple[Any, str], ...], cached: dict[str, Any]) -> None:
    """Django's `_prepare_related_fields_for_save(operation_name="bulk_create")` over the row's
    relation fields only (Django walks every concrete field, ~2 % of an O2C order): refuse an
    unsaved related object, take the id of one saved after it was assigned, drop a cached object
    whose id no longer matches. Rows of models with private fields (generic relations) still go
    through Django's own method."""
    # The row's key values are read from its __dict__: a foreign key's attribute is a data
    # descriptor, so reading it runs Python code each time, for the same value (new rows hold
    # every field they have; one that does not is read the ordinary way).
    held = row.__dict__
    for field, cache_name in relations:
        obj = cached.get(cache_name)
        if not obj:
            continue
        if not obj._is_pk_set():
            if not field.remote_field.multiple:
                field.remote_field.delete_cached_value(obj)
            raise ValueError(
                f"bulk_create() prohibited to prevent data loss due to unsaved related object '{field.name}'."
            )
        attname = field.attname
        if (held[attname] if attname in held else getattr(row, attname)) in field.empty_values:
            setattr(row, field.name, obj)
        if getattr(obj, field.target_field.attname) != (
            held[attname] if attname in held else getattr(row, attname)
        ):
            field.delete_cached_value(row)


_COLUMNS: dict[tuple[type[Model], str], _Columns] = {}


def _columns(model: type[Model], connection: Any) -> _Columns:
    key = (model, connection.vendor)
    columns = _COLUMNS.get(key)
    if columns is None:
        columns = _COLUMNS[key] = _Columns(model, connection)
    return columns


def _values(plan: _Columns, rows: list[Model], connection: Any) -> list[Any] | None:
    """The INSERT's parameters, row by row in `plan`'s column order; None where a value is an
    expression (bulk_create's business)."""
    params: list[Any] = []
    append = params.append
    for row in rows:
        cached = row._state.fields_cache
        if plan.always_check:
            row._prepare_related_fields_for_save(operation_name="bulk_create")
        elif cached:
            _check_related(row, plan.relations, cached)
        held = row.__dict__
        for f, attname, plain_read, as_is, quick in plan.values:
            value = held[attname] if plain_read and attname in held else f.pre_save(row, True)
            # `_prepared`, written out: a call per value costs more than the check itself here.
            if type(value) in as_is and (type(value) is not Decimal or value.is_finite()):
                append(value)
                continue
            if quick is not None and type(value) is quick[0]:
                append(quick[1](value, f, connection))
                continue
            if hasattr(value, "resolve_expression"):
                return None
            append(f.get_db_prep_save(value, connection=connection))
    return params


def insert_rows(model: type[Model], rows: list[Model]) -> list[Model]:
    """`model.objects.bulk_create(rows)` for new rows (no id yet), cheaper in CPU.

    The same single INSERT … RETURNING id with the same columns and values (each prepared by its
    field: `pre_save`, then `get_db_prep_save`), the same checks of related objects, and the ids
    and saved state set on the rows after — but the statement's text is built once per model,
    number of rows and database instead of by the ORM's compiler on every call, and the calls
    that would return a plain value unchanged are skipped (see `_passed_as_is`). Anything
    bulk_create treats specially (ids already set, expressions as values, database defaults,
    batches, inherited models, custom placeholders) goes to bulk_create itself.
    """
    if not rows:
        return rows
    # The connection itself, not django.db.connection: each attribute of that proxy is a look-up
    # in a thread-local, and fields ask for one per value they prepare.
    connection = current_connection()
    opts = model._meta
    plan = _columns(model, connection)
    if (
        plan.unusual
        or (plan.max_rows is not None and plan.max_rows < len(rows))
        or any(row._is_pk_set() for row in rows)
    ):
        return model.objects.bulk_create(rows)
    params = _values(plan, rows, connection)
    if params is None:
        return model.objects.bulk_create(rows)
    key = (model, len(rows), connection.vendor)
    statement = _INSERTS.get(key)
    if statement is None:
        qn = connection.ops.quote_name
        returning, returning_params = connection.ops.return_insert_columns(opts.db_returning_fields)
        if returning_params:
            return model.objects.bulk_create(rows)
        by_rowid = _ids_from_rowid(model, connection)
        one = "(" + ", ".join(["%s"] * len(plan.fields)) + ")"
        # Table and column names come from the model's metadata, never from input.
        sql = (
            f"INSERT INTO {qn(opts.db_table)} ({', '.join(qn(f.column) for f in plan.fields)}) "  # noqa: S608
            f"VALUES {', '.join([one] * len(rows))} {'' if by_rowid else returning}"
        ).rstrip()
        statement = _INSERTS[key] = (sql, list(opts.db_returning_fields), by_rowid)
    sql, returned, by_rowid = statement
    with statement_cursor(connection) as cursor:
        cursor.execute(sql, params)
        results = [(pk,) for pk in inserted_ids(cursor, len(rows))] if by_rowid else cursor.fetchall()
    if len(results) != len(rows):
        raise RuntimeError(f"{opts.label}: {len(rows)} rows inserted, {len(results)} ids returned")
    _mark_inserted(rows, returned, results, connection.alias)
    return rows


def inserted_ids(cursor: Any, count: int) -> range:
    """SQLite: the ids of the `count` rows the cursor's last INSERT wrote into a table whose id is
    an AUTOINCREMENT rowid, in the order of its VALUES (see `_ids_from_rowid`)."""
    last = cursor.lastrowid
    return range(last - count + 1, last + 1)


def _ids_from_rowid(model: type[Model], connection: Any) -> bool:
    """Whether SQLite can tell the new rows' ids without RETURNING: the id is all the INSERT
    returns and it is the rowid (Django's auto fields are `INTEGER PRIMARY KEY AUTOINCREMENT`).

    RETURNING makes SQLite gather the returned rows in a temporary b-tree first (~2 µs a
    statement, a dozen and a half inserts per order-to-cash cycle). Without it the ids are the
    statement's last rowid and those before it: SQLite numbers the rows of one INSERT one after
    another, each one more than the largest rowid the table ever had (AUTOINCREMENT), while the
    statement holds the write lock; a trigger's own inserts do not change the last rowid seen
    after the statement.
    """
    pk = model._meta.pk
    return (
        connection.vendor == "sqlite"
        and list(model._meta.db_returning_fields) == [pk]
        and isinstance(pk, AutoFieldMixin)
        and (pk.db_type(connection) or "").lower() == "integer"
        and (pk.db_type_suffix(connection) or "").upper() == "AUTOINCREMENT"
    )


def _mark_inserted(rows: list[Model], returned: list[Any], results: list[Any], alias: str) -> None:
    for row, values in zip(rows, results, strict=True):
        for field, value in zip(returned, values, strict=True):
            setattr(row, field.attname, value)
        row._state.adding = False
        row._state.db = alias


def column_casts(model: type[Model], columns: Sequence[str], connection: Any) -> list[str]:
    """`CAST(%s AS <type>)` for each of `model`'s `columns`: the parameters of an INSERT … SELECT
    (or of VALUES in a FROM) get no type from the target columns as those of INSERT … VALUES do.
    `text` for varchar(n): a cast to varchar(n) would cut a long value; the column refuses it.
    Worked out once per model, columns and database (asking the fields for their types on every
    posting was ~6 % of an O2C order on PostgreSQL); a new list each time, for the caller to edit."""
    key = (model, tuple(columns), connection.vendor)
    casts = _CASTS.get(key)
    if casts is None:
        by_column = {f.column: f for f in model._meta.concrete_fields}
        casts = []
        for column in columns:
            db_type = by_column[column].db_type(connection)
            casts.append(f"CAST(%s AS {'text' if db_type.startswith('varchar') else db_type})")
        _CASTS[key] = casts
    return list(casts)


_CASTS: dict[tuple[type[Model], tuple[str, ...], str], list[str]] = {}


# (model, number expression) -> (INSERT … SELECT … FROM s statement, fields it returns)
_NUMBERED: dict[tuple[Any, str], tuple[str, list[Any]]] = {}


def _insert_numbered(model: type[Model], row: Model, claim: NumberClaim) -> bool:
    """PostgreSQL: INSERT `row` with its `number` claimed and formatted in the same statement (see
    `NumberClaim.in_sql`); False where that cannot be done or the counter did not match, and
    nothing was written: the caller claims the number the usual way."""
    connection = current_connection()
    if connection.vendor != "postgresql" or row._is_pk_set():
        return False
    in_sql = claim.in_sql()
    plan = _columns(model, connection)
    if in_sql is None or plan.unusual:
        return False
    cte, cte_params, expression, expression_params = in_sql
    row.number = ""  # the statement writes the number
    params = _values(plan, [row], connection)
    if params is None:
        return False
    index = next(n for n, f in enumerate(plan.fields) if f.attname == "number")
    params[index : index + 1] = expression_params
    key = (model, expression)
    statement = _NUMBERED.get(key)
    if statement is None:
        opts = model._meta
        qn = connection.ops.quote_name
        returning, returning_params = connection.ops.return_insert_columns(opts.db_returning_fields)
        if returning_params:
            return False
        casts = column_casts(model, [f.column for f in plan.fields], connection)
        casts[index] = expression
        table = qn(opts.db_table)
        # Table and column names come from the model's metadata, never from input.
        sql = (
            f"WITH {cte} INSERT INTO {table} ({', '.join(qn(f.column) for f in plan.fields)}) "  # noqa: S608
            f"SELECT {', '.join(casts)} FROM s {returning}, {table}.{qn(opts.get_field('number').column)}"
        )
        statement = _NUMBERED[key] = (sql, [*opts.db_returning_fields, opts.get_field("number")])
    sql, returned = statement
    with statement_cursor(connection) as cursor:
        cursor.execute(sql, cte_params + params)
        results = cursor.fetchall()
    if not results:
        return False
    _mark_inserted([row], returned, results, connection.alias)
    return True


def save_new(instance: Model, *, number: NumberClaim | None = None) -> Model:
    """`instance.save()` of a new row (no id yet) by `insert_rows`, audited exactly as the
    post_save handler would audit it. Only for models that do not override `save()`.

    With `number`, the row's `number` is claimed here: on PostgreSQL inside the INSERT itself
    (one statement less), otherwise by `NumberClaim.take` just before it."""
    model = type(instance)
    if number is not None and not (model.save is Model.save and _insert_numbered(model, instance, number)):
        instance.number = number.take()[0]
        number = None
    if model.save is not Model.save:
        instance.save(force_insert=True)
        return instance
    if number is None:
        insert_rows(model, [instance])
    from kern.core.models import Audited  # models import this package's modules at load

    if isinstance(instance, Audited):
        audit.record_inserted(instance)
    return instance


# (model, database vendor, fields, with status condition) -> (UPDATE statement, its fields)
_UPDATES: dict[tuple[Any, ...], tuple[str, list[Any]]] = {}


@dataclass(frozen=True)
class RowsUpdate:
    """A set-based UPDATE of rows by id, built apart from running it:
    `WITH v(id, …) AS (VALUES …) UPDATE <table> SET … FROM v WHERE <table>.id = v.id`.

    `run()` sends it alone. Or it rides along with the next statement that writes to the same
    unit of work (`execute_riding`): on PostgreSQL as a data-modifying CTE of that statement — one
    round trip less — and on SQLite (no UPDATE inside WITH) just before it. Only for updates
    whose row count nobody needs, and only where nothing reads the rows back before the statement
    it rides with: PostgreSQL runs a CTE and its statement on one snapshot, so that statement does
    not see the CTE's changes (a different table only). `sets` names the values' alias `{v}`.
    """

    table: str
    names: tuple[str, ...]
    values: str
    sets: str
    params: tuple[Any, ...]

    def as_ctes(self, alias: str) -> str:
        # Table and column names come from code (`rows_update`'s callers), never from input.
        return (
            f"{alias}v(id, {', '.join(self.names)}) AS (VALUES {self.values}), "  # noqa: S608
            f"{alias} AS (UPDATE {self.table} SET {self.sets.format(v=alias + 'v')} "
            f"FROM {alias}v WHERE {self.table}.id = {alias}v.id)"
        )

    def sql(self) -> str:
        return (
            f"WITH v(id, {', '.join(self.names)}) AS (VALUES {self.values}) "  # noqa: S608
            f"UPDATE {self.table} SET {self.sets.format(v='v')} FROM v WHERE {self.table}.id = v.id"
        )

    def run(self) -> None:
        with statement_cursor() as cursor:
            cursor.execute(self.sql(), list(self.params))


def rows_update(
    table: str,
    columns: dict[str, str],
    rows: Iterable[Sequence[Any]],
    *,
    sets: str | None = None,
    fixed: dict[str, Any] | None = None,
) -> RowsUpdate | None:
    """The `RowsUpdate` setting `columns` (name → SQL type) per row — rows: (id, one value per
    column) — and `fixed` values on all rows; None when there are no rows.

    Rows go in id order, so concurrent writers lock them in the same order. Values are cast:
    SQLite would otherwise compare the text bound for a Decimal with a number, and PostgreSQL
    needs the types of the first row. `sets` replaces the plain `name = {v}.name` assignments
    (e.g. an addition). Table and column names come from code, never from input.
    """
    ordered = sorted(rows, key=lambda r: r[0])
    if not ordered:
        return None
    row_sql = "(CAST(%s AS BIGINT), " + ", ".join(f"CAST(%s AS {cast})" for cast in columns.values()) + ")"
    params: list[Any] = []
    for row in ordered:
        params.extend(str(v) if isinstance(v, Decimal) else v for v in row)
    assignments = sets or ", ".join(f"{name} = {{v}}.{name}" for name in columns)
    for name, value in (fixed or {}).items():
        assignments += f", {name} = %s"
        params.append(value)
    return RowsUpdate(table, tuple(columns), ", ".join([row_sql] * len(ordered)), assignments, tuple(params))


def _with_riders(sql: str, params: list[Any], riding: Sequence[RowsUpdate | None]) -> tuple[str, list[Any]]:
    """`sql` with the riders sent first: as CTEs on PostgreSQL, as statements of their own elsewhere."""
    riders = [r for r in riding if r is not None]
    if not riders:
        return sql, params
    if current_connection().vendor != "postgresql":
        for rider in riders:
            rider.run()
        return sql, params
    for rider in riders:
        t = rider.table
        if f'"{t}"' in sql or f" {t} " in sql or f" {t}." in sql:
            raise ValueError(f"an update of {t} cannot ride with a statement on {t}: one snapshot")
    ctes = ", ".join(rider.as_ctes(f"r{n}") for n, rider in enumerate(riders))
    rider_params = [p for rider in riders for p in rider.params]
    if sql.startswith("WITH "):
        return f"WITH {ctes}, {sql[5:]}", rider_params + params
    return f"WITH {ctes} {sql}", rider_params + params


def execute_riding(sql: str, params: list[Any], riding: Sequence[RowsUpdate | None] = ()) -> int:
    """Run one writing statement with `riding` updates (see `RowsUpdate`); returns its row count."""
    sql, params = _with_riders(sql, params, riding)
    with statement_cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.rowcount


def update_columns(
    model: type[Model],
    pk: Any,
    values: dict[str, Any],
    *,
    status: Any = None,
    riding: Sequence[RowsUpdate | None] = (),
) -> int:
    """`model._base_manager.filter(pk=pk[, status=status]).update(**values)`, its SQL built once
    per model and set of fields: on the hot paths (a transition, an invoice's payment status)
    building the queryset cost more CPU than the statement. Returns the number of rows changed
    (of `model`'s table: `riding` updates go along, see `RowsUpdate`).

    Values go through each field's own `get_db_prep_save`, as the ORM's update would; an
    expression (F(), a function) takes the ORM's way.
    """
    if any(hasattr(value, "resolve_expression") for value in values.values()):
        for rider in riding:
            if rider is not None:
                rider.run()
        qs = model._base_manager.filter(pk=pk)
        return (qs.filter(status=status) if status is not None else qs).update(**values)
    connection = current_connection()
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
        compiled = _UPDATES[key] = (sql, [(f, _passed_as_is(f, connection)) for f in fields])
    sql, fields = compiled
    params = []
    for (field, as_is), value in zip(fields, values.values(), strict=True):
        if field.is_relation and isinstance(value, Model):
            value, field, as_is = value.pk, field.target_field, ()
        params.append(_prepared(field, value, as_is, connection))
    params.append(model._meta.pk.get_db_prep_save(pk, connection))
    if status is not None:
        params.append(status)
    if riding:
        return execute_riding(sql, params, riding)
    with statement_cursor(connection) as cursor:
        cursor.execute(sql, params)
        return cursor.rowcount


# (model, line model, number of lines, number expression) -> (statement, parent's returned fields,
# lines' returned fields)
_WITH_LINES: dict[tuple[Any, ...], tuple[str, list[Any], list[Any]]] = {}


def save_new_with_lines(
    instance: Model,
    line_model: type[Model],
    lines: list[Model],
    *,
    parent: str,
    number: NumberClaim | None = None,
) -> Model:
    """`save_new(instance, number=number)`, then `insert_rows(line_model, lines)` with each line's
    `parent` relation set to `instance`. On PostgreSQL one statement: the document's INSERT is a
    CTE whose id the lines' INSERT … SELECT reads (and its number claimed in another, see
    `save_new`). The lines' audit stays with the caller, as after `insert_rows`."""
    model = type(instance)
    if _insert_with_lines(model, instance, line_model, lines, parent, number):
        from kern.core.models import Audited  # models import this package's modules at load

        if isinstance(instance, Audited):
            audit.record_inserted(instance)
        return instance
    save_new(instance, number=number)
    for line in lines:
        setattr(line, parent, instance)
    insert_rows(line_model, lines)
    return instance


def _insert_with_lines(
    model: type[Model],
    row: Model,
    line_model: type[Model],
    lines: list[Model],
    parent: str,
    claim: NumberClaim | None,
) -> bool:
    connection = current_connection()
    if (
        connection.vendor != "postgresql"
        or not lines
        or model.save is not Model.save
        or row._is_pk_set()
        or any(line._is_pk_set() for line in lines)
    ):
        return False
    plan, line_plan = _columns(model, connection), _columns(line_model, connection)
    if plan.unusual or line_plan.unusual:
        return False
    in_sql = None
    if claim is not None:
        in_sql = claim.in_sql()
        if in_sql is None:
            return False
        row.number = ""  # the statement writes the number
    params = _values(plan, [row], connection)
    if params is None:
        return False
    fk = line_model._meta.get_field(parent)
    if fk.target_field is not model._meta.pk:
        return False
    for line in lines:  # the document has no id yet: the statement gives the lines theirs
        line._state.fields_cache.pop(fk.cache_name, None)
        setattr(line, fk.attname, None)
    line_params = _values(line_plan, lines, connection)
    if line_params is None or len(params) + len(line_params) > 60000:
        for line in lines:
            setattr(line, parent, row)
        return False
    fk_index = line_plan.fields.index(fk)
    width = len(line_plan.fields)
    values: list[Any] = []
    for n in range(len(lines)):
        chunk = line_params[n * width : (n + 1) * width]
        del chunk[fk_index]
        values += chunk
    head: list[Any] = []
    expression = None
    if in_sql is not None:
        _cte, cte_params, expression, expression_params = in_sql
        index = next(n for n, f in enumerate(plan.fields) if f.attname == "number")
        params[index : index + 1] = expression_params
        head = cte_params
    key = (model, line_model, len(lines), expression)
    statement = _WITH_LINES.get(key)
    if statement is None:
        statement = _WITH_LINES[key] = _with_lines_sql(
            model, plan, line_model, line_plan, fk, len(lines), in_sql
        )
    sql, returned, line_returned = statement
    with statement_cursor(connection) as cursor:
        cursor.execute(sql, head + params + values)
        results = cursor.fetchall()
    if not results:  # the counter did not match: nothing was written
        for line in lines:
            setattr(line, parent, row)
        return False
    if len(results) != len(lines):
        raise RuntimeError(f"{line_model._meta.label}: {len(lines)} rows inserted, {len(results)} returned")
    k = len(line_returned)
    _mark_inserted([row], returned, [results[0][k:]], connection.alias)
    _mark_inserted(lines, line_returned, [r[:k] for r in results], connection.alias)
    for line in lines:
        setattr(line, parent, row)
    return True


def _with_lines_sql(
    model: type[Model],
    plan: _Columns,
    line_model: type[Model],
    line_plan: _Columns,
    fk: Any,
    count: int,
    in_sql: tuple[str, list[Any], str, list[Any]] | None,
) -> tuple[str, list[Any], list[Any]]:
    connection = current_connection()
    qn = connection.ops.quote_name
    opts, line_opts = model._meta, line_model._meta
    returned = list(opts.db_returning_fields)
    columns = ", ".join(qn(f.column) for f in plan.fields)
    if in_sql is not None:
        cte, _params, expression, _expression_params = in_sql
        casts = column_casts(model, [f.column for f in plan.fields], connection)
        casts[next(n for n, f in enumerate(plan.fields) if f.attname == "number")] = expression
        returned.append(opts.get_field("number"))
        document = f"SELECT {', '.join(casts)} FROM s"  # noqa: S608 (names from the model's metadata)
        prefix = f"WITH {cte}, "
    else:
        document = "VALUES (" + ", ".join(["%s"] * len(plan.fields)) + ")"
        prefix = "WITH "
    line_fields = [f for f in line_plan.fields if f is not fk]
    row_casts = "(" + ", ".join(column_casts(line_model, [f.column for f in line_fields], connection)) + ")"
    aliases = [f"c{n}" for n in range(len(line_fields))]
    selected = []
    for f in line_plan.fields:
        selected.append(f"p.{qn(opts.pk.column)}" if f is fk else f"v.{aliases[line_fields.index(f)]}")
    line_returned = list(line_opts.db_returning_fields)
    back = [f"{qn(line_opts.db_table)}.{qn(f.column)}" for f in line_returned]
    back += [f"(SELECT {qn(f.column)} FROM p)" for f in returned]  # noqa: S608 (names from metadata)
    # Table and column names come from the models' metadata, never from input.
    sql = (
        f"{prefix}p AS (INSERT INTO {qn(opts.db_table)} ({columns}) {document} "  # noqa: S608
        f"RETURNING {', '.join(qn(f.column) for f in returned)}) "
        f"INSERT INTO {qn(line_opts.db_table)} ({', '.join(qn(f.column) for f in line_plan.fields)}) "
        f"SELECT {', '.join(selected)} FROM p CROSS JOIN (VALUES {', '.join([row_casts] * count)}) "
        f"AS v({', '.join(aliases)}) RETURNING {', '.join(back)}"
    )
    return sql, returned, line_returned
