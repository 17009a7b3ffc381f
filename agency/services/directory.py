"""Creditors, teams, users and API tokens: the agency's directory."""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from agency.domain.accounts import AccountEmailError, account_email, check_password
from agency.domain.money import check_currency
from agency.domain.timezones import zone_for_country
from agency.models import AgentPair, ApiToken, Creditor, Team, User
from agency.security import ROLES, STAFF_ROLES, TEAMS, hash_password, new_api_token, token_digest
from agency.services.audit import current_scope, record

TEAM_NAMES = {"amicable": "Amiable", "judicial": "Judiciaire",
              "injunction": "Injonction de payer & exécution"}


class DirectoryError(ValueError):
    pass


def create_creditor(session: Session, *, code: str, name: str, country: str, currency: str,
                    timezone: str | None = None, locale: str | None = None,
                    jurisdiction: str | None = None, address: str | None = None,
                    language: str = "fr", default_debtor_kind: str = "person") -> Creditor:
    """A new creditor's identity; its zone and locale follow from its country. Its terms,
    playbook and mandate are set by ``agency.services.creditors`` (``take_on_creditor``)."""
    code = code.strip().upper()
    if session.scalar(select(Creditor.id).where(Creditor.code == code)):
        raise DirectoryError(f"creditor {code} already exists")
    country = country.strip().upper()
    zone = timezone or zone_for_country(country)
    if zone is None:
        raise DirectoryError(f"no single time zone for country {country}; give one")
    creditor = Creditor(code=code, name=name, country=country, currency=check_currency(currency),
                        timezone=zone, locale=locale or f"fr_{country}", jurisdiction=jurisdiction,
                        address=address, language=language, default_debtor_kind=default_debtor_kind,
                        created_at=current_scope(session).now)
    session.add(creditor)
    session.flush()
    return creditor


DEBTOR_KINDS = ("person", "company")


def set_default_debtor_kind(session: Session, creditor: Creditor, kind: str) -> None:
    """What its files' debtors are when a row does not say (no type, no identifier, no
    company word in the name): 'person' or 'company'."""
    if kind not in DEBTOR_KINDS:
        raise DirectoryError(f"unknown debtor kind {kind}")
    if creditor.default_debtor_kind == kind:
        return
    record(session, verb="creditor.default_debtor_kind", creditor_id=creditor.id,
           changes={"default_debtor_kind": [creditor.default_debtor_kind, kind]})
    creditor.default_debtor_kind = kind
    session.flush()


def ensure_teams(session: Session) -> dict[str, Team]:
    """The three internal teams exist (idempotent)."""
    teams = {t.code: t for t in session.scalars(select(Team))}
    for code in TEAMS:
        if code not in teams:
            teams[code] = Team(code=code, name=TEAM_NAMES[code])
            session.add(teams[code])
    session.flush()
    return teams


def create_user(session: Session, *, email: str, role: str, name: str | None = None,
                password: str | None = None, team: str | None = None,
                pair_with: str | None = None, creditor: str | None = None,
                locale: str = "fr") -> User:
    """A staff or creditor user; an agent can be paired with another of its team."""
    email = account_email(email)
    if password is not None:
        check_password(password, email=email)
    if role not in ROLES:
        raise DirectoryError(f"unknown role {role}; one of {', '.join(ROLES)}")
    if session.scalar(select(User.id).where(User.email == email)):
        raise DirectoryError(f"user {email} already exists")
    user = User(email=email, name=name or email.split("@")[0], role=role, locale=locale,
                password_hash=hash_password(password) if password else None,
                created_at=current_scope(session).now)
    if role in STAFF_ROLES and team:
        user.team = ensure_teams(session).get(team) or _unknown("team", team)
    if role == "creditor":
        if not creditor:
            raise DirectoryError("a creditor user needs --creditor")
        user.creditor_id = _creditor_id(session, creditor)
    elif creditor:
        raise DirectoryError("only creditor users belong to a creditor")
    session.add(user)
    session.flush()
    if pair_with:
        pair_users(session, user, find_user(session, pair_with) or _unknown("user", pair_with))
    return user


def pair_users(session: Session, first: User, second: User) -> AgentPair:
    """Make two agents of the same team a pair (binôme)."""
    if first.team_id is None or first.team_id != second.team_id:
        raise DirectoryError("paired agents must belong to the same team")
    if second.pair is not None and len(second.pair.members) >= 2:
        raise DirectoryError(f"{second.email} is already in a full pair")
    pair = second.pair or AgentPair(team_id=second.team_id, name=f"{second.name} / {first.name}")
    session.add(pair)
    second.pair = pair
    first.pair = pair
    session.flush()
    return pair


def find_user(session: Session, email: str) -> User | None:
    """The account of ``email``, normalised by the one rule for account emails."""
    try:
        normal = account_email(email)
    except AccountEmailError:
        return None
    return session.scalar(select(User).where(User.email == normal))


def create_token(session: Session, *, creditor: str, label: str | None = None) -> tuple[ApiToken, str]:
    """A new API token for a creditor: the row, and the token itself (shown once)."""
    token, prefix, digest = new_api_token()
    row = ApiToken(creditor_id=_creditor_id(session, creditor), prefix=prefix, token_hash=digest,
                   label=label, created_at=current_scope(session).now)
    session.add(row)
    session.flush()
    return row, token


def revoke_token(session: Session, prefix_or_id: str) -> ApiToken:
    """Revoke an API token named by its id or its display prefix (``rcv_…``)."""
    key = prefix_or_id.strip()
    query = select(ApiToken).where(ApiToken.id == int(key)) if key.isdigit() else \
        select(ApiToken).where(ApiToken.prefix == key)
    rows = session.scalars(query).all()
    if not rows:
        raise DirectoryError(f"no API token {key}")
    if len(rows) > 1:
        raise DirectoryError(f"several tokens start with {key}: give the id")
    row = rows[0]
    if row.revoked_at is None:
        row.revoked_at = current_scope(session).now
        session.flush()
    return row


def creditor_for_token(session: Session, token: str) -> Creditor | None:
    row = session.scalar(select(ApiToken).where(ApiToken.token_hash == token_digest(token),
                                                ApiToken.revoked_at.is_(None)))
    return row.creditor if row else None


def _creditor_id(session: Session, code: str) -> int:
    found = session.scalar(select(Creditor.id).where(Creditor.code == code.strip().upper()))
    return found if found is not None else _unknown("creditor", code)


def _unknown(what: str, value: str):
    raise DirectoryError(f"unknown {what}: {value}")
