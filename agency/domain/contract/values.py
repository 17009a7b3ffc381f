"""Reading single values as people write them (rates, amounts, whole numbers, lists), and
the refusals: each reader returns the value or raises ``Refused`` with a French message
(and, for a value inside a structure, the sub-field it is about); a ``TermsReader`` turns
them into ``FieldError(field, message)`` and carries on, so every fault is reported.
"""
from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from typing import Any

from agency.domain.contract.terms import ContractTerms
from agency.domain.money import CurrencyMismatch, MoneyError, parse_amount

_PERCENT = re.compile(r"^([+-]?\d+(?:[.,]\d+)?)\s*%?$")
_SPACES = re.compile(r"[\s\u00a0\u202f\u2009]+")


class Refused(Exception):
    """A value refused: the French message, and the sub-field when inside a structure."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.message, self.field = message, field


def parse_rate(value: Any) -> int:
    """A percentage as written ("15 %", "12,5", 15) in basis points; raises ValueError."""
    if isinstance(value, bool) or value is None:
        raise Refused("Taux attendu, par exemple « 15 % ».")
    if isinstance(value, int):
        percent = Decimal(value)
    elif isinstance(value, float):  # YAML's 12.5: its shortest decimal writing
        percent = Decimal(repr(value))
    elif isinstance(value, str):
        match = _PERCENT.match(_SPACES.sub("", value.strip()))
        if not match:
            raise Refused(f"Taux illisible : « {value} » (attendu par exemple « 15 % »).")
        percent = Decimal(match[1].replace(",", "."))
    else:
        raise Refused("Taux attendu, par exemple « 15 % ».")
    points = percent * 100
    if points < 0:
        raise Refused("Un taux ne peut pas être négatif.")
    if points != points.to_integral_value():
        raise Refused("Un taux a au plus deux décimales (12,25 %).")
    if points > 10_000:
        raise Refused("Un taux ne peut pas dépasser 100 %.")
    return int(points)


def read_amount(value: Any, currency: str, locale: str) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, str)):
        raise Refused("Montant attendu, par exemple « 30 000,00 ».")
    try:
        money = parse_amount(str(value), currency, locale)
    except CurrencyMismatch as exc:
        raise Refused(f"Montant en {exc.found} : les montants de ce donneur d'ordre sont "
                     f"en {exc.expected}.") from None
    except MoneyError:
        raise Refused(f"Montant illisible : « {value} ».") from None
    if money.minor < 0:
        raise Refused("Un montant ne peut pas être négatif.")
    return money.minor


def read_whole(value: Any, low: int, high: int) -> int:
    if isinstance(value, str) and value.strip().isdigit():
        value = int(value.strip())
    if isinstance(value, bool) or not isinstance(value, int):
        raise Refused("Nombre entier attendu.")
    if not low <= value <= high:
        raise Refused(f"Doit être compris entre {low} et {high}.")
    return value


def read_mapping(value: Any, what: str) -> Mapping:
    if not isinstance(value, Mapping):
        raise Refused(f"{what} : un objet {{clé: valeur}} est attendu.")
    return value


def read_list(value: Any) -> list:
    if isinstance(value, str):
        value = [part for part in re.split(r"[,;\s]+", value) if part]
    if not isinstance(value, (list, tuple)):
        raise Refused("Une liste est attendue.")
    return list(value)


@dataclass(frozen=True, slots=True)
class FieldError:
    field: str
    message: str

    def to_dict(self) -> dict[str, str]:
        return {"field": self.field, "message": self.message}


class ContractRejected(ValueError):
    """Terms, a mandate or a creditor's identity refused: every field's refusal."""

    def __init__(self, errors) -> None:
        self.field_errors = tuple(errors)
        super().__init__("; ".join(f"{e.field}: {e.message}" for e in self.field_errors))


class TermsReader:
    """Applies fields over the base terms, collecting every fault (see reading.parse_terms)."""

    def __init__(self, base: ContractTerms, currency: str, locale: str) -> None:
        self.values: dict[str, Any] = {}
        self.errors: list[FieldError] = []
        self.base, self.currency, self.locale = base, currency, locale
        self.rate: Fraction | None = None
        self.to_playbook = False

    def field(self, name: str, read, value: Any) -> Any:
        """read(value) or record its fault under ``name``; None on a fault."""
        try:
            return read(value)
        except Refused as fault:
            self.errors.append(FieldError(f"{name}.{fault.field}" if fault.field else name,
                                          fault.message))
            return None

    def amount(self, value: Any) -> int:
        return read_amount(value, self.currency, self.locale)
