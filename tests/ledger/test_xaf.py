"""The XAF audit file of the demo company passes the official XSD and pyxaf, in 4.0 and 3.2."""

from __future__ import annotations

import datetime as dt
import io
import subprocess
import sys
from pathlib import Path

import pytest
import pyxaf

from kern.core.demo import load_core
from kern.core.management.commands.export import Command as ExportCommand
from kern.ledger.demo import load_ledger
from kern.ledger.models import JournalEntry, JournalLine, PeriodKind
from kern.parties.demo import load_parties

SHARED = Path(__file__).resolve().parents[2].parent / "shared"
VALIDATE_XML = SHARED / "tools" / "validate_xml.py"


@pytest.fixture
def demo(db):
    ctx: dict = {}
    load_core(ctx)
    load_parties(ctx)
    load_ledger(ctx)
    return ctx["company"]


def test_the_demo_books_are_loaded_once_and_verify(demo):
    from kern.ledger.selectors import trial_balance, verify_books

    entries = JournalEntry.objects.filter(company=demo).count()
    assert entries > 50
    load_ledger({"company": demo})
    assert JournalEntry.objects.filter(company=demo).count() == entries
    year = dt.date.today().year
    assert trial_balance(demo, date_from=dt.date(year, 1, 1), date_to=dt.date(year, 12, 31)).is_balanced
    assert verify_books(demo)[0].ok


@pytest.mark.parametrize("version", ["4.0", "3.2"])
def test_the_audit_file_passes_the_xsd_and_pyxaf(demo, tmp_path, version):
    year = dt.date.today().year
    path = tmp_path / f"demo-{version}.xaf"
    out = io.StringIO()
    command = ExportCommand(stdout=out)
    with pytest.raises(SystemExit) as exit_status:
        command.run_from_argv(
            ["kern", "export", "xaf", "--year", str(year), "--version", version, "--output", str(path)]
        )
    assert exit_status.value.code == 0
    assert path.exists() and "written" in out.getvalue()

    report = pyxaf.validate(str(path), xsd=True)
    problems = [f"{f.code} {f.message}" for f in report.errors]
    assert report.ok and not problems, problems
    assert "L4x xsd" in report.checked
    lines = JournalLine.objects.filter(company=demo, date__year=year).exclude(period__kind=PeriodKind.OPENING)
    assert report.stats["lines"] == lines.count()
    assert report.stats["transactions"] == lines.values("entry_id").distinct().count()
    assert report.stats["opening_balance_lines"] > 5

    with pyxaf.open(str(path)) as af:
        assert af.version.value == version
        assert af.accounts["1300"].description == "Debiteuren"
        assert len(af.vat_codes) == 18
        assert sum(1 for _ in af.transactions()) == report.stats["transactions"]
    if version == "4.0":
        assert "<RGScode>BVorDebHad</RGScode>" in path.read_text(encoding="utf-8")

    if not VALIDATE_XML.exists():
        pytest.skip(f"{VALIDATE_XML} is absent: the XSD check needs ../shared")
    result = subprocess.run(
        [sys.executable, str(VALIDATE_XML), str(path)], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_an_unknown_year_is_a_clear_error(demo, tmp_path):
    from kern.core.registry import EXPORTS

    err = io.StringIO()
    code = EXPORTS["xaf"](
        ["--year", "1999", "--output", str(tmp_path / "x.xaf")], stdout=io.StringIO(), stderr=err
    )
    assert code == 1 and "no fiscal year 1999" in err.getvalue()
