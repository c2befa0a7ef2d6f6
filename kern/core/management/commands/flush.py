"""Django's `flush`, run inside core.dbguard.maintenance() so the append-only triggers let the
test database be emptied between transactional tests (and `kern flush` work for a reset)."""

from __future__ import annotations

from django.core.management.commands.flush import Command as DjangoFlush
from django.db import connections

from kern.core.dbguard import maintenance


class Command(DjangoFlush):
    def handle(self, **options):
        with maintenance(connections[options["database"]]):
            return super().handle(**options)
