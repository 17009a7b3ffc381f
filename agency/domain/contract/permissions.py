"""Reading what the agency may do and how it may reach debtors: approvals, automations,
channels and contact hours (each a field of ``parse_terms``)."""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import fields
from typing import Any

from agency.domain.contact_policy import DEFAULT_POLICY, ContactPolicy, ContactPolicyError
from agency.domain.contract.terms import (
    APPROVAL_SUBJECTS, AUTOMATIONS, CHANNELS, CREDITOR_DECISIONS,
)
from agency.domain.contract.values import (
    FieldError, Refused, TermsReader, read_list, read_mapping, read_whole,
)
from agency.domain.playbook.model import APPROVER_ROLES


def read_approvals(reader: TermsReader, key: str, value: Any) -> None:
    """A list: exactly these of the creditor's decisions need it (other rules stay); a
    mapping {subject: role or null}: changes those subjects only."""
    approvals = dict(reader.base.approvals)
    if isinstance(value, Mapping):
        for subject, role in value.items():
            subject = _subject(reader, key, subject)
            if subject is None:
                continue
            if role in (None, "", "none"):
                approvals.pop(subject, None)
            elif role in APPROVER_ROLES:
                approvals[subject] = role
            else:
                reader.errors.append(FieldError(f"{key}.{subject}", "Approbateur inconnu ; "
                                                "attendus : " + ", ".join(APPROVER_ROLES) + "."))
    else:
        listed = reader.field(key, read_list, value)
        if listed is None:
            return
        chosen = {_subject(reader, key, subject) for subject in listed} - {None}
        for subject in CREDITOR_DECISIONS:
            if subject in chosen:
                approvals[subject] = "creditor"
            elif approvals.get(subject) == "creditor":
                del approvals[subject]
        for subject in chosen - set(CREDITOR_DECISIONS):
            approvals[subject] = "creditor"
    reader.values["approvals"] = approvals


def _subject(reader: TermsReader, key: str, subject: Any) -> str | None:
    name = subject if isinstance(subject, str) else ""
    if name not in APPROVAL_SUBJECTS and name.endswith("s") and name[:-1] in APPROVAL_SUBJECTS:
        name = name[:-1]  # "letters": the kind letter
    if name not in APPROVAL_SUBJECTS:
        reader.errors.append(FieldError(key, f"Objet d'approbation inconnu : « {subject} » ; "
                                        "attendus : " + ", ".join(APPROVAL_SUBJECTS) + "."))
        return None
    return name


def read_automations(reader: TermsReader, key: str, value: Any) -> None:
    """{name: true | false | {parameter: value}}: changes those automations only."""
    found = reader.field(key, lambda raw: read_mapping(raw, "automations"), value)
    if found is None:
        return
    automations = {name: dict(params) for name, params in reader.base.automations.items()}
    for name, setting in found.items():
        if name not in AUTOMATIONS:
            reader.errors.append(FieldError(f"{key}.{name}", "Automatisme inconnu ; attendus : "
                                            + ", ".join(AUTOMATIONS) + "."))
        elif setting in (False, None):
            automations.pop(name, None)
        elif setting is True and AUTOMATIONS[name]:
            reader.errors.append(FieldError(f"{key}.{name}", "Donnez ses paramètres : "
                                            + ", ".join(_human(p) for p in AUTOMATIONS[name]) + "."))
        elif setting is True:
            automations[name] = {}
        else:
            params = reader.field(f"{key}.{name}", lambda raw: _automation(reader, name, raw),
                                  setting)
            if params is not None:
                automations[name] = params
    reader.values["automations"] = automations


def _human(parameter: str) -> str:
    return parameter.removesuffix("_minor")


def _automation(reader: TermsReader, name: str, raw: Any) -> dict[str, int]:
    data = read_mapping(raw, name)
    expected = {_human(p): p for p in AUTOMATIONS[name]}
    unknown = [item for item in data if item not in expected]
    if unknown or set(data) != set(expected):
        raise Refused("Paramètres attendus : " + ", ".join(expected) + ".")
    params = {}
    for written, stored in expected.items():
        read = reader.amount if stored.endswith("_minor") else (lambda v: read_whole(v, 1, 120))
        try:
            params[stored] = read(data[written])
        except Refused as fault:
            raise Refused(fault.message, written) from None
    return params


def read_channels(reader: TermsReader, key: str, value: Any) -> None:
    def read(raw: Any) -> frozenset[str]:
        chosen = read_list(raw)
        unknown = [channel for channel in chosen if channel not in CHANNELS]
        if unknown:
            raise Refused(f"Canal inconnu : « {unknown[0]} » ; attendus : " + ", ".join(CHANNELS) + ".")
        if not chosen:
            raise Refused("Au moins un canal de contact est nécessaire.")
        return frozenset(chosen)
    reader.values["channels"] = reader.field(key, read, value)


def read_contact_hours(reader: TermsReader, key: str, value: Any) -> None:
    """Contact-policy settings, flat (every country) or by "default" and country code; each
    must be at most as wide as the agency's policy."""
    found = reader.field(key, lambda raw: read_mapping(raw, "contact_hours"), value or {})
    if found is None:
        return
    sectioned = all(k == "default" or (isinstance(k, str) and len(k) == 2 and k.isalpha())
                    for k in found) and all(isinstance(v, Mapping) for v in found.values())
    sections = {k.upper() if k != "default" else k: v for k, v in found.items()} \
        if sectioned and found else ({"default": dict(found)} if found else {})
    for section, settings in sections.items():
        reader.field(f"{key}.{section}", _narrower_than_policy, settings)
    reader.values["contact_hours"] = sections


def _narrower_than_policy(settings: Mapping) -> None:
    try:
        policy = ContactPolicy.from_dict(settings, base=DEFAULT_POLICY)
    except ContactPolicyError as exc:
        raise Refused(f"Réglage invalide : {exc}.") from None
    strict = DEFAULT_POLICY.stricter(policy)
    wider = [f.name for f in fields(ContactPolicy) if getattr(strict, f.name) != getattr(policy, f.name)]
    if wider:
        raise Refused("Plus large que la politique de l'agence (appels 08:00-18:00, soirée jusqu'à "
                     "21:00, messages 08:00-21:00, 7 tentatives en 7 jours) : " + ", ".join(wider) + ".")
