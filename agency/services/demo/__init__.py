"""Demo data shaped like the agency's real creditors (see shared DOMAIN.md).

Loading twice changes nothing: the demo is loaded once, as a whole, or not at all.
"""
from __future__ import annotations

import csv
import random
from collections.abc import Mapping
from datetime import date, timedelta
from importlib import resources

from sqlalchemy import select
from sqlalchemy.orm import Session

from agency.domain.money import Money
from agency.models import Creditor, Partner, Team, User
from agency.security import new_password
from agency.services.audit import current_scope
from agency.services.cases import ClaimInput, open_case
from agency.services.creditors.mandates import record_mandate
from agency.services.creditors.onboarding import take_on_creditor
from agency.services.creditors.terms import terms_in_force
from agency.services.debtors import AddressInput, DebtorInput, create_debtor
from agency.services.directory import create_user, ensure_teams
from agency.services.demo.engine import seed_engine_demo

STAFF = [  # email, role, team, name, pair_with
    ("admin@recouvra.demo", "admin", None, "Admin Recouvra", None),
    ("direction@recouvra.demo", "direction", None, "Aïssatou Ba", None),
    ("chef.amiable@recouvra.demo", "team_lead", "amicable", "Ibrahima Fall", None),
    ("awa.diop@recouvra.demo", "agent", "amicable", "Awa Diop", None),
    ("moussa.ndiaye@recouvra.demo", "agent", "amicable", "Moussa Ndiaye", "awa.diop@recouvra.demo"),
    ("karim.benali@recouvra.demo", "agent", "amicable", "Karim Benali", None),
    ("salma.idrissi@recouvra.demo", "agent", "amicable", "Salma Idrissi", "karim.benali@recouvra.demo"),
    ("chef.judiciaire@recouvra.demo", "team_lead", "judicial", "Mamadou Sy", None),
    ("fatou.sarr@recouvra.demo", "agent", "judicial", "Fatou Sarr", None),
    ("paul.ouedraogo@recouvra.demo", "agent", "judicial", "Paul Ouédraogo", "fatou.sarr@recouvra.demo"),
    ("chef.injonction@recouvra.demo", "team_lead", "injunction", "Nadia Alaoui", None),
]
CREDITOR_USERS = [("clinique@client.demo", "CLINIQUE", "Service recouvrement clinique"),
                  ("cnss@client.demo", "CNSS", "Direction du recouvrement CNSS"),
                  ("sobca@client.demo", "SOBCA", "Service contentieux SO.B.C.A.")]
DEMO_LOGINS = tuple([(email, role) for email, role, *_ in STAFF]
                    + [(email, "creditor") for email, *_ in CREDITOR_USERS])  # (email, role)


def load_demo(session: Session, password: str | None = None,
              passwords: Mapping[str, str] | None = None) -> dict:
    """Load the demo once; returns the logins created (empty when already loaded).

    Each login gets ``password``, else its own in ``passwords`` (by email), else a new one.
    """
    if session.scalar(select(Creditor.id).where(Creditor.code == "CLINIQUE")):
        return {"created": False, "logins": []}
    rng = random.Random(2026)
    today = current_scope(session).now.date()
    ensure_teams(session)
    chosen = {email: password or (passwords or {}).get(email) or new_password()
              for email, _ in DEMO_LOGINS}
    logins = _staff(session, chosen)
    agents = _amicable_agents(session)
    creditors = _creditors(session, today)
    logins += _creditor_users(session, chosen)
    _partners(session)
    cases = (_clinic_cases(session, creditors["CLINIQUE"], rng, today)
             + _fund_cases(session, creditors["CNSS"], rng, today)
             + _lender_cases(session, creditors["SOBCA"], rng, today))
    team = ensure_teams(session)["amicable"]
    for index, case in enumerate(cases):
        case.team_id, case.agent_id = team.id, agents[index % len(agents)].id
    session.flush()
    # Each creditor on its playbook, and a first daily pass: the demo opens with the
    # calls, letters and approvals its cases are due for.
    engine = seed_engine_demo(session, current_scope(session).now)
    return {"created": True, "logins": logins, "cases": len(cases),
            "actions_created": engine["actions_created"],
            "waiting_approval": engine["waiting_approval"]}


def _staff(session: Session, passwords: Mapping[str, str]) -> list[dict]:
    logins = []
    for email, role, team, name, pair_with in STAFF:
        secret = passwords[email]
        create_user(session, email=email, role=role, team=team, name=name, password=secret,
                    pair_with=pair_with)
        logins.append({"email": email, "role": role, "password": secret})
    return logins


def _creditor_users(session: Session, passwords: Mapping[str, str]) -> list[dict]:
    logins = []
    for email, code, name in CREDITOR_USERS:
        secret = passwords[email]
        create_user(session, email=email, role="creditor", creditor=code, name=name, password=secret)
        logins.append({"email": email, "role": "creditor", "password": secret})
    return logins


def _amicable_agents(session: Session):
    return list(session.scalars(select(User).join(Team, User.team_id == Team.id).where(
        Team.code == "amicable", User.role == "agent").order_by(User.id)))


# Each demo creditor as the agency took it on: its terms, through the creditors' service,
# and its written mandate. SO.B.C.A. lends in XOF and runs the bank playbook, whose
# amounts are MAD: 1 MAD is about 60 F CFA (both tied to the euro); the direction reviews
# the converted thresholds.
DEMO_CREDITORS = (
    dict(code="CLINIQUE", name="Clinique de la Madeleine", country="SN", currency="XOF",
         playbook="clinic-po02", jurisdiction="ohada", address="Avenue Cheikh Anta Diop, Dakar",
         terms={"commission_rate": "10 %", "approvals": {"letters": "direction"},
                "payment_term_days": 30, "automations": {"open_investigation": True}}),
    dict(code="CNSS", name="Caisse nationale de sécurité sociale", country="MA", currency="MAD",
         playbook="public-fund-monthly", jurisdiction="ma",
         address="649 boulevard Mohammed V, Casablanca",
         terms={"commission_rate": "8 %", "commission_cap": "30 000,00", "payment_term_days": 30,
                "plan": {"max_instalments": 12, "min_instalment": "5 000", "max_months": 12}}),
    dict(code="SOBCA", name="SO.B.C.A. crédit", country="BF", currency="XOF",
         playbook="bank-amicable-3", jurisdiction="ohada", address="Avenue Kwame Nkrumah, Ouagadougou",
         terms={"commission_rate": "12 %", "payment_term_days": 0, "playbook_rate": "60",
                "plan": {"max_instalments": 6, "min_instalment": "25 000", "max_months": 6,
                         "days": [5, 20]}}),
)
DEMO_MANDATES = {
    "CLINIQUE": {"reference": "MDT-2026-014", "signed_on": date(2026, 1, 15),
                 "basis": "Factures de soins impayées des garants (assureurs, mutuelles, entreprises)",
                 "fees": "10 % des sommes recouvrées", "remittance_method": "Virement mensuel"},
    "CNSS": {"reference": "CNSS-AO-2024-17", "signed_on": date(2024, 6, 1),
             "basis": "Cotisations sociales impayées des employeurs (listes mensuelles)",
             "fees": "8 % des sommes recouvrées, plafonné à 30 000,00 MAD par dossier",
             "remittance_method": "Virement sur le compte de recouvrement de la Caisse"},
    "SOBCA": {"reference": "SOBCA-2025-03", "signed_on": date(2025, 3, 1),
              "basis": "Effets et échéances de prêts impayés", "fees": "12 % des sommes recouvrées",
              "remittance_method": "Virement mensuel"},
}


def _creditors(session: Session, today: date) -> dict[str, Creditor]:
    creditors = {}
    for spec in DEMO_CREDITORS:
        creditor, _ = take_on_creditor(session, **spec)
        mandate = DEMO_MANDATES[creditor.code]
        record_mandate(session, creditor, mandate | {"signed_on": min(mandate["signed_on"], today)},
                       folder=None)
        creditors[creditor.code] = creditor
    return creditors


def _partners(session: Session) -> None:
    for kind, name, email, country in (
            ("bailiff", "Me Ndeye Diagne, commissaire de justice", "etude.diagne@partenaire.demo", "SN"),
            ("home_visit", "Visites Dakar Plateau", "visites@partenaire.demo", "SN"),
            ("investigator", "Enquêtes Sahel", "enquetes@partenaire.demo", "BF"),
            ("lawyer", "Cabinet Benjelloun", "contact@benjelloun.demo", "MA"),
            ("correspondent", "Recouvrement Europe SAS", "desk@correspondant.demo", "FR")):
        session.add(Partner(kind=kind, name=name, email=email, country=country))


def _clinic_cases(session: Session, clinic: Creditor, rng: random.Random, today: date) -> list:
    text = resources.files("agency.services.demo").joinpath("data", "clinic_guarantors.csv").read_text("utf-8")
    term = terms_in_force(session, clinic.id, today).payment_term_days
    cases = []
    for index, row in enumerate(csv.DictReader(text.splitlines(), delimiter=";"), start=1):
        name, annual, category = row["garant"].strip(), int(row["montant_facture_xof"]), row["categorie"]
        slug = "".join(ch for ch in name.lower() if ch.isalnum())[:20]
        debtor = create_debtor(session, DebtorInput(
            name=name, kind="company", company_id=f"SN{rng.randrange(10**8, 10**9)}", country="SN",
            phones=(f"+22133{rng.randrange(8200000, 8699999)}",),
            emails=(f"comptabilite@{slug}.sn",),
            addresses=(AddressInput(f"{rng.randrange(1, 200)} rue {rng.choice(['Carnot', 'Jules Ferry', 'Mohamed V', 'Wagane Diouf'])}", "Dakar", None, "SN"),)))
        claims = []
        for number in range(rng.randint(1, 4)):
            deposit = today - timedelta(days=rng.randint(20, 200))
            amount = max(10_000, annual * rng.randint(3, 25) // 100 // 1000 * 1000)
            claims.append(ClaimInput(
                reference=f"FAC-{deposit:%y%m}-{index:02d}{number}", amount=Money(amount, "XOF"),
                kind="invoice", issue_date=deposit - timedelta(days=rng.randint(1, 10)),
                deposit_date=deposit, due_date=deposit + timedelta(days=term),
                extra={"annual_billed_xof": annual}))
        cases.append(open_case(session, creditor=clinic, debtor=debtor, external_ref=f"GAR-{index:03d}",
                               claims=claims, segment=category))
    return cases


_MA_NAMES = ["Atlas", "Souss", "Rif", "Tadla", "Oasis", "Zellige", "Argane", "Médina", "Doukkala",
             "Chaouia", "Tafilalet", "Saïss", "Gharb", "Anfa", "Bouregreg", "Majorelle"]
_MA_TRADES = ["Transports", "Textiles", "Bâtiment", "Agro", "Distribution", "Conseil", "Hôtellerie",
              "Céramique", "Logistique", "Imprimerie"]


def _fund_cases(session: Session, fund: Creditor, rng: random.Random, today: date) -> list:
    cases = []
    for index in range(1, 41):
        name = f"{rng.choice(_MA_TRADES)} {rng.choice(_MA_NAMES)} SARL"
        debtor = create_debtor(session, DebtorInput(
            name=name, kind="company", company_id=f"{rng.randrange(10**14, 10**15)}", country="MA",
            phones=(f"+2125{rng.randrange(22000000, 39999999)}",),
            emails=(f"direction{index}@entreprise-ma.demo",),
            addresses=(AddressInput(f"{rng.randrange(1, 300)} boulevard Zerktouni", rng.choice(["Casablanca", "Rabat", "Tanger", "Fès", "Agadir"]), None, "MA"),)))
        claims = []
        for month in range(rng.randint(1, 6)):
            period = _months_before(today, month + 2)
            claims.append(ClaimInput(
                reference=f"COT-{period:%Y%m}", kind="contribution",
                amount=Money(rng.randrange(500_000, 40_000_000, 100), "MAD"),
                issue_date=period, deposit_date=period + timedelta(days=10),
                due_date=period + timedelta(days=40)))
        cases.append(open_case(session, creditor=fund, debtor=debtor,
                               external_ref=f"CNSS-{today:%Y%m}-{index:04d}", claims=claims))
    return cases


_BF_FIRST = ["Aminata", "Issouf", "Salif", "Mariam", "Boukary", "Rasmata", "Adama", "Fatimata",
             "Seydou", "Awa", "Hamidou", "Clarisse"]
_BF_LAST = ["Ouédraogo", "Sawadogo", "Kaboré", "Traoré", "Compaoré", "Zongo", "Ilboudo", "Kinda",
            "Sanou", "Yaméogo", "Nikiema", "Bationo"]


def _lender_cases(session: Session, lender: Creditor, rng: random.Random, today: date) -> list:
    cases = []
    for index in range(1, 61):
        name = f"{rng.choice(_BF_FIRST)} {rng.choice(_BF_LAST)}"
        debtor = create_debtor(session, DebtorInput(
            name=name, kind="person", national_id=f"B{rng.randrange(10**7, 10**8)}", country="BF",
            phones=(f"+2267{rng.randrange(0, 9999999):07d}",),
            addresses=(AddressInput(f"Secteur {rng.randrange(1, 30)}", "Ouagadougou", None, "BF"),)))
        instalment = rng.randrange(25_000, 250_000, 500)
        claims = []
        for number in range(rng.randint(1, 5)):
            due = _months_before(today, number + 1).replace(day=rng.choice([5, 20]))
            claims.append(ClaimInput(
                reference=f"EFF-{index:04d}-{due:%Y%m%d}", kind="bill_of_exchange",
                amount=Money(instalment, "XOF"), issue_date=due - timedelta(days=365),
                deposit_date=due, due_date=due))
        cases.append(open_case(session, creditor=lender, debtor=debtor,
                               external_ref=f"DOS-{rng.randrange(10000, 99999)}-{index}", claims=claims))
    return cases


def _months_before(day: date, months: int) -> date:
    """The first day of the month ``months`` before ``day``'s month."""
    index = day.year * 12 + day.month - 1 - months
    return date(index // 12, index % 12 + 1, 1)
