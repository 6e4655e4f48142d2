"""The package's shape, read from its source with `ast`: imports flow down the layers of STYLE.md,
no package imports one above it, gradio stays in ui/, and each family is named in one place."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from genai_demo.families import FAMILIES

PACKAGE = Path(__file__).resolve().parents[1] / "genai_demo"

# Each unit (a package or a top-level module) and its layer: a unit imports only units of lower
# layers (and itself). ui and the CLI at the top; the job manager and evaluation are app services.
LAYERS = {
    "genai_demo": 0, "genai_demo.errors": 0, "genai_demo.io_utils": 0,
    "genai_demo.limits": 1, "genai_demo.device": 1, "genai_demo.images": 1, "genai_demo.metrics_log": 1,
    "genai_demo.models": 2, "genai_demo.data": 2,
    "genai_demo.families": 3, "genai_demo.prompts": 3, "genai_demo.repair": 3,
    "genai_demo.train_args": 4, "genai_demo.folders": 4,
    "genai_demo.metrics": 5, "genai_demo.generation": 5,
    "genai_demo.text_generation": 6,
    "genai_demo.training": 7, "genai_demo.hub": 7,
    "genai_demo.evaluation": 8, "genai_demo.jobs": 8, "genai_demo.repair_evaluation": 8,
    "genai_demo.ui": 9, "genai_demo.cli": 9, "genai_demo.__main__": 10,
}


def _module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _unit(module: str) -> str:
    """The layered unit a module belongs to: `genai_demo.training.gan_trainer` -> `genai_demo.training`."""
    parts = module.split(".")
    for length in range(len(parts), 0, -1):
        if ".".join(parts[:length]) in LAYERS:
            return ".".join(parts[:length])
    raise AssertionError(f"{module} belongs to no layer: add it to LAYERS in tests/test_layers.py")


def _imports(tree: ast.AST, module: str):
    """(imported module, line, whether inside a function) for every import in the tree."""
    package_parts = module.split(".")
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:  # relative import
                base = ".".join(package_parts[: len(package_parts) - node.level + 1] + ([base] if base else []))
            names = [base] if base != "genai_demo" else [f"genai_demo.{alias.name}" for alias in node.names]
        else:
            continue
        for name in names:
            yield name, node.lineno


def _sources():
    for path in sorted(PACKAGE.rglob("*.py")):
        yield path, _module_name(path), ast.parse(path.read_text(encoding="utf-8"))


def _nested_imports(tree: ast.AST):
    """Imports inside functions (not at module level)."""
    for function in ast.walk(tree):
        if isinstance(function, (ast.FunctionDef, ast.AsyncFunctionDef)):
            for node in ast.walk(function):
                if isinstance(node, (ast.Import, ast.ImportFrom)):
                    yield node


def test_every_import_goes_down_the_layers():
    upward = []
    for path, module, tree in _sources():
        unit = _unit(module)
        for imported, line in _imports(tree, module):
            if not imported.startswith("genai_demo"):
                continue
            target = _unit(imported)
            if target != unit and LAYERS[target] >= LAYERS[unit]:
                upward.append(f"{path.relative_to(PACKAGE.parent)}:{line} {unit} (layer {LAYERS[unit]}) imports "
                              f"{imported} (layer {LAYERS[target]})")
    assert not upward, "imports against the layers:\n" + "\n".join(upward)


def test_no_import_cycle_between_packages():
    graph: dict[str, set[str]] = {}
    for _, module, tree in _sources():
        unit = _unit(module)
        graph.setdefault(unit, set()).update(
            _unit(name) for name, _ in _imports(tree, module) if name.startswith("genai_demo") and _unit(name) != unit)
    visiting, done = set(), set()

    def visit(unit: str, path: list[str]) -> None:
        assert unit not in visiting, "package cycle: " + " -> ".join([*path, unit])
        if unit in done:
            return
        visiting.add(unit)
        for target in sorted(graph.get(unit, ())):
            visit(target, [*path, unit])
        visiting.discard(unit)
        done.add(unit)

    for unit in sorted(graph):
        visit(unit, [])


def test_gradio_only_under_ui():
    offenders = [f"{path.relative_to(PACKAGE.parent)}:{line}" for path, module, tree in _sources()
                 for name, line in _imports(tree, module)
                 if name.split(".")[0] == "gradio" and not module.startswith("genai_demo.ui")]
    assert not offenders, "gradio imported below ui/: " + ", ".join(offenders)


def test_project_imports_are_at_the_top_of_modules():
    """Heavy third-party libraries may load lazily inside a function; our own modules only to put off
    such a library, and the line says so ("... loads only when needed")."""
    hidden = []
    for path, _, tree in _sources():
        lines = path.read_text(encoding="utf-8").splitlines()
        for node in _nested_imports(tree):
            names = [alias.name for alias in node.names] if isinstance(node, ast.Import) else [node.module or ""]
            if any(name.startswith("genai_demo") for name in names) and "only when needed" not in lines[node.lineno - 1]:
                hidden.append(f"{path.relative_to(PACKAGE.parent)}:{node.lineno}")
    assert not hidden, "imports of genai_demo modules inside functions: " + ", ".join(hidden)


def _string_constants(tree: ast.AST) -> set[str]:
    """String literals of a module, leaving out docstrings, dict keys and subscripts (a figure called
    "classifier" in a results dict is not the classifier family)."""
    skipped = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)) and node.body:
            first = node.body[0]
            if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant):
                skipped.add(id(first.value))
        elif isinstance(node, ast.Dict):
            skipped.update(id(key) for key in node.keys if key is not None)
        elif isinstance(node, ast.Subscript):
            skipped.add(id(node.slice))
    return {node.value for node in ast.walk(tree)
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in skipped}


@pytest.mark.parametrize("name", sorted(FAMILIES))
def test_a_family_is_named_in_the_registry_and_its_model_file_only(name):
    modules = sorted(module for _, module, tree in _sources() if name in _string_constants(tree))
    others = [module for module in modules if module != "genai_demo.families"]
    assert len(others) <= 1, f"{name!r} is spelled in {', '.join(modules)}: derive it from genai_demo.families"
    assert all(module.startswith("genai_demo.models.") for module in others), others
