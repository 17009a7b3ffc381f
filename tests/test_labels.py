"""One place names every code users see (agency.domain.labels), in French and in English."""
import re
from pathlib import Path

from babel.messages.pofile import read_po
from flask_babel import force_locale

from agency.domain.labels import AUDIT_VERB, AUDIT_VERB_FAMILIES, LABELS, french
from agency.domain.playbook import load_builtin
from agency.domain.playbook.io import builtin_names
from agency.web.labels import action_name, label, step_name, verb_label
from tests.screens import NOT_SHOWN, code_constants, shown_constants

ROOT = Path(__file__).resolve().parent.parent
VERBS = re.compile(r'verb=f?"([a-z_]+)\.([^"]+)"|_event\([^)]*?"([a-z_]+)\.([a-z_]+)"')
SQL_VERBS = re.compile(r"'([a-z_]+)\.' \|\|")  # SQL: 'ledger.' || le.kind


def verbs_written() -> set[tuple[str, str]]:
    """(family, code) of every audit verb the code writes; code '*' where it varies."""
    found = set()
    for path in (ROOT / "agency").rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        for match in VERBS.finditer(text):
            family, code = match.group(1) or match.group(3), match.group(2) or match.group(4)
            found.add((family, "*" if "{" in code else code))
        found.update((family, "*") for family in SQL_VERBS.findall(text))
    return found


def test_every_code_of_every_shown_constant_has_its_label():
    """A constant naming codes is labelled as a whole by one concept, or declared not shown
    (tests.screens.NOT_SHOWN): a code added to it cannot reach a screen unlabelled."""
    unlabelled = {name: values for name, values in shown_constants().items()
                  if not any(set(values) <= set(table) for table in LABELS.values())}
    assert unlabelled == {}


def test_the_constants_declared_not_shown_exist():
    assert NOT_SHOWN - set(code_constants()) == set()


def test_every_template_of_the_builtin_playbooks_has_its_name():
    templates = {action.template for name in builtin_names() for step in load_builtin(name).steps
                 for action in step.actions if action.template}
    assert templates and templates <= set(LABELS["template"])


def test_every_audit_verb_written_has_its_label():
    written = verbs_written()
    assert {family for family, _ in written} >= {"case", "ledger", "call", "message", "action"}
    for family, code in written:
        if code == "*":
            assert family in AUDIT_VERB_FAMILIES, family
        else:
            assert f"{family}.{code}" in AUDIT_VERB or code in AUDIT_VERB_FAMILIES.get(family, ("", {}))[1], \
                f"{family}.{code}"


def test_every_label_has_its_english():
    with (ROOT / "agency/translations/en/LC_MESSAGES/messages.po").open("rb") as handle:
        english = {m.id: m.string for m in read_po(handle) if m.id}
    french_labels = {text for table in LABELS.values() for text in table.values()}
    french_labels |= {name for name, _table in AUDIT_VERB_FAMILIES.values()}
    assert sorted(text for text in french_labels if not english.get(text)) == []


def test_labels_read_in_the_readers_language(app):
    with app.test_request_context():
        with force_locale("fr"):
            assert label("partner_kind", "home_visit") == "Visite à domicile"
            assert label("role", "team_lead") == "Chef d'équipe"
            assert verb_label("call.no_answer") == "Appel : pas de réponse"
            assert verb_label("action.approved") == "Action validée"
            assert verb_label("message.sent") == "Message : envoyé"
            assert action_name("letter", "reminder-1") == "Lettre · Relance type 1"
            assert action_name("formal_notice", "formal-notice") == "Mise en demeure"
        with force_locale("en"):
            assert label("partner_kind", "home_visit") == "Home visit"
            assert label("claim_kind", "bill_of_exchange") == "Bill of exchange"
            assert verb_label("call.no_answer") == "Call: no answer"
            assert verb_label("ledger.claim") == "Ledger: claim"
            assert label("message_status", "queued") == "Queued"


def test_an_unknown_code_is_humanised_never_shown_raw(app):
    with app.test_request_context():
        assert label("template", "relance_huissier-2") == "Relance huissier 2"
        assert label("phase", None) == "—"
        assert verb_label("case.reopened") == "Case reopened"
        assert step_name(None, "w08-call") == "W08 call"
        assert step_name("Appel à 8 semaines", "w08-call") == "Appel à 8 semaines"


def test_french_documents_read_the_french_label():
    assert french("partner_kind", "home_visit") == "Visite à domicile"
    assert french("claim_kind", "a_new_kind") == "A new kind"
