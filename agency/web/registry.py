"""Extension points of the staff and creditor pages: the case page's panels and the menus.

An area registers what it shows once, at import; the case view and the base template
render whatever is registered, in order, so no area edits another's template.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field


@dataclass(frozen=True)
class CasePanel:
    order: int
    template: str
    context: Callable  # (session, case) -> dict for the template
    roles: frozenset[str] = field(default_factory=frozenset)  # empty: every staff role


@dataclass(frozen=True)
class MenuItem:
    order: int
    label: Callable[[], str]  # lazy, translated at render time
    endpoint: str
    roles: frozenset[str]


CASE_PANELS: list[CasePanel] = []
MENU: list[MenuItem] = []


def case_panel(order: int, template: str, roles: tuple[str, ...] = ()) -> Callable:
    """Decorate a context function ``(session, case) -> dict`` to add a case-page panel."""
    def register(context: Callable) -> Callable:
        CASE_PANELS.append(CasePanel(order, template, context, frozenset(roles)))
        CASE_PANELS.sort(key=lambda p: p.order)
        return context
    return register


def menu_item(order: int, label: Callable[[], str], endpoint: str, roles: tuple[str, ...]) -> None:
    if all(item.endpoint != endpoint for item in MENU):
        MENU.append(MenuItem(order, label, endpoint, frozenset(roles)))
        MENU.sort(key=lambda m: m.order)


def panels_for(session, case, role: str) -> list[tuple[str, dict]]:
    return [(p.template, p.context(session, case)) for p in CASE_PANELS
            if not p.roles or role in p.roles]
