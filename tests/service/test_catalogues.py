"""Every string of the service desk and the portal has a Dutch translation, and Dutch pages use it."""

from pathlib import Path

import polib
import pytest
from django.utils import translation

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize("app", ["service", "portal"])
def test_the_dutch_catalogue_is_complete(app):
    po = polib.pofile(str(ROOT / "kern" / app / "locale" / "nl" / "LC_MESSAGES" / "django.po"))
    missing = [e.msgid for e in po if not e.obsolete and (not e.translated() or "fuzzy" in e.flags)]
    assert missing == []


def test_dutch_strings_of_both_apps_are_used():
    with translation.override("nl"):
        assert translation.gettext("Portal menu") == "Portaalmenu"
        assert translation.gettext("[%(number)s] SLA breached") == "[%(number)s] SLA overschreden"
        assert translation.gettext("Unknown requester") == "Onbekende aanvrager"
