"""`kern export <kind>`: the one command every app's file exports hang off (core.registry)."""

from __future__ import annotations

import io

import pytest

from kern.core.management.commands.export import Command
from kern.core.registry import EXPORTS, register_export


def test_a_registered_export_gets_its_own_arguments(db):
    seen = {}

    def runner(argv, *, stdout, stderr):
        seen["argv"] = argv
        stdout.write("done")
        return 0

    register_export("tests-kind", runner)
    try:
        out = io.StringIO()
        with pytest.raises(SystemExit) as exit_status:
            Command(stdout=out).run_from_argv(
                ["kern", "export", "tests-kind", "--year", "2026", "--version", "4.0"]
            )
        assert exit_status.value.code == 0
        assert seen["argv"] == ["--year", "2026", "--version", "4.0"]
        assert "done" in out.getvalue()
    finally:
        EXPORTS.pop("tests-kind", None)


def test_an_unknown_export_exits_with_2_and_names_the_known_ones(db):
    err = io.StringIO()
    with pytest.raises(SystemExit) as exit_status:
        Command(stderr=err).run_from_argv(["kern", "export", "nope"])
    assert exit_status.value.code == 2
    assert "xaf" in err.getvalue()
