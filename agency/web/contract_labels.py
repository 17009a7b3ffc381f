"""French (and, through the catalog, English) words for the codes of a creditor's contract:
onboarding gaps, jurisdictions, approvals, automations, channels, segment bases, contact
verdicts. One place, so no page shows a raw code."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l

GAP_LABELS = {
    "mandate": _l("Mandat manquant"), "playbook": _l("Aucune procédure"),
    "segments": _l("Segmentation manquante"), "users": _l("Aucun utilisateur"),
    "token": _l("Aucun jeton d'API"),
}
JURISDICTION_LABELS = {"fr": _l("France"), "ohada": _l("OHADA"), "ma": _l("Maroc")}
LANGUAGE_LABELS = {"fr": _l("Français"), "en": _l("Anglais")}
PHASE_LABELS = {"amicable": _l("Amiable"), "judicial": _l("Judiciaire")}
CHANNEL_LABELS = {"call": _l("Appels"), "sms": _l("SMS"), "email": _l("Emails"),
                  "letter": _l("Courriers")}
DECISION_LABELS = {
    "plan_outside_bounds": _l("Un échéancier hors des bornes"),
    "discount_beyond_limit": _l("Une remise au-delà de la limite"),
    "legal_action": _l("Une action en justice"),
    "suspend_service": _l("La suspension de son service au débiteur"),
}
AUTOMATION_LABELS = {
    "open_investigation": _l("Ouvrir une enquête quand les courriers reviennent et qu'aucun canal ne reste"),
    "start_procedure": _l("Engager une procédure quand la phase amiable s'achève, pièces en main, au-delà d'un solde minimal"),
    "accept_plans": _l("Accepter les échéanciers jusqu'à N échéances"),
}
KIND_LABELS = {"call": _l("Appel"), "sms": _l("SMS"), "email": _l("Email"),
               "summary_email": _l("Récapitulatif par email"), "letter": _l("Courrier"),
               "visit": _l("Visite"), "negotiation_meeting": _l("Négociation"),
               "formal_notice": _l("Mise en demeure"), "suspend_service": _l("Suspension du service"),
               "handover": _l("Transmission"), "investigation": _l("Enquête"),
               "injunction_file": _l("Dossier d'injonction de payer")}
BASIS_LABELS = {"annual_billed": _l("Montant facturé annuel"), "balance": _l("Solde du dossier")}
APPROVER_LABELS = {"direction": _l("Direction"), "operations_director": _l("Directeur des opérations"),
                   "finance_manager": _l("Responsable administratif et financier"),
                   "team_lead": _l("Chef d'équipe"), "creditor": _l("Donneur d'ordre")}
VERDICT_LABELS = {
    "mandate_missing": _l("Aucun mandat écrit n'est enregistré pour ce donneur d'ordre, soumis "
                          "au droit français (CPCE R124-3) : aucun appel, message ni courrier ne "
                          "part avant son enregistrement."),
    "mandate_missing_warning": _l("Aucun mandat écrit n'est enregistré pour ce donneur d'ordre : "
                                  "le contact reste possible hors de France, mais enregistrez-le."),
    "channel_not_allowed": _l("Ce canal n'est pas autorisé par le contrat du donneur d'ordre."),
}


def verdict_label(verdict) -> str:
    """The sentence a page shows for a contact verdict (its warning when allowed)."""
    code = verdict.warning if verdict.allowed else verdict.code
    return str(VERDICT_LABELS.get(code, verdict.explanation))


LABELS = {"gap": GAP_LABELS, "jurisdiction": JURISDICTION_LABELS, "language": LANGUAGE_LABELS,
          "phase": PHASE_LABELS, "channel": CHANNEL_LABELS, "decision": DECISION_LABELS,
          "automation": AUTOMATION_LABELS, "basis": BASIS_LABELS, "approver": APPROVER_LABELS,
          "kind": KIND_LABELS}


def contract_label(concept: str, code: str | None) -> str:
    """The words for ``code`` of ``concept`` ('gap', 'channel', ...); the code if unknown."""
    if code is None:
        return "—"
    return str(LABELS[concept].get(code, code))
