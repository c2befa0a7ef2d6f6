"""`kern compile_catalogues`: compile the .po translation catalogues to .mo with polib.

Unlike Django's compilemessages this needs no GNU gettext, so a fresh machine with only
python3 and make can run the set-up.
"""

from __future__ import annotations

from pathlib import Path

import polib
from django.conf import settings
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Compile every kern .po catalogue to .mo (only when the .po is newer)."

    def handle(self, *args, **options) -> None:
        root = Path(settings.BASE_DIR) / "kern"
        count = 0
        for po_path in root.rglob("locale/*/LC_MESSAGES/*.po"):
            mo_path = po_path.with_suffix(".mo")
            if mo_path.exists() and mo_path.stat().st_mtime >= po_path.stat().st_mtime:
                continue
            polib.pofile(str(po_path)).save_as_mofile(str(mo_path))
            count += 1
        if options.get("verbosity", 1) > 1 or count:
            self.stdout.write(f"compiled {count} catalogue(s)")
