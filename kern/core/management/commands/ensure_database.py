"""`kern ensure_database`: create the PostgreSQL database named in DATABASE_URL if it is missing,
so `DATABASE_URL=postgres://… make run` works on a fresh server. SQLite creates its file itself."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError
from django.db import connection


class Command(BaseCommand):
    help = "Create the configured PostgreSQL database if it does not exist yet."

    def handle(self, *args, **options) -> None:
        if connection.vendor != "postgresql":
            return
        import psycopg
        from psycopg import sql

        params = connection.get_connection_params()
        name = params.pop("dbname")
        params["dbname"] = "postgres"
        try:
            with psycopg.connect(**params, autocommit=True) as admin:
                exists = admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
                if not exists:
                    admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
                    self.stdout.write(f"created database {name}")
        except psycopg.Error as exc:
            raise CommandError(f"cannot reach PostgreSQL to create {name}: {exc}") from None
