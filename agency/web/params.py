"""Parameters at the edge: what a view reads from a query string or a JSON body is declared by
type beside the view and read here; anything else is a ``BadParameter``, answered 400 with a
message (an HTML page, or JSON under /api/), never a 500 from deeper down.

Forms posted by browsers are Flask-WTF classes (``agency.web.forms``); ``form(FormClass)``
declares them the same way, so the hostile-input test knows every parameter of every view.
"""
from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from datetime import date, datetime
from functools import wraps
from types import SimpleNamespace

from flask import Flask, current_app, render_template, request
from flask_babel import lazy_gettext as _l
from werkzeug.routing import IntegerConverter
from wtforms.fields.core import UnboundField

from agency.domain.timezones import UTC

ID_MAX = 2 ** 31 - 1  # ids are INTEGER columns (PostgreSQL int4)
FIRST_YEAR, LAST_YEAR = 1900, 2200  # dates outside are typing errors, and overflow date arithmetic
NUL = "\x00"


class BadParameter(ValueError):
    """A parameter the view cannot use; ``message`` is French, for the user."""

    def __init__(self, name: str, message) -> None:
        super().__init__(name)
        self.name, self.message = name, message


class Param:
    """One declared parameter: its default when absent or empty, and how its text is read."""

    def __init__(self, default=None) -> None:
        self.default = default

    def read(self, name: str, raw) -> object:
        if raw is None or (isinstance(raw, str) and not raw.strip()):
            return self.default
        if isinstance(raw, str):
            check_text(name, raw)
        try:
            return self.parse(raw)
        except (ValueError, TypeError, OverflowError) as exc:
            raise BadParameter(name, self.refusal()) from exc

    def parse(self, raw):
        raise NotImplementedError

    def refusal(self) -> str:
        return _l("valeur invalide")


class Int(Param):
    """An integer in [low, high]; longer than 18 digits is refused before Python reads it."""

    def __init__(self, low: int, high: int, default: int | None = None) -> None:
        super().__init__(default)
        self.low, self.high = low, high

    def parse(self, raw) -> int:
        if isinstance(raw, bool):
            raise ValueError
        text = str(raw).strip()
        if not re.fullmatch(r"[+-]?\d{1,18}", text):
            raise ValueError
        value = int(text)
        if not self.low <= value <= self.high:
            raise ValueError
        return value

    def refusal(self) -> str:
        return _l("un nombre entier entre %(low)s et %(high)s est attendu", low=self.low,
                  high=self.high)


class Id(Int):
    """A row id: a positive integer the database can hold."""

    def __init__(self, default: int | None = None) -> None:
        super().__init__(1, ID_MAX, default)


class Page(Int):
    """A page number, from 1."""

    def __init__(self, high: int = 10_000) -> None:
        super().__init__(1, high, 1)


class PerPage(Int):
    """How many rows a page holds: at least one, at most ``high``."""

    def __init__(self, default: int, high: int) -> None:
        super().__init__(1, high, default)


class Day(Param):
    """A calendar date, ISO (2026-03-04), between 1900 and 2200."""

    def parse(self, raw) -> date:
        value = date.fromisoformat(str(raw).strip())
        if not FIRST_YEAR <= value.year <= LAST_YEAR:
            raise ValueError
        return value

    def refusal(self) -> str:
        return _l("une date AAAA-MM-JJ est attendue")


class Instant(Param):
    """An ISO date and time; without an offset it is read as UTC."""

    def parse(self, raw) -> datetime:
        value = datetime.fromisoformat(str(raw).strip())
        if not FIRST_YEAR <= value.year <= LAST_YEAR:
            raise ValueError
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)

    def refusal(self) -> str:
        return _l("une date et une heure AAAA-MM-JJTHH:MM sont attendues")


class OneOf(Param):
    """One of a known list of codes."""

    def __init__(self, choices: Iterable[str], default: str | None = None) -> None:
        super().__init__(default)
        self.choices = tuple(choices)

    def parse(self, raw) -> str:
        if raw not in self.choices:
            raise ValueError
        return raw

    def refusal(self) -> str:
        return _l("valeur inconnue")


class Text(Param):
    """Free text, stripped, without NUL, at most ``max_length`` characters."""

    def __init__(self, max_length: int = 200, default: str | None = None) -> None:
        super().__init__(default)
        self.max_length = max_length

    def parse(self, raw) -> str:
        if not isinstance(raw, str):
            raise TypeError
        text = raw.strip()
        if len(text) > self.max_length:
            raise ValueError
        return text

    def refusal(self) -> str:
        return _l("un texte d'au plus %(n)s caractères est attendu", n=self.max_length)


def check_text(name: str, text: str) -> None:
    """Refuse what no database column takes: NUL bytes and lone surrogates."""
    if NUL in text:
        raise BadParameter(name, _l("caractère nul refusé"))
    try:
        text.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise BadParameter(name, _l("texte mal encodé")) from exc


def read(spec: Mapping[str, Param], values: Mapping) -> SimpleNamespace:
    """Read every declared parameter from ``values`` (a MultiDict or a dict): the first value
    of each name, parsed by its type; unknown names are ignored."""
    getter = values.get
    return SimpleNamespace(**{name: param.read(name, getter(name)) for name, param in spec.items()})


def read_json(spec: Mapping[str, Param]) -> SimpleNamespace:
    """Read the declared members of the request's JSON object."""
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        raise BadParameter("body", _l("un objet JSON est attendu"))
    return read(spec, body)


# --- declaring a view's parameters -------------------------------------------------------

def _declare(view: Callable, names: Mapping[str, str]) -> None:
    view.parameters = {**getattr(view, "parameters", {}), **names}


def declared_parameters(view: Callable) -> dict[str, str]:
    """The parameters a view declares: name -> where it is read (query, json, form)."""
    return dict(getattr(view, "parameters", {}))


def query(**spec: Param) -> Callable:
    """Declare a view's query-string parameters; the view receives them parsed as ``args``."""
    def wrap(view: Callable) -> Callable:
        @wraps(view)
        def reading(*positional, **keywords):
            return view(*positional, args=read(spec, request.args), **keywords)
        _declare(reading, dict.fromkeys(spec, "query"))
        return reading
    return wrap


def json_body(**spec: Param) -> Callable:
    """Declare a view's JSON members; the view receives them parsed as ``body``."""
    def wrap(view: Callable) -> Callable:
        @wraps(view)
        def reading(*positional, **keywords):
            return view(*positional, body=read_json(spec), **keywords)
        _declare(reading, dict.fromkeys(spec, "json"))
        return reading
    return wrap


def form(form_class: type) -> Callable:
    """Declare the Flask-WTF form a view reads; the view receives it (not validated) as ``form``."""
    def wrap(view: Callable) -> Callable:
        @wraps(view)
        def reading(*positional, **keywords):
            return view(*positional, form=form_class(), **keywords)
        _declare(reading, dict.fromkeys(field_names(form_class), "form"))
        return reading
    return wrap


def field_names(form_class: type) -> list[str]:
    """The names a form class reads (its fields, in the class and its bases)."""
    return [name for name in dir(form_class)
            if isinstance(getattr(form_class, name, None), UnboundField)]


# --- the app's edge ------------------------------------------------------------------------

class IdConverter(IntegerConverter):
    """``<int:...>`` path variables: ids the database can hold; a longer one is not found."""

    regex = r"\d{1,10}"

    def __init__(self, map, fixed_digits: int = 0, min: int | None = None,  # noqa: A002
                 max: int | None = ID_MAX, signed: bool = False) -> None:  # noqa: A002
        super().__init__(map, fixed_digits, min, max, signed)


def check_edge() -> None:
    """before_request: a NUL byte anywhere in the path, the query or a form is refused, and a
    JSON body goes only to the API and to views that declare one (``json_body``): browsers
    post forms, and a form must never be filled from JSON."""
    check_text("path", request.path)
    if request.is_json and not request.path.startswith("/api/"):
        view = current_app.view_functions.get(request.endpoint or "")
        if "json" not in declared_parameters(view).values():
            raise BadParameter("body", _l("un formulaire est attendu, pas du JSON"))
    for source in (request.args, request.form):
        for name, value in source.items(multi=True):
            check_text(name, name)
            check_text(name, value)
    for name, upload in request.files.items(multi=True):
        check_text(name, upload.filename or "")


def bad_parameter(error: BadParameter):
    """A refused parameter: JSON under /api/, a page elsewhere; 400 both."""
    if request.path.startswith("/api/"):
        return {"error": str(error.message), "parameter": error.name}, 400
    return bad_request([f"{error.name} : {error.message}"])


def bad_request(messages: list[str]):
    """The 400 page: what was refused, and a way back to the page the user came from."""
    referrer = request.referrer or ""
    back = referrer if referrer.startswith(request.host_url) else None
    return render_template("errors/bad_request.html", messages=messages, back=back), 400


def init_app(app: Flask) -> None:
    """Bound ids in paths, refuse NUL bytes first, answer BadParameter with a 400.
    Called before the blueprints are registered (their rules use the converter)."""
    app.url_map.converters["int"] = IdConverter
    app.before_request(check_edge)
    app.register_error_handler(BadParameter, bad_parameter)
