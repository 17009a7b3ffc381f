"""The words users read for the codes the system stores: one table per concept, in French.

French is the source language: each label here is the French text and the msgid of its
English in the catalog (``N_`` marks it for extraction without translating it). Screens
translate at render time (``agency.web.labels``); what is written in French whatever the
reader (a partner's mission email, a letter) reads the French here directly. The tests
check that every value of every constant naming codes has its label, so a new code
cannot reach a screen without one.
"""
from __future__ import annotations


def N_(text: str) -> str:
    """Mark a French label for the catalog; it is translated where it is shown."""
    return text


ROLE = {"admin": N_("Administrateur"), "direction": N_("Direction"),
        "team_lead": N_("Chef d'équipe"), "agent": N_("Gestionnaire"),
        "creditor": N_("Donneur d'ordre")}
TEAM = {"amicable": N_("Amiable"), "judicial": N_("Judiciaire"),
        "injunction": N_("Injonction de payer & exécution")}
PLAYBOOK_TEAM = {"amicable_team": N_("Équipe amiable"), "judicial_team": N_("Équipe judiciaire"),
                 "injunction_team": N_("Équipe injonction de payer & exécution")}
INTERNAL_ROLE = {"collection_officer": N_("Chargé de recouvrement"), "team_lead": N_("Chef d'équipe"),
                 "finance_manager": N_("Responsable administratif et financier"),
                 "operations_director": N_("Directeur des opérations"), "direction": N_("Direction")}
PARTNER_KIND = {"home_visit": N_("Visite à domicile"), "bailiff": N_("Commissaire de justice"),
                "investigator": N_("Enquêteur"), "lawyer": N_("Avocat"),
                "correspondent": N_("Correspondant à l'étranger")}
APPROVER_ROLE = {**{code: INTERNAL_ROLE[code] for code in
                    ("direction", "operations_director", "finance_manager", "team_lead")},
                 "creditor": N_("Donneur d'ordre")}
PHASE = {"amicable": N_("Amiable"), "commercial": N_("Recouvrement commercial"),
         "personalised": N_("Recouvrement personnalisé"), "pre_litigation": N_("Précontentieux"),
         "judicial": N_("Judiciaire"), "injunction": N_("Injonction de payer"),
         "enforcement": N_("Exécution"), "agency_collection": N_("Recouvrement par le cabinet"),
         "creditor": N_("Rendu au donneur d'ordre"), "closed": N_("Clos")}
CASE_STATUS = {"open": N_("En cours"), "paid": N_("Soldé"), "closed": N_("Clos")}
CLAIM_KIND = {"invoice": N_("Facture"), "bill_of_exchange": N_("Effet"),
              "contribution": N_("Cotisation"), "loan_instalment": N_("Échéance de prêt"),
              "cheque": N_("Chèque"), "other": N_("Autre créance")}
DEBTOR_KIND = {"person": N_("particulier"), "company": N_("entreprise")}
ENTRY_KIND = {"claim": N_("Créance"), "fee": N_("Frais"), "interest": N_("Intérêts"),
              "payment": N_("Paiement"), "refund": N_("Remboursement"), "write_off": N_("Abandon"),
              "adjustment": N_("Ajustement")}
ACTION_KIND = {"call": N_("Appel"), "sms": N_("SMS"), "email": N_("Email"),
               "summary_email": N_("Récapitulatif par email"), "letter": N_("Lettre"),
               "visit": N_("Visite"), "negotiation_meeting": N_("Négociation"),
               "formal_notice": N_("Mise en demeure"), "suspend_service": N_("Suspension du service"),
               "handover": N_("Transmission"), "investigation": N_("Enquête"),
               "injunction_file": N_("Dossier d'injonction"), "callback": N_("Rappel demandé"),
               "counter_call": N_("Contre-appel")}
ACTION_STATUS = {"planned": N_("Planifiée"), "due": N_("À faire"),
                 "waiting_approval": N_("En attente de validation"), "done": N_("Faite"),
                 "skipped": N_("Sautée"), "cancelled": N_("Annulée"), "failed": N_("Échouée")}
# How an action ended (agency.domain.actions: what people record, what the paths write).
ACTION_OUTCOME = {
    "letter_posted": N_("Lettre postée"), "notice_served": N_("Mise en demeure signifiée"),
    "notice_posted": N_("Mise en demeure envoyée en recommandé"), "visit_done": N_("Visite faite"),
    "debtor_absent": N_("Débiteur absent"), "meeting_held": N_("Rendez-vous tenu"),
    "suspension_confirmed": N_("Suspension confirmée"), "debtor_found": N_("Débiteur localisé"),
    "debtor_not_found": N_("Débiteur introuvable"), "file_lodged": N_("Requête déposée"),
    "handed_over": N_("Dossier transmis"), "rejected": N_("Refusée à la validation"),
    "withdrawn": N_("Retirée"), "case_closed": N_("Dossier clos"), "case_paid": N_("Dossier soldé"),
    "debtor_reached": N_("Débiteur joint"), "done": N_("Faite"), "paid": N_("Payé"),
    "refused": N_("Refus"), "impossible": N_("Impossible"),
}
# Where an open case stands (agency.services.case_standing): a reason to wait, or a stray.
CASE_STANDING = {
    "held": N_("Suspendu jusqu'à une date (dérogation)"),
    "next_action": N_("Prochaine action planifiée ou à faire"),
    "waiting_approval": N_("En attente d'une validation"),
    "waiting_messages": N_("SMS ou e-mail en attente du service des messages"),
    "waiting_letters": N_("Lettre en attente du service des courriers"),
    "paused_promise": N_("En pause : promesse de paiement en cours"),
    "paused_plan": N_("En pause : échéancier en cours"),
    "paused_dispute": N_("En pause : contestation ouverte"),
    "scheduled": N_("Prochaine étape de la procédure datée"),
    "enrolment_pending": N_("Engagement dans la procédure au prochain passage"),
    "engine_error": N_("Erreur de la procédure"),
    "playbook_finished": N_("Procédure terminée sans résultat"),
    "not_enrolled": N_("Sous aucune procédure"), "no_next_action": N_("Aucune prochaine action"),
}
ACCESS_CHANNEL = {"case_page": N_("Fiche dossier"), "search": N_("Liste ou recherche"), "api": N_("API"),
                  "portal": N_("Espace débiteur"), "export": N_("Export (droit d'accès)"),
                  "cli": N_("Ligne de commande")}
DISPUTE_RAISER = {"agent": N_("le gestionnaire"), "creditor": N_("le donneur d'ordre"),
                  "debtor": N_("le débiteur")}
PORTFOLIO_SOURCE = {"api": N_("API"), "backoffice": N_("Back-office"), "cli": N_("Ligne de commande"),
                    "portal": N_("Espace donneur d'ordre")}
# A creditor's contract (agency.domain.contract, agency.services.creditors).
ONBOARDING_GAP = {"mandate": N_("Mandat manquant"), "playbook": N_("Aucune procédure"),
                  "segments": N_("Segmentation manquante"), "users": N_("Aucun utilisateur"),
                  "token": N_("Aucun jeton d'API")}
JURISDICTION = {"fr": N_("France"), "ohada": N_("OHADA"), "ma": N_("Maroc")}
LETTER_LANGUAGE = {"fr": N_("Français"), "en": N_("Anglais")}
COMMISSION_PHASE = {"amicable": N_("Amiable"), "judicial": N_("Judiciaire")}
CONTRACT_CHANNEL = {"call": N_("Appels"), "sms": N_("SMS"), "email": N_("Emails"),
                    "letter": N_("Courriers")}
CREDITOR_DECISION = {
    "plan_outside_bounds": N_("Un échéancier hors des bornes"),
    "discount_beyond_limit": N_("Une remise au-delà de la limite"),
    "legal_action": N_("Une action en justice"),
    "suspend_service": N_("La suspension de son service au débiteur"),
}
AUTOMATION = {
    "open_investigation": N_("Ouvrir une enquête quand les courriers reviennent et qu'aucun canal ne reste"),
    "start_procedure": N_("Engager une procédure quand la phase amiable s'achève, pièces en main, au-delà d'un solde minimal"),
    "accept_plans": N_("Accepter les échéanciers jusqu'à N échéances"),
}
SEGMENT_BASIS = {"annual_billed": N_("Montant facturé annuel"), "balance": N_("Solde du dossier")}
CONTACT_VERDICT = {
    "mandate_missing": N_("Aucun mandat écrit n'est enregistré pour ce donneur d'ordre, soumis "
                          "au droit français (CPCE R124-3) : aucun appel, message ni courrier ne "
                          "part avant son enregistrement."),
    "mandate_missing_warning": N_("Aucun mandat écrit n'est enregistré pour ce donneur d'ordre : "
                                  "le contact reste possible hors de France, mais enregistrez-le."),
    "channel_not_allowed": N_("Ce canal n'est pas autorisé par le contrat du donneur d'ordre."),
}
SENDER_JOB = {"messages": N_("le service des messages"), "letters": N_("le service des courriers")}
APPROVAL_STATE = {"none": N_("Non requise"), "pending": N_("En attente"), "approved": N_("Validée"),
                  "rejected": N_("Refusée")}
CALL_OUTCOME = {"reached": N_("Joint"), "no_answer": N_("Pas de réponse"), "busy": N_("Occupé"),
                "voicemail": N_("Messagerie"), "wrong_number": N_("Faux numéro"), "refused": N_("Refus"),
                "promise": N_("Promesse de paiement"), "dispute": N_("Contestation"),
                "callback": N_("Rappel demandé"), "already_paid": N_("Dit avoir déjà payé")}
CALL_REASON = {"due_step": N_("Étape du plan"), "promised_callback": N_("Rappel promis"),
               "counter_call": N_("Contre-appel"), "promise_check": N_("Suivi de promesse")}
ASSIGNMENT_STRATEGY = {"round_robin": N_("Tour de rôle"),
                       "by_count": N_("Équilibre par nombre de dossiers"),
                       "by_balance": N_("Équilibre par encours"), "fixed": N_("Gestionnaire fixe")}
PARTNER_TASK_STATUS = {"sent": N_("envoyée"), "reported": N_("compte rendu reçu"),
                       "cancelled": N_("annulée")}
PARTNER_TASK_OUTCOME = {"done": N_("Mission réalisée"), "debtor_found": N_("Débiteur localisé"),
                        "debtor_not_found": N_("Débiteur introuvable"), "paid": N_("Paiement obtenu"),
                        "refused": N_("Refus du débiteur"), "impossible": N_("Mission impossible")}
MESSAGE_STATUS = {"queued": N_("En attente d'envoi"), "sending": N_("En cours d'envoi"),
                  "sent": N_("Envoyé"), "failed": N_("Échec"), "cancelled": N_("Annulé"),
                  "unknown": N_("Envoi à vérifier")}
CHANNEL = {"sms": N_("SMS"), "email": N_("Email")}
PROVIDER = {"outbox": N_("boîte d'envoi locale"), "smtp": N_("SMTP"), "twilio": N_("Twilio")}
CONTACT_STATUS = {"valid": N_("valide"), "wrong": N_("erroné"), "returned": N_("NPAI"),
                  "opted_out": N_("opposé")}
PORTFOLIO_STATUS = {"uploaded": N_("à vérifier"), "queued": N_("en attente"), "running": N_("en cours"),
                    "done": N_("terminé"), "refused": N_("refusé"), "failed": N_("interrompu")}
PROMISE_STATUS = {"open": N_("En cours"), "kept": N_("Tenue"), "broken": N_("Non tenue"),
                  "cancelled": N_("Annulée")}
PLAN_STATUS = {"proposed": N_("Proposé"), "active": N_("En vigueur"), "completed": N_("Terminé"),
               "broken": N_("Rompu"), "cancelled": N_("Annulé")}
DISPUTE_STATUS = {"open": N_("En cours"), "resolved": N_("Résolue"), "rejected": N_("Rejetée")}
ENGINE_STATE = {"active": N_("En cours"), "held": N_("Suspendu"), "finished": N_("Terminée"),
                "error": N_("En erreur"), "stopped": N_("Arrêtée")}
STEP_STATUS = {"pending": N_("En attente"), "done": N_("Faite"), "skipped": N_("Sautée"),
               "cancelled": N_("Annulée")}
SKIP_REASON = {"catch_up": N_("rattrapage après interruption"), "held": N_("dossier suspendu"),
               "condition_not_met": N_("condition non remplie"),
               "superseded": N_("remplacée par une étape plus récente")}
# The documents and messages a playbook step names (its ``template``).
TEMPLATE = {"payment-reminder": N_("Rappel de paiement"), "reminder-1": N_("Relance type 1"),
            "reminder-2": N_("Relance type 2"), "broken-promise": N_("Promesse non tenue"),
            "formal-notice": N_("Mise en demeure"), "overdue-summary": N_("Récapitulatif des impayés"),
            "payment-facilities": N_("Facilités de paiement")}
# Processes that act on their own (``Actor.system(process)``).
SYSTEM_ACTOR = {"tick": N_("Passage quotidien"), "cli": N_("Ligne de commande"),
                "intake": N_("Import de portefeuille")}

# Why a case's debtor is, or is not, in the call queue now: the contact rules' verdicts
# (agency.domain.contact_rules.Reason) and what the case itself stands at; %(day)s and
# %(when)s are filled in where the sentence is shown.
QUEUE_REASON = {
    "allowed": N_("Contact possible maintenant."),
    "opted_out": N_("Le débiteur s'est opposé à ce moyen de contact : il ne doit plus être utilisé."),
    "quiet_after_conversation": N_("Entretien téléphonique récent : pas de nouvel appel pendant au moins "
                                   "7 jours (jour de l'entretien compris), sauf rappel demandé par le débiteur."),
    "attempt_cap": N_("Nombre maximal de tentatives d'appel atteint sur les derniers jours."),
    "holiday": N_("Jour férié dans le pays du débiteur."),
    "rest_day": N_("Jour de repos dans le pays du débiteur."),
    "outside_window": N_("En dehors des heures de contact autorisées (heure locale du débiteur)."),
    "extended_window_not_eligible": N_("La plage du soir est réservée aux débiteurs qu'on n'a pas "
                                       "pu joindre plus tôt dans la journée."),
    "inconvenient_time": N_("Créneau signalé comme gênant par le débiteur ou le créancier."),
    "case_closed": N_("Dossier clos ou soldé."),
    "case_held": N_("Dossier suspendu jusqu'au %(day)s."),
    "no_call_planned": N_("Aucun appel prévu sur ce dossier."),
    "no_agent": N_("Aucun gestionnaire affecté au dossier."),
    "call_later": N_("Prochain appel prévu le %(when)s (heure locale du débiteur)."),
    "no_working_phone": N_("Aucun numéro de téléphone valide : une enquête est nécessaire."),
    "reached_by_colleague": N_("Débiteur déjà joint aujourd'hui par un collègue."),
}
NEXT_SLOT = N_("Prochain créneau possible : %(when)s (heure locale du débiteur).")
NO_SLOT = N_("Aucun créneau possible.")

# The audit trail: the fields its events name, and its verbs.
AUDIT_FIELD = {
    "phase": N_("Phase"), "status": N_("Statut"), "segment": N_("Segment"), "team_id": N_("Équipe"),
    "agent_id": N_("Gestionnaire"), "hold_until": N_("Suspendu jusqu'au"),
    "hold_reason": N_("Motif de la suspension"), "hold_approved_by": N_("Suspension accordée par"),
    "closed_at": N_("Clos le"), "amount_minor": N_("Montant"), "paid_minor": N_("Montant payé"),
    "promised_date": N_("Date promise"), "channel": N_("Canal"), "to": N_("Destinataire"),
    "address": N_("Adresse"), "kind": N_("Mission"), "partner_id": N_("Partenaire"),
    "outcome": N_("Résultat"), "document": N_("Document"), "step": N_("Étape"),
    "follow_ups": N_("Suites"), "approved_by": N_("Accordée par"),
    "absent_until": N_("Absent jusqu'au"), "filename": N_("Fichier"), "playbook": N_("Procédure"),
}
# Row ids an event keeps to link its rows: meaningless to a reader, not shown.
AUDIT_LINKS = ("entry_id", "reversed_entry_id", "task_id", "message_id", "call_id", "action_id",
               "promise_id", "portfolio_id")
AUDIT_VERB = {
    "case.created": N_("Dossier ouvert"), "case.changed": N_("Dossier modifié"),
    "case.held": N_("Dossier suspendu"), "debtor.held": N_("Débiteur suspendu"),
    "debtor.hold_lifted": N_("Suspension levée"), "contact.opted_out": N_("Opposition du débiteur"),
    "partner.task_sent": N_("Mission envoyée au partenaire"),
    "partner.task_reported": N_("Compte rendu du partenaire"), "agent.absence": N_("Absence"),
    "portfolio.received": N_("Portefeuille reçu"), "ledger.reversal": N_("Écriture annulée"),
    "promise.made": N_("Promesse de paiement"), "action.approved": N_("Action validée"),
    "action.rejected": N_("Action refusée"), "playbook.saved": N_("Procédure enregistrée"),
    "creditor.default_debtor_kind": N_("Type de débiteur par défaut modifié"),
    "user.deactivated": N_("Compte désactivé"), "user.reactivated": N_("Compte réactivé"),
    "user.locked": N_("Compte verrouillé après des échecs de connexion"),
    "user.password_changed": N_("Mot de passe changé"),
    "user.recovery_code_used": N_("Code de secours utilisé"),
    "user.signed_out": N_("Sessions fermées"),
    "user.two_factor_on": N_("Double authentification activée"),
    "user.two_factor_off": N_("Double authentification désactivée"),
    "audit.redacted": N_("Données personnelles retirées de l'historique"),
    "creditor.changed": N_("Donneur d'ordre modifié"),
    "creditor.mandate_recorded": N_("Mandat enregistré"),
    "creditor.terms_changed": N_("Conditions du contrat modifiées"),
    "privacy.exported": N_("Données du débiteur exportées (droit d'accès)"),
    "privacy.purged": N_("Données personnelles effacées (fin de conservation)"),
}
# Verbs written as ``<family>.<code>``: the family's name and the table of its codes.
AUDIT_VERB_FAMILIES = {"call": (N_("Appel"), CALL_OUTCOME), "ledger": (N_("Grand livre"), ENTRY_KIND),
                       "message": (N_("Message"), MESSAGE_STATUS),
                       "promise": (N_("Promesse"), PROMISE_STATUS),
                       "action": (N_("Action"), ACTION_STATUS)}

LABELS: dict[str, dict[str, str]] = {
    "role": ROLE, "team": TEAM, "playbook_team": PLAYBOOK_TEAM, "internal_role": INTERNAL_ROLE,
    "partner_kind": PARTNER_KIND, "approver_role": APPROVER_ROLE,
    "assignee_role": {**INTERNAL_ROLE, **PLAYBOOK_TEAM, **PARTNER_KIND, "agent": ROLE["agent"],
                      "investigator": PARTNER_KIND["investigator"]},
    "action_outcome": {**CALL_OUTCOME, **PARTNER_TASK_OUTCOME, **SKIP_REASON, **ACTION_OUTCOME},
    "case_standing": CASE_STANDING, "sender_job": SENDER_JOB, "access_channel": ACCESS_CHANNEL,
    "dispute_raiser": DISPUTE_RAISER, "portfolio_source": PORTFOLIO_SOURCE,
    "onboarding_gap": ONBOARDING_GAP, "jurisdiction": JURISDICTION, "letter_language": LETTER_LANGUAGE,
    "commission_phase": COMMISSION_PHASE, "contract_channel": CONTRACT_CHANNEL,
    "creditor_decision": CREDITOR_DECISION, "automation": AUTOMATION, "segment_basis": SEGMENT_BASIS,
    "contact_verdict": CONTACT_VERDICT, "approval_subject": {**ACTION_KIND, **CREDITOR_DECISION},
    "phase": PHASE, "case_status": CASE_STATUS, "claim_kind": CLAIM_KIND, "debtor_kind": DEBTOR_KIND,
    "entry_kind": ENTRY_KIND, "action_kind": ACTION_KIND, "action_status": ACTION_STATUS,
    "approval_state": APPROVAL_STATE, "call_outcome": CALL_OUTCOME, "call_reason": CALL_REASON,
    "assignment_strategy": ASSIGNMENT_STRATEGY, "partner_task_status": PARTNER_TASK_STATUS,
    "partner_task_outcome": PARTNER_TASK_OUTCOME, "message_status": MESSAGE_STATUS,
    "channel": CHANNEL, "provider": PROVIDER, "contact_status": CONTACT_STATUS,
    "portfolio_status": PORTFOLIO_STATUS, "promise_status": PROMISE_STATUS,
    "plan_status": PLAN_STATUS, "dispute_status": DISPUTE_STATUS, "engine_state": ENGINE_STATE,
    "step_status": STEP_STATUS, "skip_reason": SKIP_REASON, "template": TEMPLATE,
    "system_actor": SYSTEM_ACTOR, "audit_field": AUDIT_FIELD, "audit_verb": AUDIT_VERB,
    "queue_reason": QUEUE_REASON,
}


def humanise(code: str) -> str:
    """A readable form of a code no table names (a creditor's own template, say)."""
    words = code.replace("_", " ").replace("-", " ").replace(".", " ").split()
    return " ".join(words).capitalize() if words else code


def french(concept: str, code: str) -> str:
    """The French label of ``code``, for what is written in French whoever reads it."""
    return LABELS[concept].get(code) or humanise(code)
