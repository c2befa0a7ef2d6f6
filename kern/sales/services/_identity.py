"""A small identity map: documents this thread holds in memory, by id, held weakly.

When an event handler (goods shipped, an item paid) must update an order or invoice, it first
looks here: if the request or command that caused the event still holds that document, the
handler updates the very object the caller will go on using — its cached lines stay true and
nothing is read twice. Otherwise it reads the row. Per thread, so two requests never share one.
"""

from __future__ import annotations

import threading
import weakref
from typing import Any

_local = threading.local()


def _map() -> weakref.WeakValueDictionary:
    found = getattr(_local, "documents", None)
    if found is None:
        found = _local.documents = weakref.WeakValueDictionary()
    return found


def remember(obj: Any) -> Any:
    _map()[(type(obj), obj.pk)] = obj
    return obj


def recall(model: type, pk: Any) -> Any:
    return _map().get((model, pk))
