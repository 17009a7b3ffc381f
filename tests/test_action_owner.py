"""One owner ends an action: no module but agency.services.actions writes ``action.status``.

The scan reads the code (AST): an assignment to ``<x>.status`` where ``x`` is an action (a
name bound from ``Action``, annotated ``Action``, or named like one), a Core or ORM
``update(Action)`` / ``Action.__table__.update()`` setting ``status``, and SQL text
``UPDATE action SET ... status``. Creating an action with its first status (``Action(...)``,
the engine's INSERT) is not a write of the status.
"""
from __future__ import annotations

import ast
import re

from tests.test_architecture import MODULES

OWNER = "agency.services.actions"
SQL_UPDATE = re.compile(r"\bUPDATE\s+action\s+SET\b[^;]*?\bstatus\b", re.IGNORECASE | re.DOTALL)
ACTION_NAME = re.compile(r"(^|_)(action|actions|task_action|call|counter_call|handover)$")


def _mentions_action(node: ast.AST | None) -> bool:
    return node is not None and any(isinstance(n, ast.Name) and n.id == "Action"
                                    for n in ast.walk(node))


def _action_names(tree: ast.AST) -> set[str]:
    """Names bound to an action in the module: annotated, assigned or looped from Action."""
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.arg) and _mentions_action(node.annotation):
            names.add(node.arg)
        elif isinstance(node, ast.Assign) and _mentions_action(node.value):
            names |= {t.id for t in node.targets if isinstance(t, ast.Name)}
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name) and (
                _mentions_action(node.annotation) or _mentions_action(node.value)):
            names.add(node.target.id)
        elif isinstance(node, (ast.For, ast.comprehension)) and _mentions_action(node.iter):
            names |= {n.id for n in ast.walk(node.target) if isinstance(n, ast.Name)}
    return names


def _status_targets(node: ast.AST) -> list[ast.Attribute]:
    targets = []
    if isinstance(node, ast.Assign):
        candidates = [t for target in node.targets for t in ast.walk(target)]
    elif isinstance(node, (ast.AugAssign, ast.AnnAssign)):
        candidates = list(ast.walk(node.target))
    else:
        return []
    for candidate in candidates:
        if isinstance(candidate, ast.Attribute) and candidate.attr == "status":
            targets.append(candidate)
    return targets


def _is_action_update(call: ast.Call) -> bool:
    """``update(Action)...values(status=...)`` or ``Action.__table__.update()...values(...)``."""
    if not (isinstance(call.func, ast.Attribute) and call.func.attr == "values"):
        return False
    sets_status = any(k.arg == "status" for k in call.keywords) or any(
        isinstance(a, ast.Dict) and any(isinstance(k, ast.Constant) and k.value == "status"
                                        for k in a.keys) for a in call.args)
    if not sets_status:
        return False
    receiver = ast.unparse(call.func.value)
    return bool(re.search(r"\bupdate\(\s*Action\b|\bAction\.__table__\.update\(", receiver))


def status_writes(source: str) -> list[str]:
    """Where this module's code writes an action's status, as 'line: code'."""
    tree = ast.parse(source)
    names = _action_names(tree)
    found = []
    for node in ast.walk(tree):
        for target in _status_targets(node):
            owner = target.value
            name = owner.id if isinstance(owner, ast.Name) else ast.unparse(owner)
            if name in names or ACTION_NAME.search(name.split(".")[-1]):
                found.append(f"{node.lineno}: {ast.unparse(node)}")
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and _is_action_update(node):
            found.append(f"{node.lineno}: {ast.unparse(node)[:80]}")
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and SQL_UPDATE.search(node.value):
            found.append(f"{node.lineno}: SQL {node.value.strip()[:60]!r}")
    return sorted(set(found))


def test_no_module_but_the_owner_writes_an_action_status():
    offenders = {name: writes for name, path in MODULES.items() if name != OWNER
                 and (writes := status_writes(path.read_text()))}
    assert offenders == {}


def test_the_owner_does_write_it():
    """The scan sees the owner's own writes: it is not blind."""
    assert len(status_writes(MODULES[OWNER].read_text())) >= 3


def test_the_scan_catches_each_way_of_writing_it():
    samples = {
        "attribute": "def f(session, action):\n    action.status = 'done'\n",
        "tuple": "def f(row):\n    row.action.outcome, row.action.status = 'x', 'done'\n",
        "annotated": "def f(session, item: Action):\n    item.status = 'cancelled'\n",
        "loaded": "def f(session):\n    a = session.get(Action, 1)\n    a.status = 'done'\n",
        "looped": "def f(s):\n    for a in s.scalars(select(Action)):\n        a.status = 'x'\n",
        "orm update": "def f(s):\n    s.execute(update(Action).where(Action.id == 1).values(status='done'))\n",
        "table update": "def f(s):\n    s.execute(Action.__table__.update().values({'status': 'done'}))\n",
        "sql": "def f(s):\n    run(s, \"UPDATE action SET outcome = 'x', status = 'done' WHERE id = 1\")\n",
    }
    for label, source in samples.items():
        assert status_writes(source), label
    allowed = ("def f(s, message, case):\n    message.status = 'sent'\n    case.status = 'closed'\n"
               "    s.add(Action(kind='call', status='due'))\n"
               "    run(s, 'INSERT INTO action (status) VALUES (1)')\n")
    assert status_writes(allowed) == []
