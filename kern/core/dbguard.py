"""Database-level refusal of writes to append-only and posted rows.

The model layer refuses update and delete first; these triggers are the backstop for everything
that bypasses the models (queryset.update, raw SQL, another program on the database).

SQLite: a BEFORE UPDATE/DELETE trigger raises unless `kern_guard_off()` says this connection is
in a maintenance block. The function is registered on every Django connection; a connection
without it (the sqlite3 shell) fails with "no such function" — refused as well.
PostgreSQL: a PL/pgSQL trigger raises unless the session setting `kern.maintenance` is 'on'.

`maintenance()` is the deliberate way round (test database flushes, a legal erasure): it is
explicit in code and review, and the hash chains still show what changed.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.db import connection as default_connection
from django.db.backends.signals import connection_created

__all__ = ["install_guard", "maintenance", "remove_guard"]

_state = threading.local()


def _guard_off() -> int:
    return 1 if getattr(_state, "maintenance", 0) else 0


def _register(sender: Any, connection: Any, **kwargs: Any) -> None:
    if connection.vendor == "sqlite":
        connection.connection.create_function("kern_guard_off", 0, _guard_off, deterministic=False)


connection_created.connect(_register, dispatch_uid="kern-dbguard")


@contextmanager
def maintenance(connection: Any = None) -> Iterator[None]:
    conn = connection or default_connection
    _state.maintenance = getattr(_state, "maintenance", 0) + 1
    if conn.vendor == "postgresql":
        with conn.cursor() as cursor:
            cursor.execute("SELECT set_config('kern.maintenance', 'on', false)")
    try:
        yield
    finally:
        _state.maintenance -= 1
        if conn.vendor == "postgresql" and not _state.maintenance:
            with conn.cursor() as cursor:
                cursor.execute("SELECT set_config('kern.maintenance', 'off', false)")


_PG_FUNCTION = """
CREATE OR REPLACE FUNCTION kern_refuse_write() RETURNS trigger AS $$
BEGIN
  IF coalesce(current_setting('kern.maintenance', true), 'off') = 'on' THEN
    IF TG_OP = 'DELETE' THEN RETURN OLD; END IF;
    RETURN NEW;
  END IF;
  RAISE EXCEPTION '%', TG_ARGV[0] USING ERRCODE = 'restrict_violation';
END
$$ LANGUAGE plpgsql;
"""


def install_guard(schema_editor: Any, table: str, message: str, *, when: str = "") -> None:
    """Refuse UPDATE and DELETE on `table` (only rows matching `when`, an SQL condition on OLD)."""
    vendor = schema_editor.connection.vendor
    safe = message.replace("'", "''")
    if vendor == "sqlite":
        condition = f"({when}) AND " if when else ""
        for op in ("UPDATE", "DELETE"):
            schema_editor.execute(
                f"CREATE TRIGGER IF NOT EXISTS {table}_refuse_{op.lower()} BEFORE {op} ON {table} "
                f"FOR EACH ROW WHEN {condition}kern_guard_off() = 0 "
                f"BEGIN SELECT RAISE(ABORT, '{safe}'); END"
            )
    elif vendor == "postgresql":
        schema_editor.execute(_PG_FUNCTION, params=None)
        condition = f"WHEN ({when}) " if when else ""
        for op in ("UPDATE", "DELETE"):
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_refuse_{op.lower()} ON {table}")
            schema_editor.execute(
                f"CREATE TRIGGER {table}_refuse_{op.lower()} BEFORE {op} ON {table} FOR EACH ROW "
                f"{condition}EXECUTE FUNCTION kern_refuse_write('{safe}')"
            )


def remove_guard(schema_editor: Any, table: str) -> None:
    vendor = schema_editor.connection.vendor
    for op in ("update", "delete"):
        if vendor == "sqlite":
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_refuse_{op}")
        elif vendor == "postgresql":
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_refuse_{op} ON {table}")
