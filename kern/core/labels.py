"""Choice labels for stored text: a journal entry's memo, a log line.

A label shown on a page follows the reader's language; a text written into the books is read
later by anyone (an auditor, the XAF export, a Dutch and an English colleague) and is stored in
one language — English, as every stored text of Kern — whoever's language was active when it was
written.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Model
from django.utils import translation

__all__ = ["stored_label"]

_LABELS: dict[tuple[type[Model], str, Any], str] = {}


def stored_label(instance: Model, field_name: str) -> str:
    """The English label of `instance`'s choice in `field_name` (the value itself if it has none)."""
    value = getattr(instance, field_name)
    key = (type(instance), field_name, value)
    label = _LABELS.get(key)
    if label is None:
        choices = dict(type(instance)._meta.get_field(field_name).flatchoices)
        with translation.override("en"):
            label = str(choices.get(value, value))
        _LABELS[key] = label
    return label
