"""A creditor's identity as typed by an operator: name, address, country, currency, zone,
jurisdiction and the language of its debtors' letters; each refusal names its field."""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from agency.domain.contract.mandate import JURISDICTIONS
from agency.domain.contract.values import FieldError
from agency.domain.money import MoneyError, check_currency
from agency.domain.timezones import zone_for_country

LETTER_LANGUAGES = ("fr", "en")
IDENTITY_FIELDS = ("name", "address", "country", "currency", "timezone", "jurisdiction",
                   "language")
EDITABLE_FIELDS = ("name", "address", "timezone", "jurisdiction", "language")


def read_identity(data: Mapping[str, Any], fields: tuple[str, ...] = IDENTITY_FIELDS,
                  ) -> tuple[dict[str, Any], tuple[FieldError, ...]]:
    """The given ``fields`` of ``data``, normalised; (values, every refusal)."""
    values: dict[str, Any] = {}
    errors: list[FieldError] = []
    for name in fields:
        if name not in data:
            continue
        try:
            values[name] = _READERS[name](data[name])
        except ValueError as exc:
            errors.append(FieldError(name, str(exc)))
    if "timezone" in fields and not values.get("timezone") and "country" in values \
            and not any(e.field in ("country", "timezone") for e in errors):
        values["timezone"] = zone_for_country(values["country"])
        if values["timezone"] is None:
            errors.append(FieldError("timezone", "Ce pays a plusieurs fuseaux : donnez celui du "
                                                 "donneur d'ordre (par exemple Africa/Dakar)."))
    return values, tuple(errors)


def _text(value: Any, limit: int, required: bool) -> str | None:
    text = value.strip() if isinstance(value, str) else ""
    if not text:
        if required:
            raise ValueError("Obligatoire.")
        return None
    if len(text) > limit:
        raise ValueError(f"{limit} caractères au plus.")
    return text


def _country(value: Any) -> str:
    code = _text(value, 2, True).upper()
    if len(code) != 2 or not code.isalpha():
        raise ValueError("Code pays ISO à deux lettres attendu (SN, MA, FR...).")
    return code


def _currency(value: Any) -> str:
    try:
        return check_currency(value if isinstance(value, str) else "")
    except MoneyError:
        raise ValueError("Devise ISO 4217 inconnue (XOF, MAD, EUR...).") from None


def _zone(value: Any) -> str | None:
    name = _text(value, 64, False)
    if name is None:
        return None
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(f"Fuseau horaire inconnu : « {name} » (par exemple Africa/Dakar).") from None
    return name


def _choice(choices: tuple[str, ...], required: bool):
    def read(value: Any) -> str | None:
        code = _text(value, 32, required)
        if code is not None and code.lower() not in choices:
            raise ValueError("Valeur inconnue ; attendues : " + ", ".join(choices) + ".")
        return code.lower() if code is not None else None
    return read


_READERS = {
    "name": lambda value: _text(value, 200, True),
    "address": lambda value: _text(value, 2000, False),
    "country": _country, "currency": _currency, "timezone": _zone,
    "jurisdiction": _choice(JURISDICTIONS, False),
    "language": _choice(LETTER_LANGUAGES, True),
}
