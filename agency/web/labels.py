"""Codes on screens: the French label of a code (``agency.domain.labels``) in the reader's
language, and the Jinja globals templates show them with. A template never prints a code."""
from __future__ import annotations

from collections.abc import Mapping

from datetime import date, datetime

from babel.dates import format_datetime
from flask import Flask
from flask_babel import format_date, get_locale, gettext

from agency.domain.labels import (AUDIT_VERB, AUDIT_VERB_FAMILIES, LABELS, NEXT_SLOT, NO_SLOT,
                                  QUEUE_REASON, SYSTEM_ACTOR, humanise)
from agency.domain.timezones import local_time

EMPTY = "—"


def label(concept: str, code: str | None) -> str:
    """The label of ``code`` among ``concept``'s codes, translated; a code no table names
    (a creditor's own template, say) is shown humanised, never as stored."""
    if code is None or code == "":
        return EMPTY
    found = LABELS[concept].get(str(code))
    return gettext(found) if found else humanise(str(code))


def labels_of(concept: str) -> dict[str, str]:
    """code -> translated label, for a select or a long list worked out once."""
    return {code: gettext(text) for code, text in LABELS[concept].items()}


def verb_label(verb: str) -> str:
    """What an audit event says happened: "Action validée", "Appel : pas de réponse"."""
    if verb in AUDIT_VERB:
        return gettext(AUDIT_VERB[verb])
    family, _, code = verb.partition(".")
    if family in AUDIT_VERB_FAMILIES:
        name, table = AUDIT_VERB_FAMILIES[family]
        detail = gettext(table[code]) if code in table else humanise(code)
        return gettext("%(what)s : %(detail)s", what=gettext(name), detail=_lower_first(detail))
    return humanise(verb)


def action_name(kind: str, template: str | None = None) -> str:
    """An action by its kind and, when it names one, the document it sends ("Lettre · Relance
    type 1"); a template named as its kind is said once ("Mise en demeure")."""
    name = label("action_kind", kind)
    document = label("template", template) if template else None
    return f"{name} · {document}" if document and document != name else name


def step_name(title: str | None, code: str | None) -> str:
    """A playbook step as the playbook's author named it; its code only when it has no title."""
    if title:
        return title
    return humanise(code) if code else EMPTY


def segment_label(creditor, code: str | None) -> str:
    """A segment's code with the name the creditor's segmentation gives it ("G · Gros client")."""
    if not code:
        return EMPTY
    rule = getattr(creditor, "segment_rule", None) or {}
    bands = rule.get("bands", ()) if isinstance(rule, Mapping) else ()
    name = next((band.get("label") for band in bands if band.get("code") == code), None)
    return f"{code} · {name}" if name else code


def queue_reason(reason, zone: str) -> str:
    """Why a debtor is (not) in the call queue (agency.services.worklist.QueueReason), with its
    day or instant in the debtor's zone."""
    text = QUEUE_REASON.get(reason.code)
    if text is None:
        return humanise(reason.code)
    moment = _moment(reason.at, zone)
    sentence = gettext(text, day=moment, when=moment) if moment else gettext(text)
    if reason.next_slot:
        sentence += " " + (gettext(NEXT_SLOT, when=moment) if moment else gettext(NO_SLOT))
    return sentence


def _moment(at: date | datetime | None, zone: str) -> str | None:
    if at is None:
        return None
    if not isinstance(at, datetime):
        return format_date(at, "short")
    return format_datetime(local_time(at, zone), "short", locale=str(get_locale() or "fr"))


def _lower_first(text: str) -> str:
    """"Pas de réponse" -> "pas de réponse", but "SMS" stays "SMS"."""
    if len(text) > 1 and text[0].isupper() and text[1].islower():
        return text[0].lower() + text[1:]
    return text


def actor_label_name(actor_label: str | None) -> str:
    """An actor as the audit scope wrote it ("user:x@y", "system:cli"...) in words."""
    kind, _, who = (actor_label or "").partition(":")
    if kind == "system":
        return label("system_actor", who) if who in SYSTEM_ACTOR else gettext("Système")
    if kind == "partner":
        return gettext("Partenaire (%(who)s)", who=who)
    if kind == "debtor":
        return gettext("Débiteur")
    if kind == "api":
        return gettext("API (%(who)s)", who=who)
    return who or actor_label or "—"


def register(app: Flask) -> None:
    for function in (label, labels_of, verb_label, action_name, step_name, segment_label, queue_reason,
                     actor_label_name):
        app.add_template_global(function, function.__name__)
