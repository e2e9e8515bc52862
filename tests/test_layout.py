"""The folder listing is the architecture: imports run one way, from the command line down to the office files."""
from __future__ import annotations

import ast
import importlib.util
from pathlib import Path

from helpers.project import ROOT

PACKAGE = ROOT / "src" / "plandocs"
# Top to bottom; a module may import only from its own package or from a layer below it.
LAYERS = ["__main__", "cli", "ui", "commands", "returns", "documents", "master", "office",
          "text numbering errors paths report parallel caching"]
MAX_LINES = 520


def _layer(module: str) -> int:
    first = module.split(".")[1]
    return next(index for index, names in enumerate(LAYERS) if first in names.split())


def _modules() -> dict[str, Path]:
    found = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
        found[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = path
    return found


def _imports(module: str, path: Path) -> set[str]:
    """Every plandocs module `module` imports, at its top or inside a function."""
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom):
            base = importlib.util.resolve_name("." * node.level + (node.module or ""), package) if node.level \
                else node.module or ""
            targets = [base] + [f"{base}.{alias.name}" for alias in node.names]
        elif isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        else:
            continue
        found |= {t for t in targets if t.startswith("plandocs.")}
    return found


def _graph() -> dict[str, set[str]]:
    modules = _modules()
    return {name: {t for t in _imports(name, path) if t in modules and t != name} for name, path in modules.items()}


def test_every_module_belongs_to_a_layer():
    for module in _modules():
        if module != "plandocs":
            _layer(module)


def _upward(graph: dict[str, set[str]]) -> list[str]:
    """Imports against the direction: into a layer above, or sideways between two packages of one layer."""
    base = len(LAYERS) - 1
    wrong = []
    for module, targets in graph.items():
        for target in targets:
            if module == "plandocs" or module.split(".")[:2] == target.split(".")[:2]:
                continue
            if _layer(target) > _layer(module) or _layer(target) == _layer(module) == base:
                continue
            wrong.append(f"{module} -> {target}")
    return sorted(wrong)


def test_imports_run_from_the_command_line_down_to_the_office_files():
    assert _upward(_graph()) == []


def test_an_import_against_the_direction_is_caught():
    assert _upward({"plandocs.office.output": {"plandocs.commands.build"},
                    "plandocs.returns.read": {"plandocs.master.model"},
                    "plandocs.master.model": {"plandocs.documents.render"}}) == [
        "plandocs.master.model -> plandocs.documents.render", "plandocs.office.output -> plandocs.commands.build"]


def _cycles(graph: dict[str, set[str]]) -> list[str]:
    """Each import cycle, as the chain of modules that closes it."""
    state: dict[str, int] = {}
    cycles = []

    def visit(module: str, trail: list[str]) -> None:
        state[module] = 1  # on the current path
        for target in sorted(graph.get(module, ())):
            if state.get(target) == 1:
                cycles.append(" -> ".join(trail[trail.index(target):] + [target]))
            elif target not in state:
                visit(target, trail + [target])
        state[module] = 2  # done

    for module in sorted(graph):
        if module not in state:
            visit(module, [module])
    return cycles


def test_no_module_imports_itself_back_through_others():
    assert _cycles(_graph()) == []


def test_a_cycle_is_caught():
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == ["a -> b -> c -> a"]


def test_no_module_is_much_over_five_hundred_lines():
    long = {name: n for name, path in _modules().items() if (n := len(path.read_text(encoding="utf-8").splitlines())) > MAX_LINES}
    assert long == {}
