"""The layering rule of DESIGN.md, enforced (rule 6): written rules that no tool checks rot."""

from __future__ import annotations

import ast
import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
KERN = ROOT / "kern"
APPS = sorted(p.name for p in KERN.iterdir() if p.is_dir() and (p / "__init__.py").exists())
PUBLIC = {"services", "selectors", "events", "exceptions", "models"}
# core's shared helpers are public by design (core.workflow.transition, core.db.atomic, …).
CORE_PUBLIC = PUBLIC | {
    "db",
    "money",
    "workflow",
    "audit",
    "context",
    "numbering",
    "apikit",
    "apiproblem",
    "imports",
    "registry",
    "validators",
    "roles",
    "dbguard",
    "ui",
    "data",
    "tokens",
    "pdf",
    "mail",
    "xml",
    "exports",
    "demo",
    "reference",
    "prepared",
    "rows",
    "labels",
    "jsontext",
}
ASSEMBLERS = {"kern/api.py", "kern/urls.py", "kern/settings.py"}
SIGNALS = {"post_save", "pre_save", "post_delete", "pre_delete", "m2m_changed"}


def _python_files():
    for path in KERN.rglob("*.py"):
        rel = path.relative_to(ROOT).as_posix()
        if "/migrations/" in rel:
            continue
        yield path, rel


def _imports(tree: ast.AST):
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            yield node.lineno, node.module
            for alias in node.names:
                yield node.lineno, f"{node.module}.{alias.name}"


def test_the_import_linter_contracts_hold():
    from importlinter.cli import lint_imports

    cwd = os.getcwd()
    os.chdir(ROOT)
    try:
        assert lint_imports(no_cache=True) == 0, (
            "lint-imports failed: run `.venv/bin/lint-imports` to see why"
        )
    finally:
        os.chdir(cwd)


def test_apps_use_only_the_public_modules_of_other_apps():
    offences = []
    for path, rel in _python_files():
        if rel in ASSEMBLERS:
            continue
        parts = rel.split("/")
        own_app = parts[1] if len(parts) > 2 else None
        for lineno, name in _imports(ast.parse(path.read_text(), rel)):
            bits = name.split(".")
            if len(bits) < 3 or bits[0] != "kern" or bits[1] not in APPS or bits[1] == own_app:
                continue
            allowed = CORE_PUBLIC if bits[1] == "core" else PUBLIC
            if bits[2] not in allowed:
                offences.append(f"{rel}:{lineno} imports {name}")
    assert not offences, "non-public cross-app imports:\n" + "\n".join(sorted(set(offences)))


def _signal_uses(tree: ast.AST) -> list[tuple[int, str]]:
    """Uses of Django's model signals: a bare signal name, `<…>signals.<name>`, or importing
    one. A field's own `pre_save(instance, add)` method (`field.pre_save(...)`) is not a signal."""
    uses = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Name) and node.id in SIGNALS:
            uses.append((node.lineno, node.id))
        elif isinstance(node, ast.Attribute) and node.attr in SIGNALS:
            owner = node.value
            owner_name = owner.id if isinstance(owner, ast.Name) else getattr(owner, "attr", "")
            if owner_name == "signals":
                uses.append((node.lineno, node.attr))
        elif isinstance(node, ast.ImportFrom) and "signals" in (node.module or ""):
            uses += [(node.lineno, a.name) for a in node.names if a.name in SIGNALS]
    return uses


def test_the_signal_check_sees_every_way_of_reaching_a_signal_and_not_a_fields_pre_save():
    sample = (
        "from django.db.models.signals import post_delete\n"
        "from django.db.models import signals\n"
        "signals.post_save.connect(f)\n"
        "models.signals.pre_save.connect(f)\n"
        "value = field.pre_save(row, True)\n"
    )
    assert sorted(_signal_uses(ast.parse(sample))) == [
        (1, "post_delete"),
        (3, "post_save"),
        (4, "pre_save"),
    ]


def test_only_the_audit_module_connects_model_signals():
    offences = []
    for path, rel in _python_files():
        if rel == "kern/core/audit.py":
            continue
        for lineno, name in _signal_uses(ast.parse(path.read_text(), rel)):
            offences.append(f"{rel}:{lineno} uses {name}")
    assert not offences, "model signals outside core/audit.py:\n" + "\n".join(offences)


@pytest.mark.parametrize("app", [a for a in APPS if (KERN / a / "apps.py").exists()])
def test_public_modules_declare_all(app):
    for module in PUBLIC:
        path = KERN / app / f"{module}.py"
        if path.exists():
            tree = ast.parse(path.read_text())
            names = {
                t.id
                for n in tree.body
                if isinstance(n, ast.Assign)
                for t in n.targets
                if isinstance(t, ast.Name)
            }
            names |= {
                n.target.id
                for n in tree.body
                if isinstance(n, ast.AnnAssign) and isinstance(n.target, ast.Name)
            }
            assert "__all__" in names, f"kern/{app}/{module}.py must declare __all__"
