"""The package's modules import each other in layers: no cycles, no private names across modules.

The import graph is built from the source with ``ast``, counting every import statement
wherever it stands (module level, inside functions, under ``TYPE_CHECKING``), so an import
hidden in a function to dodge a cycle is still a cycle here.
"""

from __future__ import annotations

import ast
from pathlib import Path

import policyml

PACKAGE = Path(policyml.__file__).resolve().parent


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _modules() -> dict[str, ast.Module]:
    return {
        _module_name(path): ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for path in sorted(PACKAGE.rglob("*.py"))
    }


MODULES = _modules()


def _imports(name: str, tree: ast.Module) -> list[tuple[str, list[str], int]]:
    """``(module, names, line)`` of every policyml import in ``tree``; for ``import a.b`` the
    names are empty. Relative imports are resolved against ``name``."""
    package = name if name in MODULES and _is_package(name) else name.rpartition(".")[0]
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.split(".")[0] == "policyml":
                    found.append((alias.name, [], node.lineno))
        elif isinstance(node, ast.ImportFrom):
            module = node.module or ""
            if node.level:
                base = package.split(".")
                base = base[: len(base) - node.level + 1]
                module = ".".join([*base, module] if module else base)
            if module.split(".")[0] != "policyml":
                continue
            names = [alias.name for alias in node.names]
            submodules = [n for n in names if f"{module}.{n}" in MODULES]
            for sub in submodules:  # "from policyml import datasets": the submodule
                found.append((f"{module}.{sub}", [], node.lineno))
            rest = [n for n in names if n not in submodules]
            if rest:
                found.append((module, rest, node.lineno))
    return found


def _is_package(name: str) -> bool:
    return (PACKAGE.parent / name.replace(".", "/") / "__init__.py").is_file()


def _graph() -> dict[str, set[str]]:
    graph: dict[str, set[str]] = {name: set() for name in MODULES}
    for name, tree in MODULES.items():
        for module, _, _ in _imports(name, tree):
            target = module
            while target not in MODULES:  # "policyml.x.y" where y is a name: the module x
                target = target.rpartition(".")[0]
            if target != name:
                graph[name].add(target)
    return graph


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components with more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    out: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in sorted(graph[v]):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                out.append(sorted(component))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return out


def test_the_graph_sees_every_module():
    graph = _graph()
    assert {"policyml.model", "policyml.preprocess", "policyml.preprocess._split"} <= set(graph)
    assert "policyml.persistence" in graph["policyml.model"]
    assert "policyml.preprocess._limits" in graph["policyml.preprocess._split"]


def test_no_import_cycle():
    assert _cycles(_graph()) == []


def test_the_cycle_finder_finds_cycles():
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]


def test_no_private_name_is_imported_from_another_module():
    """``from policyml.x import _name`` is refused anywhere in the package, and a private module
    (``_x``) is imported only by modules of its own package."""
    bad = []
    for name, tree in MODULES.items():
        for module, names, line in _imports(name, tree):
            private = [n for n in names if n.startswith("_") and not n.startswith("__")]
            if private:
                bad.append(f"{name}:{line} imports {private} from {module}")
            parts = module.split(".")
            for depth, part in enumerate(parts):
                if part.startswith("_") and not part.startswith("__"):
                    owner = ".".join(parts[:depth])
                    if not (name == owner or name.startswith(owner + ".")):
                        bad.append(f"{name}:{line} imports the private module {module}")
    assert bad == []


def test_persistence_never_imports_the_model_class():
    assert "policyml.model" not in _graph()["policyml.persistence"]


def test_deprecations_from_policyml_code_are_errors_in_the_tests():
    """pytest's config turns Deprecation/FutureWarnings raised from policyml modules into
    errors, and leaves those of other modules alone."""
    import warnings

    import pytest

    for category in (DeprecationWarning, FutureWarning):
        for module in ("policyml", "policyml.frames", "policyml.preprocess._split"):
            with pytest.raises(category):
                warnings.warn_explicit("old", category, "x.py", 1, module=module)
        with pytest.warns(category):
            warnings.warn_explicit("old", category, "x.py", 1, module="pandas.core.frame")
