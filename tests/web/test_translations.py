"""Every string the code marks for translation has its Dutch translation.

For each app, Django's makemessages (GNU xgettext) extracts the marked strings of a copy of the
app into a fresh catalogue; each must appear, translated and not fuzzy, in the app's committed
kern/<app>/locale/nl catalogue. Skipped with a reason where GNU gettext is not installed.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import polib
import pytest

KERN = Path(__file__).resolve().parents[2] / "kern"
APPS = sorted(p.name for p in KERN.iterdir() if p.is_dir() and (p / "apps.py").exists())

pytestmark = pytest.mark.skipif(
    shutil.which("xgettext") is None, reason="GNU gettext (xgettext) is not installed"
)


def _extracted(app: str, workdir: Path) -> set[tuple[str | None, str]]:
    copy = workdir / app
    shutil.copytree(KERN / app, copy, ignore=shutil.ignore_patterns("locale", "__pycache__", "static"))
    (copy / "locale").mkdir()
    # -P: the copy's selectors.py must not shadow the standard library's.
    subprocess.run(
        [
            sys.executable,
            "-P",
            "-m",
            "django",
            "makemessages",
            "-l",
            "nl",
            "--no-obsolete",
            "-e",
            "html,txt,py",
        ],
        cwd=copy,
        check=True,
        capture_output=True,
        env={
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "DJANGO_SETTINGS_MODULE": "kern.settings",
            "PYTHONPATH": str(KERN.parent),
            "KERN_ENV": "test",
        },
    )
    po = copy / "locale" / "nl" / "LC_MESSAGES" / "django.po"
    if not po.exists():
        return set()
    return {(e.msgctxt, e.msgid) for e in polib.pofile(str(po)) if e.msgid}


def _translated(app: str) -> set[tuple[str | None, str]]:
    po = KERN / app / "locale" / "nl" / "LC_MESSAGES" / "django.po"
    if not po.exists():
        return set()
    return {
        (e.msgctxt, e.msgid)
        for e in polib.pofile(str(po))
        if e.msgstr.strip() or any(v.strip() for v in e.msgstr_plural.values())
        if "fuzzy" not in e.flags
    }


@pytest.mark.parametrize("app", APPS)
def test_every_marked_string_has_a_dutch_translation(app, tmp_path):
    missing = sorted(msgid for ctx, msgid in _extracted(app, tmp_path) - _translated(app))
    assert not missing, f"{len(missing)} strings of kern/{app} lack Dutch: {missing[:40]}"
