"""The audit files of the whole demo company (`kern demo`: sales, purchases, stock, payments and
the ledger's own year) pass the official XSD (../shared/tools/validate_xml.py) and pyxaf, in XAF 4.0
and 3.2, with zero errors."""

from __future__ import annotations

import datetime as dt
import io
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command

from kern.core.demo import demo_company
from kern.core.registry import EXPORTS

pyxaf = pytest.importorskip("pyxaf", reason="pyxaf is not installed: the audit file check needs it")

SHARED = Path(__file__).resolve().parents[2].parent / "shared"
VALIDATE_XML = SHARED / "tools" / "validate_xml.py"


@pytest.mark.django_db
def test_the_demo_company_audit_files_pass_the_xsd_and_pyxaf(tmp_path):
    call_command("demo", stdout=io.StringIO())
    company = demo_company()
    year = dt.date.today().year
    for version in ("4.0", "3.2"):
        path = tmp_path / f"demo-{version}.xaf"
        err = io.StringIO()
        code = EXPORTS["xaf"](
            ["--year", str(year), "--version", version, "--output", str(path), "--company", str(company.pk)],
            stdout=io.StringIO(),
            stderr=err,
        )
        assert code == 0, err.getvalue()

        report = pyxaf.validate(str(path), xsd=True)
        problems = [f"{f.code} {f.message}" for f in report.errors]
        assert report.ok and not problems, (version, problems)
        assert report.stats["transactions"] > 100

        if VALIDATE_XML.exists():
            result = subprocess.run(
                [sys.executable, str(VALIDATE_XML), str(path)], capture_output=True, text=True, check=False
            )
            assert result.returncode == 0, (version, result.stdout + result.stderr)
    if not VALIDATE_XML.exists():
        pytest.skip(f"{VALIDATE_XML} is absent: pyxaf passed, the XSD check needs ../shared")
