"""`engine` and `nn` are generic names: make sure they resolve to this repository."""

from pathlib import Path

import engine
import nn

ROOT = Path(__file__).resolve().parent.parent


def test_engine_comes_from_this_repository():
    assert Path(engine.__file__).resolve().parent == ROOT / "engine"


def test_nn_comes_from_this_repository():
    assert Path(nn.__file__).resolve().parent == ROOT / "nn"


def test_engine_never_imports_nn():
    offenders = [p.name for p in (ROOT / "engine").rglob("*.py")
                 if "import nn" in p.read_text() or "from nn" in p.read_text()]
    assert offenders == []


def _engine_imports() -> dict:
    """Module -> the engine modules it imports, anywhere in the file (deferred ones too)."""
    import ast
    graph = {}
    for path in (ROOT / "engine").glob("*.py"):
        name = path.stem
        found = set()
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom) and node.level == 1:
                if node.module:
                    found.add(node.module.split(".")[0])
                else:
                    found.update(alias.name for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and (node.module or "").startswith("engine."):
                found.add(node.module.split(".")[1])
        graph[name] = found - {name}
    return graph


def test_engine_has_no_import_cycles():
    graph = _engine_imports()
    assert "backprop" in graph["value"] and "ops" in graph["value"]  # the walk sees imports
    state: dict = {}

    def visit(module, path):
        state[module] = "open"
        for other in sorted(graph.get(module, ())):
            if state.get(other) == "open":
                raise AssertionError("import cycle: " + " -> ".join(path + [module, other]))
            if other not in state:
                visit(other, path + [module])
        state[module] = "done"

    for module in sorted(graph):
        if module not in state:
            visit(module, [])
