"""Imports point down only: a module never imports a layer above its own, and packages form no circle.

Layers, bottom to top (README, "How the code is laid out"):
    0  record, errors, orthography, schema, config, corpus_split
    1  ingest, ocr, restore, extract, quality, synth       (side by side: no circle among them)
    2  document, stages
    3  batch, output (archive files: searchable PDF, ALTO, hOCR; the OCRmyPDF plugin)
    4  review (quality summary and HTML report, eval, export)
    5  cli: pipeline/cli.py, every pipeline/*/cli.py, and the API in pipeline/__init__.py
Every import counts, at the top of a module or inside a function.
"""

from __future__ import annotations

import ast
from pathlib import Path

PIPELINE = Path(__file__).resolve().parent.parent / "pipeline"
LAYERS = {
    "record": 0, "errors": 0, "orthography": 0, "schema": 0, "config": 0, "corpus_split": 0,
    "ingest": 1, "ocr": 1, "restore": 1, "extract": 1, "quality": 1, "synth": 1,
    "document": 2, "stages": 2,
    "batch": 3, "output": 3,
    "review": 4,
    "cli": 5, "__init__": 5,
}  # fmt: skip


def unit_of(module: str) -> str:
    """The layered unit a module belongs to: its package under pipeline/, or "cli" for command modules."""
    parts = module.split(".")
    if parts[-1] == "cli" or parts == ["pipeline"]:
        return "cli" if parts[-1] == "cli" else "__init__"
    return parts[1]


def module_name(path: Path) -> str:
    relative = path.relative_to(PIPELINE.parent).with_suffix("")
    parts = list(relative.parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imports_of(path: Path, package: str = "pipeline") -> set[str]:
    """Every pipeline module ``path`` (a module of ``package``) imports, relative imports resolved."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            base = package.split(".")[: len(package.split(".")) - node.level + 1] if node.level else []
            found.add(".".join([*base, *([node.module] if node.module else [])]))
    return {name for name in found if name == "pipeline" or name.startswith("pipeline.")}


def edges() -> set[tuple[str, str, str]]:
    """(importing module, imported module's unit, importing module's unit) for each import between units."""
    out = set()
    for path in PIPELINE.rglob("*.py"):
        module = module_name(path)
        package = module if path.name == "__init__.py" else module.rpartition(".")[0]
        for imported in imports_of(path, package):
            if imported == "pipeline":
                continue  # `from pipeline import __version__`: the package's constant, not its API
            if unit_of(imported) != unit_of(module):
                out.add((module, unit_of(imported), unit_of(module)))
    return out


def test_every_unit_has_a_layer() -> None:
    units = {unit_of(module_name(p)) for p in PIPELINE.rglob("*.py")}
    assert units <= set(LAYERS), sorted(units - set(LAYERS))


def test_no_import_points_up() -> None:
    upward = sorted(f"{module} imports {target}" for module, target, unit in edges() if LAYERS[target] > LAYERS[unit])
    assert upward == []


def test_units_form_no_circle() -> None:
    graph: dict[str, set[str]] = {}
    for _, target, unit in edges():
        graph.setdefault(unit, set()).add(target)

    def reaches(start: str, goal: str, seen: set[str]) -> bool:
        for nxt in graph.get(start, ()):
            if nxt == goal or (nxt not in seen and reaches(nxt, goal, seen | {nxt})):
                return True
        return False

    circles = sorted(unit for unit in graph if reaches(unit, unit, {unit}))
    assert circles == []


def test_the_check_sees_an_upward_import(tmp_path: Path) -> None:
    """The walk finds imports inside functions too (most upward imports were lazy ones)."""
    module = tmp_path / "m.py"
    module.write_text(
        "def f():\n    from pipeline.stages import run_stages\n    import pipeline.batch.runner\n"
        "    from ..batch import output\n"
    )
    assert imports_of(module, "pipeline.quality") == {"pipeline.stages", "pipeline.batch.runner", "pipeline.batch"}
    assert unit_of("pipeline.restore.cli") == "cli" and unit_of("pipeline.quality.checks") == "quality"
