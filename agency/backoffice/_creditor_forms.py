"""The creditor page's forms: one per section, each turned into the fields the creditors'
service reads (amounts and rates as typed, checked there), and the service's refusals put
back beside the form field they are about."""
from __future__ import annotations

from decimal import Decimal

from babel.numbers import format_decimal
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import BooleanField, DateField, RadioField, SelectField, StringField, TextAreaField
from wtforms.validators import Optional

from agency.domain.contract import CHANNELS, CREDITOR_DECISIONS, ContractTerms, FieldError
from agency.domain.contract.identity import LETTER_LANGUAGES
from agency.domain.contract.mandate import JURISDICTIONS
from agency.domain.money import Money
from agency.domain.segments import BASES
from agency.web.contract_labels import (
    BASIS_LABELS, CHANNEL_LABELS, DECISION_LABELS, JURISDICTION_LABELS, LANGUAGE_LABELS,
)

HOURS = ("call_open", "classic_close", "extended_close", "message_open", "message_close")


def amount_text(minor: int | None, currency: str, locale: str) -> str:
    """An amount as the creditor writes it ("30 000,00" -> "30 000"), for a form's value."""
    if minor is None:
        return ""
    return format_decimal(Money(minor, currency).to_decimal(), locale=locale)


def rate_text(points: int, locale: str) -> str:
    return f"{format_decimal(Decimal(points) / 100, locale=locale)} %"


class _TermsForm(FlaskForm):
    """A section of the terms: a day it applies from and a reason."""

    effective_from = DateField(_l("En vigueur à partir du"), validators=[Optional()])
    reason = StringField(_l("Motif du changement"))
    FIELDS: dict[str, str] = {}  # the service's field (or its prefix) -> this form's field

    def field_for(self, path: str) -> str | None:
        """This form's field an error about ``path`` belongs beside."""
        for prefix in sorted(self.FIELDS, key=len, reverse=True):
            if path == prefix or path.startswith(prefix + ".") or path.startswith(prefix + "["):
                return self.FIELDS[prefix]
        return "effective_from" if path == "effective_from" else None

    def show_errors(self, errors: tuple[FieldError, ...]) -> list[str]:
        """Put each refusal beside its field; those of no field are returned."""
        loose = []
        for error in errors:
            name = self.field_for(error.field)
            if name is None:
                loose.append(error.message)
            else:
                field = getattr(self, name)
                field.errors = list(field.errors or []) + [error.message]
        return loose


class IdentityForm(FlaskForm):
    name = StringField(_l("Raison sociale"))
    address = TextAreaField(_l("Adresse légale"))
    timezone = StringField(_l("Fuseau horaire"))
    jurisdiction = SelectField(_l("Juridiction"), choices=lambda: [("", "—")] + [
        (code, JURISDICTION_LABELS[code]) for code in JURISDICTIONS])
    language = SelectField(_l("Langue des courriers aux débiteurs"), choices=lambda: [
        (code, LANGUAGE_LABELS[code]) for code in LETTER_LANGUAGES])

    def data_for_service(self) -> dict:
        return {name: getattr(self, name).data or "" for name in
                ("name", "address", "timezone", "jurisdiction", "language")}


class MandateForm(FlaskForm):
    reference = StringField(_l("Référence du mandat"))
    signed_on = StringField(_l("Date de signature (AAAA-MM-JJ)"))
    basis = TextAreaField(_l("Créances couvertes (fondement)"))
    amount = StringField(_l("Montant couvert"))
    fees = TextAreaField(_l("Honoraires de l'agence"))
    remittance_method = TextAreaField(_l("Modalités de reversement des fonds"))
    remittance_days = StringField(_l("Délai de reversement convenu (jours, si plus d'un mois)"))
    document = FileField(_l("Mandat signé (PDF, PNG ou JPEG)"))
    reason = StringField(_l("Motif"))

    def data_for_service(self) -> dict:
        return {name: (getattr(self, name).data or "").strip() for name in
                ("reference", "signed_on", "basis", "amount", "fees", "remittance_method",
                 "remittance_days")}

    def show_errors(self, errors: tuple[FieldError, ...]) -> list[str]:
        loose = []
        for error in errors:
            field = getattr(self, error.field, None)
            if field is None:
                loose.append(error.message)
            else:
                field.errors = list(field.errors or []) + [error.message]
        return loose


class CommissionForm(_TermsForm):
    commission_amicable = StringField(_l("Commission, phase amiable"))
    commission_judicial = StringField(_l("Commission, phase judiciaire"))
    cap = StringField(_l("Plafond par dossier (vide : aucun)"))
    fixed_fee = StringField(_l("Frais fixes par dossier"))
    vat = StringField(_l("TVA"))
    remittance_days = StringField(_l("Délai de reversement (jours)"))
    payment_term_days = StringField(_l("Échéance des créances sans date (jours)"))
    FIELDS = {"commission_rate.amicable": "commission_amicable",
              "commission_rate.judicial": "commission_judicial",
              "commission_rate": "commission_amicable", "commission_cap": "cap",
              "fixed_fee": "fixed_fee", "vat_rate": "vat", "remittance_days": "remittance_days",
              "payment_term_days": "payment_term_days"}

    def fill(self, terms: ContractTerms, currency: str, locale: str) -> None:
        self.commission_amicable.data = rate_text(terms.commission_bp["amicable"], locale)
        self.commission_judicial.data = rate_text(terms.commission_bp["judicial"], locale)
        self.cap.data = amount_text(terms.cap_minor, currency, locale)
        self.fixed_fee.data = amount_text(terms.fixed_fee_minor, currency, locale)
        self.vat.data = rate_text(terms.vat_bp, locale)
        self.remittance_days.data = str(terms.remittance_days)
        self.payment_term_days.data = str(terms.payment_term_days)

    def data_for_service(self) -> dict:
        return {"commission_rate": {"amicable": self.commission_amicable.data or "",
                                    "judicial": self.commission_judicial.data or ""},
                "commission_cap": (self.cap.data or "").strip() or None,
                "fixed_fee": self.fixed_fee.data or "0", "vat_rate": self.vat.data or "0",
                "remittance_days": (self.remittance_days.data or "").strip(),
                "payment_term_days": (self.payment_term_days.data or "").strip()}


class PlanForm(_TermsForm):
    max_instalments = StringField(_l("Nombre maximal d'échéances"))
    min_instalment = StringField(_l("Échéance minimale"))
    max_months = StringField(_l("Durée maximale (mois)"))
    days = StringField(_l("Jours du mois au choix du débiteur (1 à 28)"))
    partial_payment_min = StringField(_l("Paiement partiel par carte minimal"))
    discount_max = StringField(_l("Remise maximale accordée par un agent"))
    FIELDS = {"plan.max_instalments": "max_instalments", "plan.min_instalment": "min_instalment",
              "plan.max_months": "max_months", "plan.days": "days", "plan": "max_instalments",
              "partial_payment_min": "partial_payment_min", "discount_max": "discount_max",
              "automations.accept_plans": "max_instalments"}

    def fill(self, terms: ContractTerms, currency: str, locale: str) -> None:
        plan = terms.plan
        self.max_instalments.data = str(plan.max_instalments)
        self.min_instalment.data = amount_text(plan.min_instalment_minor, currency, locale)
        self.max_months.data = str(plan.max_months)
        self.days.data = ", ".join(str(day) for day in plan.days)
        self.partial_payment_min.data = amount_text(terms.partial_payment_min_minor, currency, locale)
        self.discount_max.data = rate_text(terms.discount_max_bp, locale)

    def data_for_service(self) -> dict:
        return {"plan": {"max_instalments": (self.max_instalments.data or "").strip(),
                         "min_instalment": self.min_instalment.data or "0",
                         "max_months": (self.max_months.data or "").strip(),
                         "days": self.days.data or ""},
                "partial_payment_min": self.partial_payment_min.data or "0",
                "discount_max": self.discount_max.data or "0"}


class ApprovalsForm(_TermsForm):
    plan_outside_bounds = BooleanField(DECISION_LABELS["plan_outside_bounds"])
    discount_beyond_limit = BooleanField(DECISION_LABELS["discount_beyond_limit"])
    legal_action = BooleanField(DECISION_LABELS["legal_action"])
    suspend_service = BooleanField(DECISION_LABELS["suspend_service"])
    open_investigation = BooleanField(_l("Ouvrir une enquête"))
    start_procedure = BooleanField(_l("Engager une procédure"))
    procedure_min_balance = StringField(_l("Solde minimal pour engager une procédure"))
    accept_plans = BooleanField(_l("Accepter les échéanciers"))
    accept_max_instalments = StringField(_l("Jusqu'à combien d'échéances"))
    FIELDS = {"approvals": "plan_outside_bounds",
              "automations.start_procedure": "procedure_min_balance",
              "automations.accept_plans": "accept_max_instalments",
              "automations.open_investigation": "open_investigation"}

    def fill(self, terms: ContractTerms, currency: str, locale: str) -> None:
        for subject in CREDITOR_DECISIONS:
            getattr(self, subject).data = subject in terms.needs_creditor()
        automations = terms.automations
        self.open_investigation.data = "open_investigation" in automations
        self.start_procedure.data = "start_procedure" in automations
        self.procedure_min_balance.data = amount_text(
            automations.get("start_procedure", {}).get("min_balance_minor"), currency, locale)
        self.accept_plans.data = "accept_plans" in automations
        self.accept_max_instalments.data = str(
            automations.get("accept_plans", {}).get("max_instalments", ""))

    def data_for_service(self) -> dict:
        return {"approvals": [s for s in CREDITOR_DECISIONS if getattr(self, s).data],
                "automations": {
                    "open_investigation": bool(self.open_investigation.data),
                    "start_procedure": {"min_balance": self.procedure_min_balance.data or ""}
                    if self.start_procedure.data else False,
                    "accept_plans": {"max_instalments": (self.accept_max_instalments.data or "").strip()}
                    if self.accept_plans.data else False}}


class ChannelsForm(_TermsForm):
    call = BooleanField(CHANNEL_LABELS["call"])
    sms = BooleanField(CHANNEL_LABELS["sms"])
    email = BooleanField(CHANNEL_LABELS["email"])
    letter = BooleanField(CHANNEL_LABELS["letter"])
    call_open = StringField(_l("Appels à partir de"))
    classic_close = StringField(_l("Appels jusqu'à"))
    extended_close = StringField(_l("Soirée (débiteurs non joints) jusqu'à"))
    message_open = StringField(_l("Messages à partir de"))
    message_close = StringField(_l("Messages jusqu'à"))
    counter_call_spacing_minutes = StringField(_l("Délai avant le contre-appel (minutes)"))
    FIELDS = {"channels": "call", "contact_hours": "call_open",
              "counter_call_spacing_minutes": "counter_call_spacing_minutes"}

    def fill(self, terms: ContractTerms, currency: str, locale: str) -> None:
        for channel in CHANNELS:
            getattr(self, channel).data = terms.allows(channel)
        default = terms.contact_hours.get("default", {})
        for name in HOURS:
            getattr(self, name).data = default.get(name, "")
        self.counter_call_spacing_minutes.data = str(terms.counter_call_spacing_minutes)

    def data_for_service(self, terms: ContractTerms) -> dict:
        """The hours typed replace the default section; per-country ones are kept."""
        hours = {k: v for k, v in terms.contact_hours.get("default", {}).items() if k not in HOURS}
        hours.update({name: getattr(self, name).data.strip() for name in HOURS
                      if (getattr(self, name).data or "").strip()})
        sections = {k: dict(v) for k, v in terms.contact_hours.items() if k != "default"}
        if hours:
            sections["default"] = hours
        return {"channels": [c for c in CHANNELS if getattr(self, c).data],
                "contact_hours": sections,
                "counter_call_spacing_minutes": (self.counter_call_spacing_minutes.data or "").strip()}


class PlaybookForm(_TermsForm):
    playbook = SelectField(_l("Procédure"), choices=[])
    playbook_rate = StringField(_l("Taux de conversion (procédure dans une autre devise)"))
    segments_mode = RadioField(_l("Segmentation"), choices=lambda: [
        ("playbook", _l("Celle de la procédure")), ("own", _l("La sienne"))], default="playbook")
    basis = SelectField(_l("Base"), choices=lambda: [(b, BASIS_LABELS[b]) for b in BASES])
    bands = TextAreaField(_l("Tranches, une par ligne : code, montant minimal, libellé"))
    FIELDS = {"playbook": "playbook", "playbook_rate": "playbook_rate",
              "segments": "bands", "segments.basis": "basis"}

    def fill(self, terms: ContractTerms, currency: str, locale: str) -> None:
        self.playbook.data = terms.playbook or ""
        self.segments_mode.data = "own" if terms.own_segments else "playbook"
        rule = terms.segment_rule
        self.basis.data = rule.basis if rule else "annual_billed"
        self.bands.data = "\n".join(
            f"{band.code} ; {amount_text(band.min_minor, currency, locale)} ; {band.label}"
            for band in rule.bands) if rule else ""

    def data_for_service(self) -> dict:
        data = {"playbook": self.playbook.data or None}
        if (self.playbook_rate.data or "").strip():
            data["playbook_rate"] = self.playbook_rate.data.strip()
        if self.segments_mode.data == "own":
            data["segments"] = {"basis": self.basis.data, "bands": _bands(self.bands.data or "")}
        else:
            data["segments"] = "playbook"
        return data


def _bands(text: str) -> list[dict]:
    """'G ; 10 000 000 ; Gros client' lines (';' or tab between) as the service's bands."""
    bands = []
    for line in text.splitlines():
        parts = [part.strip() for part in line.replace("\t", ";").split(";")]
        if not any(parts):
            continue
        band = {"code": parts[0], "min": parts[1] if len(parts) > 1 else ""}
        if len(parts) > 2 and parts[2]:
            band["label"] = parts[2]
        bands.append(band)
    return bands


TERMS_FORMS = {"commission": CommissionForm, "plan": PlanForm, "approvals": ApprovalsForm,
               "channels": ChannelsForm, "playbook": PlaybookForm}
