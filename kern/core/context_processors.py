from __future__ import annotations

from typing import Any

from django.http import HttpRequest


def kern(request: HttpRequest) -> dict[str, Any]:
    return {"current_company": getattr(request, "company", None)}
