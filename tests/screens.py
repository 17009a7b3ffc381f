"""Reading pages as a user does: the text a screen shows, the forms it posts, and the raw
codes that must never be part of that text."""
from __future__ import annotations

import ast
import enum
import importlib
import pkgutil
import re
from html.parser import HTMLParser
from pathlib import Path

import agency.domain
import agency.models
import agency.security
import agency.services

# Constants whose values never reach a screen as such (SQL, file parsing, playbook syntax,
# counters shown under their own column headings, subsets of a labelled constant...).
NOT_SHOWN = {
    "agency.domain.labels.AUDIT_LINKS",  # row ids audit events keep, never shown
    "agency.domain.intake.csvfile.DELIMITERS", "agency.domain.intake.names.LEGAL_FORMS",
    "agency.domain.intake.names.ORGANISATION_WORDS",  # words read in names, never written
    "agency.domain.playbook.model.UNITS", "agency.domain.playbook.model.CLAIM_REFERENCES",
    "agency.domain.playbook.model.REFERENCES", "agency.domain.playbook.model.CATCH_UP_POLICIES",
    "agency.domain.playbook.model.RESUME_POLICIES", "agency.domain.playbook.case.PAUSE_KINDS",
    "agency.domain.playbook.parse.PLAYBOOK_KEYS", "agency.domain.playbook.parse.STEP_KEYS",
    "agency.domain.playbook.parse.WHEN_KEYS", "agency.domain.playbook.parse.CONDITION_KEYS",
    "agency.domain.playbook.parse.ACTION_KEYS", "agency.domain.segments.BASES",
    "agency.domain.accounts.INTERNAL_SUFFIXES",  # email domains, never shown as codes
    "agency.domain.accounts.PASSWORD_REASONS",  # each reason is shown as its own sentence
    "agency.models.portfolio.COUNTERS", "agency.models.portfolio.REPORT_LEVELS",
    "agency.services.accounts.sessions.ENDINGS",  # why a session ended: kept, not shown
    "agency.services.engine.daily.CREDITOR_COUNTS", "agency.services.engine.sql.TEMP_TABLES",
    "agency.services.intake.sql.STAGE_TABLES", "agency.services.intake.sql.GROWN_TABLES",
    "agency.services.intake.stage.ROW_COLUMNS", "agency.services.intake.stage.CASE_COLUMNS",
    "agency.services.intake.stage.DEBTOR_COLUMNS", "agency.services.intake.stage.CONTACT_COLUMNS",
    "agency.domain.retention.JURISDICTIONS", "agency.domain.retention.OHADA_COUNTRIES",
    "agency.models.audit.AUDIT_REDACTABLE", "agency.services.privacy.export.EXPORT_FORMATS",
    "agency.services.privacy.redaction.PERSONAL_KEYS",  # column names the purge redacts
    # a contract's field names and file keys, read from files and forms, never shown as codes
    "agency.domain.contract.identity.EDITABLE_FIELDS", "agency.domain.contract.identity.IDENTITY_FIELDS",
    "agency.domain.contract.mandate.MANDATE_FIELDS", "agency.domain.contract.reading.PLAN_FIELDS",
    "agency.domain.contract.reading.TERMS_FIELDS", "agency.domain.playbook.parse.BAND_KEYS",
    "agency.domain.playbook.parse.SEGMENT_RULE_KEYS",
}

# Codes that are also ordinary French words: on a French page they may be the word itself.
FRENCH_TOO = frozenset({"admin", "agent", "direction", "email", "sms", "contribution", "cheque",
                        "investigation", "commercial", "active", "impossible", "dispute", "promise",
                        "phase", "segment", "segments", "messages", "export", "en"})

AUDIT_FAMILIES = ("case", "ledger", "call", "message", "promise", "partner", "debtor", "contact",
                  "action", "agent", "portfolio", "playbook")


def _modules():
    yield agency.security
    for package in (agency.models, agency.domain, agency.services):
        yield package
        for info in pkgutil.walk_packages(package.__path__, package.__name__ + "."):
            yield importlib.import_module(info.name)


def _defined_names(module) -> set[str]:
    """The upper-case names a module assigns or classes it defines at its top level."""
    tree = ast.parse(Path(module.__file__).read_text(encoding="utf-8"))
    names = set()
    for node in tree.body:
        targets = (node.targets if isinstance(node, ast.Assign) else
                   [node.target] if isinstance(node, ast.AnnAssign) else [])
        names.update(t.id for t in targets if isinstance(t, ast.Name))
        if isinstance(node, ast.ClassDef):
            names.add(node.name)
    return names


def code_constants() -> dict[str, tuple[str, ...]]:
    """Every constant set of codes in models, security, domain and services, by its owner
    ("module.NAME"): tuples and frozensets of strings, and string enums."""
    found = {}
    for module in _modules():
        for name in _defined_names(module) - {n for n in _defined_names(module) if n.startswith("_")}:
            value = getattr(module, name, None)
            if isinstance(value, type) and issubclass(value, enum.StrEnum):
                found[f"{module.__name__}.{name}"] = tuple(member.value for member in value)
            elif (name.isupper() and isinstance(value, (tuple, frozenset)) and value
                  and all(isinstance(v, str) for v in value)):
                found[f"{module.__name__}.{name}"] = tuple(sorted(value))
    return found


def shown_constants() -> dict[str, tuple[str, ...]]:
    return {name: values for name, values in code_constants().items() if name not in NOT_SHOWN}


class _Page(HTMLParser):
    """The text a reader sees (no scripts, styles, attribute values or form field contents,
    nor text marked as another language than the page's, such as a diagnostic quoted as the
    system wrote it) and the forms that post, with whether each carries a CSRF token."""

    HIDDEN = {"script", "style", "textarea"}
    INLINE = {"a", "abbr", "b", "code", "em", "i", "small", "span", "strong", "sub", "sup"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.chunks: list[str] = []
        self.hidden = 0
        self.forms: list[dict] = []
        self.open_form: dict | None = None
        self.page_lang: str | None = None
        self.foreign: list[str] = []  # the open elements marked in another language

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "html":
            self.page_lang = attributes.get("lang")
        elif self.foreign and tag == self.foreign[0] or attributes.get("lang") not in (None, self.page_lang):
            self.foreign.append(tag)
        if tag in self.HIDDEN:
            self.hidden += 1
        elif tag == "form":
            self.open_form = {"method": (attributes.get("method") or "get").lower(),
                              "action": attributes.get("action"), "token": False}
            self.forms.append(self.open_form)
        elif tag == "input" and self.open_form is not None and (attributes.get("name") or "").endswith("csrf_token") \
                and attributes.get("type") == "hidden" and attributes.get("value"):
            self.open_form["token"] = True
        if tag not in self.INLINE:
            self.chunks.append(" ")

    def handle_endtag(self, tag):
        if self.foreign and tag == self.foreign[-1]:
            self.foreign.pop()
        if tag in self.HIDDEN:
            self.hidden = max(0, self.hidden - 1)
        elif tag == "form":
            self.open_form = None
        if tag not in self.INLINE:
            self.chunks.append(" ")

    def handle_data(self, data):
        if not self.hidden and not self.foreign:
            self.chunks.append(data)


def read_page(html: str) -> tuple[str, list[dict]]:
    """(visible text with whitespace collapsed, forms)."""
    page = _Page()
    page.feed(html)
    page.close()
    return " ".join("".join(page.chunks).split()), page.forms


def forms_without_token(html: str) -> list[str]:
    return [form["action"] or "(this page)" for form in read_page(html)[1]
            if form["method"] == "post" and not form["token"]]


class CodeDetector:
    """Finds known codes in a page's text, as whole codes: ``team_lead``, ``reminder-1``,
    ``call.no_answer``; plain English words (``queued``, ``sent``) only on French pages."""

    def __init__(self, codes: set[str], english_words: set[str]):
        self.codes = sorted(codes, key=len, reverse=True)
        self.english_words = sorted(english_words, key=len, reverse=True)

    @staticmethod
    def _pattern(words) -> re.Pattern | None:
        if not words:
            return None
        return re.compile(r"(?<![\w@./-])(?:" + "|".join(map(re.escape, words)) + r")(?![\w-]|\.\w)")

    def find(self, text: str, locale: str) -> dict[str, str]:
        """code -> the text around its first occurrence."""
        words = self.codes + (self.english_words if locale == "fr" else [])
        verbs = re.compile(r"(?<![\w@./-])(?:" + "|".join(AUDIT_FAMILIES) + r")\.[a-z_]+(?![\w-])")
        found = {}
        for pattern in (self._pattern(words), verbs):
            for match in pattern.finditer(text):
                found.setdefault(match.group(0), text[max(0, match.start() - 60): match.end() + 60])
        return found


def detector(playbooks, column_names) -> CodeDetector:
    """The codes users must never read: every shown constant's values with an underscore,
    the playbooks' step and template codes, the tables' column names; and, on French pages,
    the shown constants' plain English words."""
    codes, english = set(), set()
    for values in shown_constants().values():
        for value in values:
            if "_" in value:
                codes.add(value)
            elif value.isalpha() and value.islower() and value not in FRENCH_TOO:
                english.add(value)
    for playbook in playbooks:
        for step in playbook.steps:
            codes.add(step.code)
            codes.update(action.template for action in step.actions if action.template)
    codes.update(name for name in column_names if "_" in name)
    return CodeDetector(codes, english)


def data_text(session) -> str:
    """Every text the database holds (names, titles, notes, messages...): French written by
    people or sent as such, which an English page shows as it is."""
    from sqlalchemy import String, Text, select

    from agency.extensions import db
    chunks = []
    for table in db.metadata.sorted_tables:
        for column in table.columns:
            if isinstance(column.type, (String, Text)):
                chunks += [v for v in session.scalars(select(column).distinct()) if v]
    return "\n".join(chunks)


def french_left(labels: dict[str, str], data: str) -> re.Pattern | None:
    """The French labels (label -> its English) an English page must not show: those whose
    English differs, unless the data itself holds them (a playbook step titled "Mise en demeure")."""
    kept = [french for french, english in labels.items() if english != french
            and not re.search(rf"(?<!\w){re.escape(french)}(?!\w)", data)]
    if not kept:
        return None
    return re.compile(r"(?<!\w)(?:" + "|".join(map(re.escape, sorted(kept, key=len, reverse=True))) + r")(?!\w)")
