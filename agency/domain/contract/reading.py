"""Reading contract terms as people write them (a terms file, a form), field by field.

``parse_terms(data, currency=..., locale=..., base=...)`` applies any subset of the fields
below over ``base`` (the terms in force) and checks each one and the whole; every fault is
a ``FieldError(field, message)`` naming the field as written (``plan.max_instalments``,
``commission_rate.judicial``), the message in French. Amounts are read like a portfolio's
(``parse_amount``: "30 000,00", "1.234,56", "500 FCFA", by the creditor's locale, a
currency written must be the creditor's); rates are percentages ("15 %", "12,5", 15).

Fields: playbook, playbook_rate, commission_rate (one rate, or {amicable, judicial}),
commission_cap (null: none), fixed_fee, vat_rate, remittance_days, payment_term_days,
plan {max_instalments, min_instalment, max_months, days}, partial_payment_min,
discount_max, approvals, automations, channels, contact_hours,
counter_call_spacing_minutes, segments ({basis, bands: [{code, min, label}]}, or
"playbook" for the playbook's default rule).
"""
from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, replace
from decimal import Decimal, InvalidOperation
from fractions import Fraction
from typing import Any

from agency.domain.contract.permissions import (
    read_approvals, read_automations, read_channels, read_contact_hours,
)
from agency.domain.contract.terms import COMMISSION_PHASES, ContractTerms, PlanBounds
from agency.domain.contract.values import (
    FieldError, Refused, TermsReader, parse_rate, read_list, read_mapping, read_whole,
)
from agency.domain.segments import BASES, SegmentRuleError, parse_rule

TERMS_FIELDS = ("playbook", "playbook_rate", "commission_rate", "commission_cap", "fixed_fee",
                "vat_rate", "remittance_days", "payment_term_days", "plan",
                "partial_payment_min", "discount_max", "approvals", "automations", "channels",
                "contact_hours", "counter_call_spacing_minutes", "segments")
PLAN_FIELDS = ("max_instalments", "min_instalment", "max_months", "days")
MAX_REMITTANCE_DAYS = 31  # CPCE R124-6: funds paid over within one month, unless agreed
PLAYBOOK_DEFAULT = "playbook"  # segments: follow the playbook's default rule
_SLUG = re.compile(r"^[a-z0-9][a-z0-9_-]{0,63}$")


@dataclass(frozen=True)
class TermsReading:
    """The terms read (None when any field is refused), and every refusal."""

    terms: ContractTerms | None
    errors: tuple[FieldError, ...] = ()
    playbook_rate: Fraction | None = None  # to convert a playbook in another currency
    segments_to_playbook: bool = False     # "segments: playbook" was asked


def parse_terms(data: Any, *, currency: str, locale: str, base: ContractTerms,
                remittance_limit: int = MAX_REMITTANCE_DAYS) -> TermsReading:
    """Read any subset of the terms over ``base``; the terms, or every refusal."""
    if not isinstance(data, Mapping):
        return TermsReading(None, (FieldError("terms", "Un objet {champ: valeur} est attendu."),))
    reader = TermsReader(base, currency, locale)
    for key in data:
        if key not in TERMS_FIELDS:
            reader.errors.append(FieldError(str(key), "Champ inconnu ; attendus : "
                                            + ", ".join(TERMS_FIELDS) + "."))
    for key in TERMS_FIELDS:
        if key in data:
            _READERS[key](reader, key, data[key])
    terms = None
    if not reader.errors:
        terms = replace(base, **reader.values)
        reader.errors.extend(check_terms(terms, remittance_limit))
    if reader.errors:
        return TermsReading(None, tuple(reader.errors))
    return TermsReading(terms, (), reader.rate, reader.to_playbook)


def _playbook(reader: TermsReader, key: str, value: Any) -> None:
    def read(raw: Any) -> str | None:
        if raw is None or raw == "":
            return None
        if not isinstance(raw, str) or not _SLUG.match(raw.strip()):
            raise Refused("Nom de procédure attendu (lettres minuscules, chiffres, - ou _).")
        return raw.strip()
    reader.values["playbook"] = reader.field(key, read, value)


def _playbook_rate(reader: TermsReader, key: str, value: Any) -> None:
    def read(raw: Any) -> Fraction:
        try:
            rate = Fraction(Decimal(str(raw).replace(",", ".").strip()))
        except (InvalidOperation, ValueError):
            raise Refused("Taux de conversion illisible (unités de la devise du donneur d'ordre "
                         "pour une de la procédure, par exemple 60).") from None
        if rate <= 0:
            raise Refused("Le taux de conversion doit être positif.")
        return rate
    reader.rate = reader.field(key, read, value)


def _commission(reader: TermsReader, key: str, value: Any) -> None:
    rates = dict(reader.base.commission_bp)
    if isinstance(value, Mapping):
        for phase, raw in value.items():
            if phase not in COMMISSION_PHASES:
                reader.errors.append(FieldError(f"{key}.{phase}", "Phase inconnue ; attendues : "
                                                + ", ".join(COMMISSION_PHASES) + "."))
                continue
            rates[phase] = reader.field(f"{key}.{phase}", parse_rate, raw)
    else:
        rate = reader.field(key, parse_rate, value)
        rates = dict.fromkeys(COMMISSION_PHASES, rate)
    reader.values["commission_bp"] = rates


def _cap(reader: TermsReader, key: str, value: Any) -> None:
    reader.values["cap_minor"] = None if value in (None, "") else reader.field(key, reader.amount, value)


def _simple(target: str, read_name: str):
    def apply(reader: TermsReader, key: str, value: Any) -> None:
        read = {"amount": reader.amount, "rate": parse_rate,
                "days": lambda raw: read_whole(raw, 0, 366),
                "minutes": lambda raw: read_whole(raw, 1, 24 * 60)}[read_name]
        reader.values[target] = reader.field(key, read, value)
    return apply


def _plan(reader: TermsReader, key: str, value: Any) -> None:
    def read(raw: Any) -> PlanBounds:
        data = read_mapping(raw, "plan")
        unknown = [name for name in data if name not in PLAN_FIELDS]
        if unknown:
            raise Refused("Champ inconnu ; attendus : " + ", ".join(PLAN_FIELDS) + ".", unknown[0])
        plan = reader.base.plan
        values = {}
        for name, parse in (("max_instalments", lambda v: read_whole(v, 1, 120)),
                            ("max_months", lambda v: read_whole(v, 1, 120)),
                            ("min_instalment", reader.amount), ("days", _plan_days)):
            if name in data:
                values[name] = reader.field(f"{key}.{name}", parse, data[name])
        if "min_instalment" in values:
            values["min_instalment_minor"] = values.pop("min_instalment")
        return replace(plan, **values)
    reader.values["plan"] = reader.field(key, read, value)


def _plan_days(value: Any) -> tuple[int, ...]:
    days = [read_whole(day, 1, 28) for day in read_list(value)]
    if not days:
        raise Refused("Au moins un jour du mois (1 à 28) où le débiteur peut payer.")
    if len(set(days)) != len(days):
        raise Refused("Un jour est donné deux fois.")
    return tuple(sorted(days))


def _segments(reader: TermsReader, key: str, value: Any) -> None:
    if value in (None, PLAYBOOK_DEFAULT):
        reader.to_playbook = True
        reader.values.update(segment_rule=None, own_segments=False)
        return
    rule = reader.field(key, lambda raw: _segment_rule(reader, raw), value)
    reader.values.update(segment_rule=rule, own_segments=True)


def _segment_rule(reader: TermsReader, raw: Any):
    data = read_mapping(raw, "segments")
    unknown = [name for name in data if name not in ("basis", "bands", "currency")]
    if unknown:
        raise Refused("Champ inconnu ; attendus : basis, bands.", unknown[0])
    if data.get("currency", reader.currency) != reader.currency:
        raise Refused(f"Règle en {data['currency']} : les montants de ce donneur d'ordre sont "
                      f"en {reader.currency}.", "currency")
    if data.get("basis") not in BASES:
        raise Refused("Base inconnue ; attendues : " + ", ".join(BASES) + ".", "basis")
    bands = data.get("bands")
    if not isinstance(bands, list) or not bands:
        raise Refused("Au moins une tranche {code, min} est attendue.", "bands")
    stored = []
    for index, band in enumerate(bands):
        where = f"bands[{index}]"
        if not isinstance(band, Mapping) or not isinstance(band.get("code"), str):
            raise Refused("Une tranche a un code et un minimum {code, min}.", where)
        if "min_minor" in band:
            minimum = band["min_minor"]
            if isinstance(minimum, bool) or not isinstance(minimum, int) or minimum < 0:
                raise Refused("Minimum en unités mineures attendu (entier positif).", f"{where}.min_minor")
        else:
            try:
                minimum = reader.amount(band.get("min", ""))
            except Refused as fault:
                raise Refused(fault.message, f"{where}.min") from None
        stored.append({"code": band["code"].strip(), "label": band.get("label") or band["code"].strip(),
                       "min_minor": minimum})
    try:
        return parse_rule({"basis": data["basis"], "bands": stored, "currency": reader.currency})
    except SegmentRuleError as exc:
        raise Refused(str(exc), "bands") from None


_READERS = {
    "playbook": _playbook, "playbook_rate": _playbook_rate, "commission_rate": _commission,
    "commission_cap": _cap, "fixed_fee": _simple("fixed_fee_minor", "amount"),
    "vat_rate": _simple("vat_bp", "rate"), "remittance_days": _simple("remittance_days", "days"),
    "payment_term_days": _simple("payment_term_days", "days"), "plan": _plan,
    "partial_payment_min": _simple("partial_payment_min_minor", "amount"),
    "discount_max": _simple("discount_max_bp", "rate"), "approvals": read_approvals,
    "automations": read_automations, "channels": read_channels,
    "contact_hours": read_contact_hours,
    "counter_call_spacing_minutes": _simple("counter_call_spacing_minutes", "minutes"),
    "segments": _segments,
}


def check_terms(terms: ContractTerms, remittance_limit: int = MAX_REMITTANCE_DAYS) -> list[FieldError]:
    """The rules across fields, on terms whose every field is well formed."""
    errors = []
    plan = terms.plan
    if plan.max_instalments > plan.max_months:
        errors.append(FieldError("plan.max_instalments", (
            f"{plan.max_instalments} mensualités ne tiennent pas en {plan.max_months} mois : "
            "les échéances sont mensuelles.")))
    accept = terms.automations.get("accept_plans")
    if accept and accept["max_instalments"] > plan.max_instalments:
        errors.append(FieldError("automations.accept_plans.max_instalments", (
            f"Accepter seul des plans de {accept['max_instalments']} échéances dépasse les bornes "
            f"du contrat ({plan.max_instalments} échéances au plus).")))
    if terms.remittance_days < 1:
        errors.append(FieldError("remittance_days", "Le reversement a lieu au moins un jour après "
                                                    "l'encaissement."))
    elif terms.remittance_days > remittance_limit:
        errors.append(FieldError("remittance_days", (
            f"Reversement à {terms.remittance_days} jours : au plus {remittance_limit} jours "
            "(un mois, CPCE R124-6), sauf si le mandat prévoit un délai plus long.")))
    return errors
