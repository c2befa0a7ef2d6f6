"""`kern import ubl FILE [--json] [--company ID|KVK] [--user NAME]`: a UBL 2.1 / Peppol BIS 3
invoice or credit note becomes a draft vendor bill (see services.einvoice).

Exit status 0 when the bill was created; 1 when the file was refused (every finding is printed
with its rule id) or the bill is a duplicate — nothing is written then.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from kern.core.exceptions import KernError
from kern.purchasing import services
from kern.purchasing.exceptions import EInvoiceRejected

__all__ = ["run_ubl_import"]


def run_ubl_import(
    company: Any, path: Path, *, user: Any = None, options: dict | None = None, stdout: Any
) -> int:
    as_json = bool((options or {}).get("json"))
    try:
        imported = services.import_einvoice(
            company, Path(path).read_bytes(), by=user, filename=Path(path).name
        )
    except EInvoiceRejected as exc:
        if as_json:
            stdout.write(
                json.dumps(
                    {"error": exc.message, "code": exc.code, "findings": exc.context["findings"]}, indent=2
                )
            )
        else:
            stdout.write(f"refused: {path} — nothing was imported\n")
            for finding in exc.findings:
                mark = "error" if finding.fatal else "note"
                where = f" ({finding.location})" if finding.location else ""
                stdout.write(f"  [{mark}] {finding.rule}{where}: {finding.text}\n")
        return 1
    except KernError as exc:
        if as_json:
            stdout.write(json.dumps(exc.as_problem(), indent=2, default=str))
        else:
            stdout.write(f"refused: {exc.message}\n")
        return 1
    result = imported.as_dict()
    if as_json:
        stdout.write(json.dumps(result, indent=2))
        return 0
    bill, vendor = result["bill"], result["vendor"]
    created = " (new vendor, to be reviewed)" if vendor["created"] else ""
    stdout.write(
        f"draft bill #{bill['id']} from {vendor['name']}{created}: {bill['vendor_reference']} of "
        f"{bill['bill_date']}, {result['total']} {result['currency']}, {bill['lines']} line(s)\n"
    )
    for finding in result["findings"]:
        stdout.write(f"  [note] {finding['rule']}: {finding['text']}\n")
    return 0
