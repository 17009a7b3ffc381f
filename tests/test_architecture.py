"""The layers hold: rules free of Flask and of the database, services free of Flask, no
import cycle, no import hidden in a function, and each audience's pages standing alone."""
from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("agency", "workers", "debtor_portal")


def _modules() -> dict[str, Path]:
    found = {}
    for package in PACKAGES:
        for path in (ROOT / package).rglob("*.py"):
            if "migrations" in path.parts:
                continue
            name = ".".join(path.relative_to(ROOT).with_suffix("").parts).removesuffix(".__init__")
            found[name] = path
    return found


MODULES = _modules()


def _imports(tree: ast.AST) -> list[tuple[ast.AST, str]]:
    """(node, imported module) for every import statement in ``tree``."""
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(node, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            submodules = [f"{node.module}.{alias.name}" for alias in node.names
                          if f"{node.module}.{alias.name}" in MODULES]
            found += [(node, module) for module in submodules]
            if len(submodules) < len(node.names):  # names defined by the module itself
                found.append((node, node.module))
    return found


def _ours(module: str) -> str | None:
    while module and module not in MODULES:
        module = module.rpartition(".")[0]
    return module or None


def _top_level_graph() -> dict[str, set[str]]:
    graph = {}
    for name, path in MODULES.items():
        tree = ast.parse(path.read_text())
        graph[name] = {target for node, module in _imports(ast.Module(body=tree.body, type_ignores=[]))
                       if node in tree.body and (target := _ours(module)) and target != name}
    return graph


def _imported_by(prefix: str) -> dict[str, set[str]]:
    return {name: {module for _node, module in _imports(ast.parse(path.read_text()))}
            for name, path in MODULES.items() if name == prefix or name.startswith(prefix + ".")}


def test_the_domain_knows_neither_flask_nor_the_database():
    for name, imported in _imported_by("agency.domain").items():
        leaks = {m for m in imported if m.split(".")[0] in ("flask", "flask_login", "flask_babel",
                                                             "sqlalchemy", "werkzeug")}
        assert not leaks, f"{name} imports {sorted(leaks)}"


def test_services_never_import_flask():
    for name, imported in _imported_by("agency.services").items():
        leaks = {m for m in imported if m.split(".")[0] in ("flask", "flask_login", "flask_babel",
                                                             "werkzeug", "flask_wtf")}
        assert not leaks, f"{name} imports {sorted(leaks)}"


def test_no_import_is_hidden_in_a_function():
    for name, path in MODULES.items():
        tree = ast.parse(path.read_text())
        for function in (n for n in ast.walk(tree) if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))):
            for node, module in _imports(function):
                assert _ours(module) is None, f"{name}:{node.lineno} imports {module} inside {function.name}()"


def test_no_import_error_is_swallowed_around_our_modules():
    for name, path in MODULES.items():
        for handler in (n for n in ast.walk(ast.parse(path.read_text())) if isinstance(n, ast.Try)):
            catches = {ast.unparse(h.type) for h in handler.handlers if h.type is not None}
            if catches & {"ImportError", "ModuleNotFoundError"}:
                inner = {m for stmt in handler.body for _n, m in _imports(stmt)}
                assert not any(_ours(m) for m in inner), f"{name}:{handler.lineno} guards {inner}"


def test_there_is_no_import_cycle():
    graph = _top_level_graph()
    state: dict[str, int] = {}

    def visit(node: str, path: list[str]) -> None:
        state[node] = 1
        for target in sorted(graph[node]):
            assert state.get(target) != 1, "cycle: " + " -> ".join(path[path.index(target):] + [target]) \
                if target in path else f"cycle through {target}"
            if target not in state:
                visit(target, path + [target])
        state[node] = 2

    for module in sorted(graph):
        if module not in state:
            visit(module, [module])


def test_each_audience_stands_alone():
    """The creditor portal, the API and the debtor portal never import back-office pages:
    what they share lives in agency.web."""
    for audience in ("agency.creditor_portal", "agency.api", "debtor_portal", "agency.partner_links"):
        for name, imported in _imported_by(audience).items():
            leaks = {m for m in imported if m == "agency.backoffice" or m.startswith("agency.backoffice.")}
            assert not leaks, f"{name} imports {sorted(leaks)}"
