"""Extension points that higher apps fill in from AppConfig.ready(): demo data steps and benchmarks.

Core defines the commands (`kern demo`, `kern bench`); each app contributes its own part, so the
commands live at the bottom layer without importing anything above it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

__all__ = [
    "BENCHMARKS",
    "DEMO_STEPS",
    "EXPORTS",
    "FILE_IMPORTS",
    "PERIODIC_TASKS",
    "REFERENCE_DATA",
    "DemoStep",
    "PeriodicTask",
    "register_benchmark",
    "register_demo_step",
    "register_export",
    "register_file_import",
    "register_periodic_task",
    "register_reference_data",
]


@dataclass(frozen=True)
class DemoStep:
    name: str
    order: int
    run: Callable[..., Any]  # run(ctx: dict, progress) -> None; must be idempotent


DEMO_STEPS: dict[str, DemoStep] = {}
BENCHMARKS: dict[str, Callable[..., Any]] = {}


def register_demo_step(name: str, run: Callable[..., Any], *, order: int) -> None:
    DEMO_STEPS[name] = DemoStep(name, order, run)


def register_benchmark(name: str, command_class: Callable[..., Any]) -> None:
    """`command_class` is a callable(argv: list[str]) -> int run by `kern bench <name> …`."""
    BENCHMARKS[name] = command_class


FILE_IMPORTS: dict[str, Callable[..., Any]] = {}


def register_file_import(kind: str, runner: Callable[..., Any]) -> None:
    """A non-tabular import for `kern import <kind> FILE`.

    runner(company, path, *, user, options, stdout) -> exit code
    """
    FILE_IMPORTS[kind] = runner


EXPORTS: dict[str, Callable[..., Any]] = {}


def register_export(kind: str, runner: Callable[..., Any]) -> None:
    """A file export for `kern export <kind> …` (xaf, ubl, pain001 …).

    runner(argv: list[str], *, stdout, stderr) -> exit code; it parses its own options.
    """
    EXPORTS[kind] = runner


REFERENCE_DATA: list[Callable[[str], Any]] = []


def register_reference_data(seed: Callable[[str], Any]) -> None:
    """An idempotent seeder of rows every database needs (currencies, units…): seed(using).

    Migrations install them once; these seeders run again after every `migrate` and after a
    `flush` (which empties the tables between transactional tests), so the rows are always there.
    """
    if seed not in REFERENCE_DATA:
        REFERENCE_DATA.append(seed)


@dataclass(frozen=True)
class PeriodicTask:
    name: str
    task: Any  # a django-tasks Task taking no arguments
    every: float  # seconds between two runs


PERIODIC_TASKS: dict[str, PeriodicTask] = {}


def register_periodic_task(name: str, task: Any, *, every: float) -> None:
    """Recurring background work: `kern worker` enqueues `task` every `every` seconds (and once
    per `kern worker --once`), unless a run of it is still waiting or running."""
    PERIODIC_TASKS[name] = PeriodicTask(name, task, every)
