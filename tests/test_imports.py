"""The package's import graph: the engines import the model package, never the other way round."""

import ast
import subprocess
import sys
from pathlib import Path

import pipeline

PACKAGE = Path(pipeline.__file__).parent


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def is_module(name: str) -> bool:
    path = PACKAGE.parent.joinpath(*name.split("."))
    return path.with_suffix(".py").is_file() or (path / "__init__.py").is_file()


def imported_modules(path: Path) -> set[str]:
    """Every pipeline module ``path`` imports anywhere: at the top, inside functions (where
    a circle hides), under TYPE_CHECKING."""
    name = module_name(path)
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, *([base] if base else [])])
            found.add(base)
            found.update(f"{base}.{alias.name}" for alias in node.names if is_module(f"{base}.{alias.name}"))
    return {module for module in found if module.split(".")[0] == "pipeline"}


def import_graph() -> dict[str, set[str]]:
    graph = {module_name(path): imported_modules(path) for path in PACKAGE.rglob("*.py")}
    # Importing a submodule runs its packages' __init__ first.
    for imports in graph.values():
        imports.update(".".join(m.split(".")[:n]) for m in list(imports) for n in range(2, m.count(".") + 1))
    return graph


def reachable(graph: dict[str, set[str]], start: str) -> set[str]:
    seen, todo = set(), [start]
    while todo:
        for module in graph.get(todo.pop(), ()):
            if module not in seen:
                seen.add(module)
                todo.append(module)
    return seen


def test_the_model_package_never_reaches_the_engines():
    """No module of pipeline.model imports pipeline.engines, directly or through another
    module (which would close the circle engines -> model -> ... -> engines)."""
    graph = import_graph()
    assert "pipeline.model.cache" in graph["pipeline.engines.convert"]  # the walk sees the edges
    assert "pipeline.model" in reachable(graph, "pipeline.engines")
    for module in [m for m in graph if m == "pipeline.model" or m.startswith("pipeline.model.")]:
        engines = sorted(m for m in reachable(graph, module) if m.split(".")[:2] == ["pipeline", "engines"])
        assert not engines, f"{module} imports {engines}"


def test_the_shared_modules_import_neither_package():
    graph = import_graph()
    for module in ("pipeline.progress", "pipeline.engine_names"):
        assert module in graph
        assert not {m for m in reachable(graph, module) if m.split(".")[1] in ("engines", "model")}, module


def test_the_reading_pages_never_reach_the_exporters():
    """export holds the reading pages' writer (html); reading, which shares the XML
    character rule with the TMX writer (markup), must not import export back."""
    graph = import_graph()
    assert "pipeline.reading" in graph["pipeline.export"]
    assert "pipeline.export" not in reachable(graph, "pipeline.reading")


def test_the_model_package_loads_and_checks_its_catalogue_without_the_engines():
    code = (
        "import sys; sys.modules['pipeline.engines'] = None\n"  # any import of it now fails
        "import pipeline.model, pipeline.model.sources, pipeline.progress\n"
        "from pipeline.model.catalogue import catalogue\n"
        "assert catalogue()\n"  # each manifest's engine is checked against the engine names
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=PACKAGE.parent)
    assert result.returncode == 0, result.stderr
