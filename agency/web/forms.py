"""What the staff, partner and debtor forms share: a Flask-WTF base that reads what a browser
posts (never a JSON body, never a file in a text field), and the field kinds the forms use:
ids the database can hold, bounded dates, a choice with an explicit placeholder, a list of ids.

Validation messages are French source strings (``_l``); WTForms' own messages come translated
by Flask-WTF.
"""
from __future__ import annotations

from datetime import date

from flask import request
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from werkzeug.datastructures import CombinedMultiDict, MultiDict
from wtforms import DateField, Field, IntegerField, SelectChoice, SelectField, StringField
from wtforms.fields import FileField
from wtforms.validators import DataRequired, Length, NumberRange, Optional, StopValidation
from wtforms.widgets import HiddenInput

from agency.web.params import FIRST_YEAR, ID_MAX, LAST_YEAR, NUL, field_names

PLACEHOLDER = ""  # the value of a select's "Choisir…" option: refused when required


def posted(form_class: type) -> MultiDict | None:
    """The posted form of a browser: files for the form's file fields, text for the others."""
    if request.method != "POST":
        return None
    file_fields = {name for name in field_names(form_class)
                   if issubclass(getattr(form_class, name).field_class, FileField)}
    files = MultiDict([(name, upload) for name, upload in request.files.items(multi=True)
                       if name in file_fields])
    texts = MultiDict([(name, value) for name, value in request.form.items(multi=True)
                       if name not in file_fields])
    return CombinedMultiDict((files, texts))


class BrowserForm(FlaskForm):
    """A form a browser posts (fields and the CSRF token), never a JSON body."""

    def __init__(self, *args, **kwargs):
        if not args and "formdata" not in kwargs:
            kwargs["formdata"] = posted(type(self))
        super().__init__(*args, **kwargs)

    def error_messages(self) -> list[str]:
        """Every error, prefixed by its field's label, for a page that lists them."""
        return [f"{field.label.text} : {error}" if field.label.text else str(error)
                for field in self for error in field.errors]


def no_nul(_form, field) -> None:
    """What no database column takes (the edge refuses it too, this says which field)."""
    if isinstance(field.data, str) and NUL in field.data:
        raise StopValidation(_l("Caractère nul refusé."))


def in_years(_form, field) -> None:
    if isinstance(field.data, date) and not FIRST_YEAR <= field.data.year <= LAST_YEAR:
        raise StopValidation(_l("Date hors des années %(a)s à %(b)s.", a=FIRST_YEAR, b=LAST_YEAR))


def text_field(label, max_length: int = 200, required: bool = False, **kwargs) -> StringField:
    """Free text, stripped, without NUL, at most ``max_length`` characters."""
    first = DataRequired(_l("Ce champ est obligatoire.")) if required else Optional()
    return StringField(label, validators=[first, no_nul, Length(max=max_length)],
                       filters=[lambda v: v.strip() if isinstance(v, str) else v], **kwargs)


def id_field(label, required: bool = True, hidden: bool = False) -> IntegerField:
    """A row id: a positive integer the database can hold (larger is refused, not a 500)."""
    first = DataRequired(_l("Ce champ est obligatoire.")) if required else Optional()
    return IntegerField(label, validators=[first, NumberRange(1, ID_MAX)],
                        widget=HiddenInput() if hidden else IntegerField.widget)


def id_of(field) -> int | None:
    """The field's id if the database can hold it, else None (``validate()`` says why)."""
    value = field.data
    return value if isinstance(value, int) and 1 <= value <= ID_MAX else None


def date_field(label, required: bool = False) -> DateField:
    """An ISO calendar date (the browser's date input), between 1900 and 2200."""
    first = DataRequired(_l("Ce champ est obligatoire.")) if required else Optional()
    return DateField(label, validators=[first, in_years],
                     invalid_value_message=_l("Date invalide (AAAA-MM-JJ)."))


def options(pairs, placeholder=None) -> list[SelectChoice]:
    """A select's options from (value, label) pairs, after a first ``placeholder`` if given."""
    first = [SelectChoice(PLACEHOLDER, placeholder)] if placeholder is not None else []
    return first + [SelectChoice(value, label) for value, label in pairs]


def choice_field(label, values=(), required: bool = True, coerce=str) -> SelectField:
    """A list whose first option is an explicit "Choisir…"; with ``required`` it must change."""
    first = DataRequired(_l("Choisissez une valeur.")) if required else Optional()
    return SelectField(label, choices=options(((v, v) for v in values), _l("Choisir…")),
                       coerce=coerce, validators=[first], validate_choice=True)


def optional_id(value):
    """``coerce`` of a select of ids with a placeholder: '' is None, the rest an int."""
    if value in (None, PLACEHOLDER):
        return None
    return int(value) if str(value).isdigit() and len(str(value)) <= 10 else value


class TextListField(Field):
    """Repeated inputs of the same name (a table's rows): their texts, in order, each at most
    ``max_length`` characters and without NUL."""

    widget = HiddenInput()

    def __init__(self, label=None, validators=None, max_length: int = 200, **kwargs):
        super().__init__(label, validators, **kwargs)
        self.max_length = max_length

    def process_formdata(self, valuelist):
        self.data = []
        for value in valuelist:
            if not isinstance(value, str) or NUL in value or len(value) > self.max_length:
                raise ValueError(_l("Valeur refusée (au plus %(n)s caractères).", n=self.max_length))
            self.data.append(value)

    def _value(self):
        return ""


class IdListField(Field):
    """Ticked checkboxes of the same name: a list of ids, each one the database can hold."""

    widget = HiddenInput()

    def process_formdata(self, valuelist):
        self.data = []
        for value in valuelist:
            text = str(value).strip()
            if not text.isdigit() or len(text) > 10 or not 1 <= int(text) <= ID_MAX:
                raise ValueError(_l("Identifiant invalide : %(v)s", v=text[:20]))
            self.data.append(int(text))

    def _value(self):
        return ""
