"""Where the shared standards and the official validators are (../shared next to the repository).

Tests that need them skip with a visible reason when the folder is absent (a fresh clone elsewhere).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SHARED = Path(os.environ.get("KERN_SHARED_DIR", ROOT.parent / "shared"))
EINVOICING = SHARED / "standards" / "einvoicing"
EXAMPLES = EINVOICING / "examples"
VALIDATE_UBL = SHARED / "tools" / "validate_ubl.py"

needs_shared = pytest.mark.skipif(
    not (VALIDATE_UBL.is_file() and EXAMPLES.is_dir()),
    reason=f"the shared standards and validators are not at {SHARED} (set KERN_SHARED_DIR)",
)


def official_findings(paths: list[Path], *, profile: str = "cen") -> dict[str, dict]:
    """Run the official validator once over `paths`: file → {"fatal": ids, "all": report}."""
    done = subprocess.run(
        [sys.executable, str(VALIDATE_UBL), "--profile", profile, "--json", *map(str, paths)],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    if done.returncode not in (0, 1):
        raise AssertionError(f"validate_ubl.py failed ({done.returncode}): {done.stderr[:2000]}")
    report = json.loads(done.stdout)
    return {
        item["file"]: {
            "ok": item["fatal"] == 0,
            "fatal": {f["id"] for f in item["findings"] if f["flag"].lower() in ("fatal", "error")},
        }
        for item in report
    }
