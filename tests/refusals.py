"""Shared check of an app's refusal titles: English source text on the class, Dutch when rendered."""

from __future__ import annotations

from collections.abc import Callable
from types import ModuleType
from typing import Any

from django.utils import translation


def refusals_with_their_own_title(module: ModuleType) -> set[type]:
    return {
        cls
        for cls in vars(module).values()
        if isinstance(cls, type) and cls.__module__ == module.__name__ and "title" in vars(cls)
    }


def assert_titles_read_in_dutch(
    titles: dict[type, tuple[str, str]],
    make: Callable[[type], Any] = lambda cls: cls("x"),
    *,
    untitled_message_is_title: bool = False,
) -> None:
    for cls, (english, dutch) in titles.items():
        assert cls.title == english  # the class keeps the English source text
        assert make(cls).as_problem()["title"] == english
        with translation.override("nl"):
            problem = make(cls).as_problem()
            default = cls() if untitled_message_is_title else None
        assert problem["title"] == dutch, cls.__name__
        if default is not None:
            assert default.message == dutch  # a refusal raised without a message says its title
        assert problem["code"] == cls.code and problem["type"].endswith(f"/{cls.code}")
