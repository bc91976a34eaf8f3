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


def test_whoosh_lives_in_one_package() -> None:
    """The service, the query parser, the question scorer and everything else talk to the
    engine seam; only regsearch/engine/whoosh/ imports whoosh."""
    engine = PACKAGE / "engine" / "whoosh"
    inside = modules("engine", "whoosh")
    assert sum("whoosh" in imported_roots(p) for p in inside) >= 6
    outside = [p for p in modules() if engine not in p.parents]
    offenders = [str(p.relative_to(PACKAGE)) for p in outside if "whoosh" in imported_roots(p)]
    assert offenders == []
    for name in ("search/service.py", "search/query.py", "search/question_score.py"):
        assert PACKAGE / name in outside


def test_the_core_reaches_the_engine_only_through_its_seam() -> None:
    """Nothing above the engine imports an engine's own package (`open_engine` opens
    it); the CLI and web reach the index only through the service."""
    engines = {p.name for p in (PACKAGE / "engine").iterdir() if (p / "__init__.py").is_file()}
    assert "whoosh" in engines
    above = [
        p
        for p in modules()
        if p.relative_to(PACKAGE).parts[0] in {"search", "cli", "web", "ingest", "index"}
    ]
    offenders = {}
    for path in above:
        tree = ast.parse(path.read_text(encoding="utf-8"))
        names = [
            n.module
            for n in ast.walk(tree)
            if isinstance(n, ast.ImportFrom) and n.module and n.level == 0
        ]
        bad = [m for m in names if m.split(".")[:3][-1] in engines and m.count(".") >= 2]
        if bad:
            offenders[str(path.relative_to(PACKAGE))] = bad
    assert offenders == {}
