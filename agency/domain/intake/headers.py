"""Canonical fields of a portfolio file and the French/English headers that name them.

Headers are compared folded (no accents, case or punctuation), without filler words
('de', 'du', 'la'...) and without a currency unit ('Montant (F CFA)' is 'montant').
A saved mapping (file header -> field, ``EXTRA`` or ``IGNORE``) wins over the guesses.
A column that is neither mapped nor recognised is kept as extra data on the claim.

How a claim is identified across imports (no claim reference column) is decided in
``agency.domain.intake.identity``.
"""
from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache

from agency.domain.intake.errors import MappingError, MissingColumnsError
from agency.domain.intake.vocab import fold

EXTRA = "extra"    # kept as extra data (header -> value) on the claim
IGNORE = "ignore"  # dropped on the user's explicit choice


@dataclass(frozen=True, slots=True)
class Field:
    name: str
    label: str          # French, for messages and the mapping screen
    required: bool = False
    multiple: bool = False  # several columns may feed it (phones, emails)


FIELDS = (
    Field("case_ref", "référence du dossier"),
    Field("claim_ref", "référence de la créance"),
    Field("claim_kind", "nature de la créance"),
    Field("debtor_name", "nom du débiteur", required=True),
    Field("debtor_first_name", "prénom du débiteur"),
    Field("debtor_kind", "type de débiteur"),
    Field("national_id", "pièce d'identité"),
    Field("company_id", "identifiant d'entreprise"),
    Field("phone", "téléphone", multiple=True),
    Field("email", "email", multiple=True),
    Field("address", "adresse"),
    Field("postal_code", "code postal"),
    Field("city", "ville"),
    Field("country", "pays"),
    Field("amount", "montant", required=True),
    Field("currency", "devise"),
    Field("issue_date", "date de facture"),
    Field("deposit_date", "date de dépôt"),
    Field("due_date", "date d'échéance"),
    Field("annual_billed", "montant facturé annuel"),
)
FIELD_BY_NAME = {field.name: field for field in FIELDS}

SYNONYMS: dict[str, tuple[str, ...]] = {
    "case_ref": ("dossier", "n° dossier", "numéro de dossier", "num dossier", "réf dossier",
                 "référence dossier", "id dossier", "code dossier", "case", "case ref",
                 "case reference", "case number", "case id", "file number", "file ref",
                 "n° client", "numéro client", "code client", "id client", "référence client",
                 "customer id", "customer number", "account number"),
    "claim_ref": ("référence", "réf", "ref", "n° facture", "numéro de facture", "num facture",
                  "facture", "réf facture", "référence facture", "invoice", "invoice number",
                  "invoice no", "invoice ref", "invoice id", "claim ref", "claim reference",
                  "claim id", "n° créance", "référence créance", "numéro créance", "n° effet",
                  "numéro effet", "référence effet", "reference"),
    "claim_kind": ("type", "nature", "type de créance", "nature de la créance", "type créance",
                   "claim type", "kind", "type de dette"),
    "debtor_name": ("garant", "nom garant", "débiteur", "nom débiteur", "nom du débiteur", "nom",
                    "raison sociale", "nom ou raison sociale", "nom et prénom", "nom prénom",
                    "nom et prénoms", "nom prénoms", "nom complet", "client", "nom client",
                    "assureur", "employeur", "entreprise", "société", "dénomination",
                    "dénomination sociale", "payeur", "tiers", "organisme", "name", "full name",
                    "debtor", "debtor name", "company", "company name", "customer",
                    "customer name", "guarantor"),
    "debtor_first_name": ("prénom", "prénoms", "first name", "firstname", "given name"),
    "debtor_kind": ("type débiteur", "type de débiteur", "catégorie débiteur", "nature débiteur",
                    "type de personne", "personne", "debtor type", "debtor kind", "party type"),
    "national_id": ("cin", "cni", "n° cin", "n° cni", "numéro cni", "n° pièce", "numéro de pièce",
                    "pièce d'identité", "n° pièce d'identité", "numéro de pièce d'identité",
                    "carte d'identité", "national id", "id number", "identity number",
                    "passeport", "passport", "n° passeport", "nin"),
    "company_id": ("ninea", "n° ninea", "rc", "n° rc", "rccm", "n° rccm", "registre de commerce",
                   "ice", "n° ice", "siren", "siret", "n° siren", "n° siret", "ifu", "n° ifu",
                   "nif", "identifiant fiscal", "matricule fiscal", "company id",
                   "company number", "registration number", "tax id"),
    "phone": ("téléphone", "tél", "tel", "téléphone mobile", "tél mobile", "mobile", "portable",
              "gsm", "cellulaire", "tél fixe", "téléphone fixe", "fixe", "tél bureau",
              "téléphone bureau", "contact téléphonique", "n° téléphone", "n° tél",
              "numéro de téléphone", "phone", "phone number", "telephone", "mobile phone",
              "cell", "cell phone", "whatsapp"),
    "email": ("email", "e-mail", "mail", "courriel", "adresse email", "adresse e-mail",
              "adresse mail", "adresse électronique", "email address"),
    "address": ("adresse", "adresse postale", "adresse complète", "address", "street", "rue",
                "domicile", "siège", "adresse du siège"),
    "postal_code": ("code postal", "cp", "postal code", "zip", "zip code"),
    "city": ("ville", "city", "localité", "commune", "town"),
    "country": ("pays", "country", "code pays", "country code"),
    "amount": ("montant", "montant facture", "montant de la facture", "montant dû", "montant ttc",
               "montant impayé", "montant créance", "montant de la créance", "montant restant",
               "montant restant dû", "reste à payer", "reste dû", "solde", "solde dû",
               "solde impayé", "somme", "somme due", "impayé", "impayés", "encours",
               "mensualité", "montant échéance", "montant mensuel", "montant cotisation",
               "montant effet", "total dû", "amount", "amount due", "balance", "outstanding",
               "outstanding amount"),
    "currency": ("devise", "currency", "monnaie", "ccy", "code devise"),
    "issue_date": ("date facture", "date de facture", "date de la facture", "date d'émission",
                   "date émission", "date", "issue date", "invoice date"),
    "deposit_date": ("date de dépôt", "date dépôt", "dépôt", "date dépôt facture",
                     "date de dépôt de la facture", "date de réception", "date réception",
                     "date de transmission", "date d'envoi", "deposit date"),
    "due_date": ("date d'échéance", "échéance", "date échéance", "due date", "due", "date limite",
                 "date limite de paiement", "date d'exigibilité", "exigibilité",
                 "payment due date"),
    "annual_billed": ("ca annuel", "ca", "chiffre d'affaires", "chiffre d'affaires annuel",
                      "montant facturé annuel", "montant annuel facturé", "facturation annuelle",
                      "total facturé annuel", "annual billed", "annual billing",
                      "annual billed amount", "annual revenue"),
}

_FILLERS = frozenset({"de", "du", "des", "d", "la", "le", "les", "l", "a", "au", "aux", "en",
                      "the", "of", "in"})
_UNITS = frozenset({"xof", "fcfa", "cfa", "f", "frs", "mad", "dh", "dhs", "eur", "euro", "euros",
                    "usd", "dollars"})
# Spellings of one word: 'N°', 'No', 'Num', 'Numéro' and 'number' all say number.
_SAME_WORD = {"no": "n", "num": "n", "numero": "n", "nr": "n", "nro": "n", "number": "n",
              "reference": "ref", "references": "ref", "telephone": "tel", "telephones": "tel"}
_TRAILING_NUMBER = re.compile(r"(?<=[a-z])(?=[0-9]+$)")


def normalise_header(text: str) -> str:
    """The comparable form of a header: 'Montant dû (F CFA)' -> 'montant', 'N° dossier' and
    'Numéro de dossier' -> 'n dossier'."""
    words = _TRAILING_NUMBER.sub(" ", fold(text)).split()
    kept = [_SAME_WORD.get(word, word) for word in words if word not in _FILLERS]
    without_units = [word for word in kept if word not in _UNITS]
    return " ".join(without_units or kept)


def _build_index() -> dict[str, str]:
    index: dict[str, str] = {}
    for field, synonyms in SYNONYMS.items():
        for synonym in synonyms:
            index.setdefault(normalise_header(synonym), field)
    return index


_INDEX = _build_index()


@lru_cache(maxsize=4096)
def guess_field(header: str) -> str | None:
    """The canonical field a header names ('N° dossier' -> 'case_ref'), else None.
    A canonical name names itself, so API payloads keyed by field map directly."""
    if header in FIELD_BY_NAME:
        return header
    key = normalise_header(header)
    if key in _INDEX:
        return _INDEX[key]
    words = key.split()
    if len(words) > 1 and words[-1].isdigit():  # 'Téléphone 2', 'Tel1'
        return _INDEX.get(" ".join(words[:-1]))
    return None


@dataclass(frozen=True, slots=True)
class Column:
    """One column of the file: its position, its header (unique label) and its use."""

    index: int
    header: str
    field: str  # a canonical field name, EXTRA or IGNORE


@dataclass(frozen=True, slots=True)
class ColumnMap:
    """How each column of a file is read; ``notes`` explain guesses set aside (French)."""

    columns: tuple[Column, ...]
    notes: tuple[str, ...] = ()

    def for_field(self, field: str) -> tuple[Column, ...]:
        """The columns feeding ``field`` (several only for phones and emails)."""
        return tuple(column for column in self.columns if column.field == field)

    def has(self, field: str) -> bool:
        return any(column.field == field for column in self.columns)

    def missing(self) -> tuple[str, ...]:
        """Required fields no column feeds."""
        return tuple(f.name for f in FIELDS if f.required and not self.has(f.name))

    def as_mapping(self) -> dict[str, str]:
        """header -> field, to save for the creditor and pass back next time."""
        return {column.header: column.field for column in self.columns}


def _labels(header: Sequence[str]) -> list[str]:
    """Unique display labels: blank headers become 'Colonne N', repeats get ' (2)'."""
    labels: list[str] = []
    seen: dict[str, int] = {}
    for position, text in enumerate(header, start=1):
        label = " ".join(str(text or "").split()) or f"Colonne {position}"
        seen[label] = seen.get(label, 0) + 1
        labels.append(label if seen[label] == 1 else f"{label} ({seen[label]})")
    return labels


def _saved_field(label: str, saved: Mapping[str, str], folded: Mapping[str, str]) -> str | None:
    field = saved.get(label) or folded.get(normalise_header(label))
    if field is not None and field not in FIELD_BY_NAME and field not in (EXTRA, IGNORE):
        raise MappingError(f"Correspondance enregistrée invalide : « {label} » -> « {field} »")
    return field


def guess_columns(header: Sequence[str], saved: Mapping[str, str] | None = None) -> ColumnMap:
    """Map each column to a field: the saved mapping first, then the synonyms; never raises
    for missing columns (the mapping screen shows what is there)."""
    saved = dict(saved or {})
    folded = {normalise_header(text): field for text, field in saved.items()}
    labels = _labels(header)
    chosen = [_saved_field(label, saved, folded) for label in labels]
    _refuse_saved_duplicates(labels, chosen)
    taken = {field for field in chosen if field}
    notes: list[str] = []
    for position, label in enumerate(labels):
        if chosen[position] is not None:
            continue
        guess = guess_field(label)
        spec = FIELD_BY_NAME.get(guess or "")
        if spec is not None and (spec.multiple or guess not in taken):
            chosen[position] = guess
            taken.add(guess)
            continue
        if spec is not None:
            notes.append(f"La colonne « {label} » ressemble aussi à « {spec.label} » : "
                         "elle est gardée en donnée annexe.")
        chosen[position] = EXTRA
    columns = tuple(Column(i, label, field) for i, (label, field) in enumerate(zip(labels, chosen)))
    return ColumnMap(columns, tuple(notes))


def _refuse_saved_duplicates(labels: Sequence[str], chosen: Sequence[str | None]) -> None:
    seen: dict[str, str] = {}
    for label, field in zip(labels, chosen):
        spec = FIELD_BY_NAME.get(field or "")
        if spec is None or spec.multiple:
            continue
        if field in seen:
            raise MappingError(f"Les colonnes « {seen[field]} » et « {label} » sont toutes deux "
                               f"associées à « {spec.label} »")
        seen[field] = label


def map_columns(header: Sequence[str], saved: Mapping[str, str] | None = None) -> ColumnMap:
    """``guess_columns``, then raise MissingColumnsError if a required field has no column."""
    column_map = guess_columns(header, saved)
    missing = column_map.missing()
    if missing:
        names = ", ".join(FIELD_BY_NAME[name].label for name in missing)
        raise MissingColumnsError(f"Colonnes obligatoires absentes : {names}.", missing)
    return column_map


def header_score(cells: Sequence[str], saved: Mapping[str, str] | None = None) -> int:
    """How many cells of a row are known headers (synonyms or saved mapping keys)."""
    saved_keys = {normalise_header(text) for text in (saved or {})}
    return sum(1 for cell in cells
               if cell and (guess_field(cell) or normalise_header(cell) in saved_keys))
