"""Jinja filters: money and dates in the user's locale, instants in a zone; codes by their labels."""
from __future__ import annotations

from flask import Flask, request, url_for
from flask_babel import format_date, get_locale
from flask_login import current_user

from agency.domain.money import Money, format_money
from agency.domain.timezones import local_time
from agency.web import labels
from agency.web.registry import MENU


def _locale_code() -> str:
    locale = get_locale()
    return str(locale) if locale else "fr"


def money_filter(minor: int | None, currency: str) -> str:
    if minor is None:
        return "—"
    return format_money(Money(int(minor), currency), _locale_code())


def local_filter(instant, zone: str | None = None, fmt: str = "%d/%m/%Y %H:%M") -> str:
    if instant is None:
        return "—"
    return local_time(instant, zone or "UTC").strftime(fmt)


def menu_for_user() -> list:
    """The menu items (back-office or creditor portal) the current user's role may open."""
    role = getattr(current_user, "role", None)
    return [item for item in MENU if role in item.roles]


def page_url(arg: str, number: int) -> str:
    """This page's URL with the query argument ``arg`` (a list's page number) set."""
    args = request.args.to_dict()
    args[arg] = number
    return url_for(request.endpoint, **(request.view_args or {}), **args)


def register_filters(app: Flask) -> None:
    app.add_template_global(menu_for_user, "menu_for_user")
    app.add_template_global(page_url, "page_url")
    app.add_template_global(get_locale, "get_locale")
    app.add_template_filter(money_filter, "money")
    app.add_template_filter(local_filter, "local")
    app.add_template_filter(lambda d: format_date(d, "short") if d else "—", "day")
    app.add_template_filter(lambda args: {k: v for k, v in args.items() if k != "page"},
                            "reject_page")
    labels.register(app)
