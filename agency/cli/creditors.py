"""agency creditor create|show|list|terms|mandate|two-factor: taking on a creditor and its
contract (docs/cli.md). A refusal prints every field's message and changes nothing."""
from __future__ import annotations

import os

import click
import yaml
from flask.cli import with_appcontext
from sqlalchemy import select

from agency.cli._output import CommandError, emit, json_option, operator_command
from agency.domain.contract import JURISDICTIONS
from agency.domain.contract.identity import LETTER_LANGUAGES
from agency.extensions import db
from agency.models import Creditor
from agency.services.audit import current_scope
from agency.services.creditors.mandates import Upload, record_mandate
from agency.services.creditors.onboarding import change_terms, take_on_creditor
from agency.services.creditors.overview import creditor_document, onboarding
from agency.web.uploads import mandate_folder


@click.group("creditor")
def creditor_group() -> None:
    """Creditors (donneurs d'ordre) and their contract."""


def find_creditor(code: str) -> Creditor:
    row = db.session.scalar(select(Creditor).where(Creditor.code == code.strip().upper()))
    if row is None:
        raise CommandError(f"unknown creditor: {code}")
    return row


def _show(creditor: Creditor, as_json: bool, extra: dict | None = None) -> None:
    document = creditor_document(db.session, creditor, current_scope(db.session).now) | (extra or {})
    emit(document, as_json, lambda: _human(document))


def _human(doc: dict) -> str:
    terms = doc["terms"]
    mandate = doc["mandate"]
    lines = [f"{doc['code']} {doc['name']} ({doc['country']}, {doc['currency']}, "
             f"{doc['jurisdiction'] or 'no jurisdiction'})",
             f"  playbook: {doc['playbook'] or '-'}; commission (bp): {terms['commission_bp']}",
             f"  mandate: {mandate['reference'] + ' of ' + mandate['signed_on'] if mandate else 'none'}",
             f"  contact: {doc['contact']['message']}",
             f"  onboarding: {'complete' if doc['onboarding']['complete'] else 'missing ' + ', '.join(doc['onboarding']['missing'])}"]
    if doc.get("resegmented"):
        lines.append("  open cases changed: {cases_changed} (segments {segments_changed}, "
                     "re-enrolled {reenrolled})".format(**doc["resegmented"]))
    return "\n".join(lines)


def _read_terms_file(path: str) -> dict:
    try:
        with open(path, encoding="utf-8") as stream:
            data = yaml.safe_load(stream)
    except (OSError, yaml.YAMLError) as exc:
        raise CommandError(f"unreadable terms file: {exc}") from exc
    if not isinstance(data, dict):
        raise CommandError("the terms file must hold a mapping of fields")
    return data


@creditor_group.command("create")
@click.argument("code")
@click.option("--name", required=True)
@click.option("--country", required=True, help="ISO 3166 code, e.g. SN, MA, FR.")
@click.option("--currency", required=True, help="ISO 4217 code, e.g. XOF, MAD, EUR.")
@click.option("--playbook", help="The escalation playbook (a built-in or a stored one).")
@click.option("--jurisdiction", type=click.Choice(JURISDICTIONS),
              help="fr: no contact before the written mandate is recorded.")
@click.option("--timezone", help="IANA zone (default: the country's, when it has one).")
@click.option("--language", type=click.Choice(LETTER_LANGUAGES), default="fr", show_default=True,
              help="Language of its debtors' letters.")
@click.option("--address", help="Legal address.")
@click.option("--terms", "terms_path", type=click.Path(exists=True, dir_okay=False),
              help="YAML or JSON file of terms (as for `creditor terms --set`).")
@click.option("--default-debtor-kind", type=click.Choice(["person", "company"]), default="person",
              show_default=True, help="Kind of the debtors its files do not describe.")
@json_option
@with_appcontext
@operator_command
def create_creditor(code, name, country, currency, playbook, jurisdiction, timezone, language,
                    address, terms_path, default_debtor_kind, as_json):
    """Take on a creditor: identity, playbook (and its default segments) and first terms."""
    terms = _read_terms_file(terms_path) if terms_path else None
    creditor, _ = take_on_creditor(db.session, code=code, name=name, country=country,
                                   currency=currency, playbook=playbook, jurisdiction=jurisdiction,
                                   timezone=timezone, language=language, address=address,
                                   terms=terms, default_debtor_kind=default_debtor_kind)
    _show(creditor, as_json)


@creditor_group.command("show")
@click.argument("code")
@json_option
@with_appcontext
@operator_command
def show_creditor(code, as_json):
    """Everything the agency set for a creditor: identity, mandate, terms and their history."""
    _show(find_creditor(code), as_json)


@creditor_group.command("list")
@json_option
@with_appcontext
@operator_command
def list_creditors(as_json):
    """Every creditor with what its onboarding still lacks."""
    rows = db.session.scalars(select(Creditor).order_by(Creditor.code)).all()
    states = onboarding(db.session, rows, current_scope(db.session).now)
    data = {"ok": True, "creditors": [
        {"code": s.creditor.code, "name": s.creditor.name, "country": s.creditor.country,
         "currency": s.creditor.currency, "jurisdiction": s.creditor.jurisdiction,
         "playbook": s.terms.playbook, "complete": s.complete, "missing": list(s.gaps),
         "contact_allowed": s.contact.allowed} for s in states]}
    emit(data, as_json, lambda: "\n".join(
        f"{item['code']:<12} {item['name']:<40} "
        f"{'complete' if item['complete'] else 'missing ' + ', '.join(item['missing'])}"
        for item in data["creditors"]) or "no creditor")


@creditor_group.command("terms")
@click.argument("code")
@click.option("--set", "path", required=True, type=click.Path(exists=True, dir_okay=False),
              help="YAML or JSON file with any subset of the terms.")
@click.option("--from", "effective_from", type=click.DateTime(formats=["%Y-%m-%d"]),
              help="The day the change applies from (default: today; never earlier).")
@click.option("--reason", help="Why (kept in the audit trail and the terms' history).")
@json_option
@with_appcontext
@operator_command
def set_terms(code, path, effective_from, reason, as_json):
    """Change a creditor's terms; a new playbook or segment rule reaches its open cases."""
    creditor = find_creditor(code)
    change = change_terms(db.session, creditor, _read_terms_file(path),
                          effective_from=effective_from.date() if effective_from else None,
                          reason=reason)
    _show(creditor, as_json, {
        "changed": change.row is not None,
        "resegmented": change.resegmented.to_dict() if change.resegmented else None})


@creditor_group.command("mandate")
@click.argument("code")
@click.option("--reference", required=True)
@click.option("--date", "signed_on", required=True, type=click.DateTime(formats=["%Y-%m-%d"]),
              help="The day it was signed.")
@click.option("--document", type=click.Path(exists=True, dir_okay=False),
              help="The signed mandate (PDF, or a PNG/JPEG scan).")
@click.option("--basis", help="The claims it covers.")
@click.option("--amount", help="The amount it covers, as written (e.g. \"1 500 000\").")
@click.option("--fees", help="The agency's fees, as the mandate states them.")
@click.option("--remittance-method", help="How collected funds are paid over.")
@click.option("--remittance-days", type=int, help="A remittance period it agrees beyond a month.")
@click.option("--reason")
@json_option
@with_appcontext
@operator_command
def set_mandate(code, reference, signed_on, document, basis, amount, fees, remittance_method,
                remittance_days, reason, as_json):
    """Record the creditor's written mandate (CPCE R124-3); a new one replaces the last."""
    creditor = find_creditor(code)
    data = {"reference": reference, "signed_on": signed_on.date(),
            "basis": basis, "amount": amount, "fees": fees, "remittance_method": remittance_method,
            "remittance_days": remittance_days}
    if document:
        with open(document, "rb") as stream:
            record_mandate(db.session, creditor, data, folder=mandate_folder(),
                           document=Upload(os.path.basename(document), stream), reason=reason)
    else:
        record_mandate(db.session, creditor, data, folder=mandate_folder(), reason=reason)
    _show(creditor, as_json)


@creditor_group.command("two-factor")
@click.argument("code")
@click.option("--require/--no-require", default=True, help="Require a second factor of its users.")
@json_option
@with_appcontext
@operator_command
def creditor_two_factor(code, require, as_json):
    """Require (or not) the creditor's users to sign in with a second factor."""
    row = find_creditor(code)
    row.require_two_factor = require
    emit({"ok": True, "code": row.code, "require_two_factor": require}, as_json,
         f"{row.code}: second factor {'required' if require else 'optional'} for its users")


def register(cli: click.Group) -> None:
    cli.add_command(creditor_group)
