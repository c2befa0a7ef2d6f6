"""The Dutch catalogues' headers: what compiling them keeps of their language and plural rule."""

from __future__ import annotations

from pathlib import Path

import polib
import pytest

KERN = Path(__file__).resolve().parents[2] / "kern"
CATALOGUES = sorted(KERN.glob("*/locale/nl/LC_MESSAGES/django.po"))


def test_every_app_with_dutch_has_its_catalogue_here():
    assert len(CATALOGUES) >= 10


@pytest.mark.parametrize("path", CATALOGUES, ids=lambda p: p.parts[-5])
def test_each_dutch_catalogue_says_it_is_dutch_and_its_header_is_not_fuzzy(path):
    # A fuzzy header is left out when the catalogue is compiled, and with it the language and
    # the plural rule that the catalogue's plural translations depend on.
    po = polib.pofile(str(path))
    assert "fuzzy" not in po.metadata_is_fuzzy
    assert po.metadata.get("Language") == "nl"
    assert po.metadata.get("Plural-Forms", "").startswith("nplurals=2; plural=(n != 1)")
