"""The layering of STYLE.md, read with `ast`: shells stay thin, the core stays UI-free."""

from __future__ import annotations

import ast
import sys
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "regsearch"
ENGINE = {"whoosh", "jieba", "rjieba", "lxml"}
SHELL = {"click", "flask", "werkzeug", "gunicorn", "jinja2", "markupsafe"}


def imported_roots(path: Path) -> set[str]:
    """Top-level names of every module `path` imports, at any depth (function-level too)."""
    roots: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            roots.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            roots.add(node.module.split(".")[0])
    return roots


def modules(*parts: str) -> list[Path]:
    return sorted(PACKAGE.joinpath(*parts).rglob("*.py"))


def test_cli_and_web_never_import_the_engine() -> None:
    shells = modules("cli") + modules("web")
    assert len(shells) >= 6
    offenders = {str(p.relative_to(PACKAGE)): imported_roots(p) & ENGINE for p in shells}
    assert {k: v for k, v in offenders.items() if v} == {}


def test_core_never_imports_the_shells() -> None:
    core = [p for p in modules() if p.relative_to(PACKAGE).parts[0] not in {"cli", "web"}]
    assert len(core) >= 20
    offenders = {str(p.relative_to(PACKAGE)): imported_roots(p) & SHELL for p in core}
    assert {k: v for k, v in offenders.items() if v} == {}


def test_model_uses_only_the_standard_library() -> None:
    roots = imported_roots(PACKAGE / "model.py") - {"__future__"}
    assert roots and roots <= set(sys.stdlib_module_names)


def test_the_checker_sees_function_level_imports(tmp_path: Path) -> None:
    sample = tmp_path / "sample.py"
    sample.write_text("def f():\n    import whoosh.query\n    from lxml import html\n")
    assert imported_roots(sample) == {"whoosh", "lxml"}
