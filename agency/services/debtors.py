"""Debtors: creating one with its contact points, its zone from its country or phone."""
from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy.orm import Session

from agency.domain.names import name_key
from agency.domain.timezones import debtor_zone, zone_for_phone
from agency.models import Debtor, DebtorAddress, DebtorEmail, DebtorPhone
from agency.services.audit import current_scope


@dataclass(frozen=True, slots=True)
class AddressInput:
    line1: str
    city: str | None = None
    postal_code: str | None = None
    country: str | None = None


@dataclass(frozen=True, slots=True)
class DebtorInput:
    name: str
    kind: str = "person"
    national_id: str | None = None
    company_id: str | None = None
    country: str | None = None
    language: str = "fr"
    phones: tuple[str, ...] = ()      # E.164
    emails: tuple[str, ...] = ()
    addresses: tuple[AddressInput, ...] = field(default_factory=tuple)


def create_debtor(session: Session, data: DebtorInput) -> Debtor:
    """A new debtor; its zone comes from its address country, else its first phone."""
    if not data.name.strip():
        raise ValueError("a debtor needs a name")
    country = data.country or next((a.country for a in data.addresses if a.country), None)
    debtor = Debtor(kind=data.kind, name=data.name.strip(), name_key=name_key(data.name),
                    national_id=data.national_id, company_id=data.company_id,
                    country=country, language=data.language,
                    timezone=debtor_zone(country, data.phones[0] if data.phones else None),
                    created_at=current_scope(session).now)
    debtor.phones = [DebtorPhone(e164=p, timezone=zone_for_phone(p)) for p in dict.fromkeys(data.phones)]
    debtor.emails = [DebtorEmail(email=e.strip().lower()) for e in dict.fromkeys(data.emails)]
    debtor.addresses = [DebtorAddress(line1=a.line1, city=a.city, postal_code=a.postal_code,
                                      country=a.country) for a in data.addresses]
    session.add(debtor)
    session.flush()
    return debtor
