"""Template helpers of the generic pages: sort links, form fields, links to any record."""

from __future__ import annotations

from typing import Any

from django import template

from kern.core.ui.registry import document_url

register = template.Library()


@register.simple_tag(takes_context=True)
def sort_url(context: Any, column: Any) -> str:
    """The list URL sorted by `column`: ascending first, descending when already ascending."""
    request = context["request"]
    params = request.GET.copy()
    current = params.get("sort", "")
    params["sort"] = f"-{column.name}" if current == column.name else column.name
    params.pop("page", None)
    return "?" + params.urlencode()


@register.simple_tag(takes_context=True)
def sort_state(context: Any, column: Any) -> str:
    current = context["request"].GET.get("sort", "")
    if current == column.name:
        return "ascending"
    if current == f"-{column.name}":
        return "descending"
    return "none"


@register.filter
def record_url(obj: Any) -> str:
    """The page of any record whose kind has registered one (`{{ obj|record_url }}`)."""
    return document_url(obj) if obj is not None else ""


@register.simple_tag
def source_url(model_label: str, pk: Any) -> str:
    """The page of the document behind a `source_type` + `source_id` pair."""
    return document_url(model_label, pk)


@register.inclusion_tag("ui/_field.html")
def form_field(field: Any) -> dict[str, Any]:
    widget = field.field.widget
    return {
        "field": field,
        "is_check": widget.__class__.__name__ == "CheckboxInput",
        "help_id": f"{field.auto_id}_help",
    }
