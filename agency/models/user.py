"""Staff and creditor users, teams, pairs of agents and external partners."""
from __future__ import annotations

from datetime import date, datetime

from flask_login import UserMixin
from sqlalchemy import Boolean, Date, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from agency.domain.playbook.model import PARTNER_KINDS
from agency.models.base import Base, UTCDateTime, one_of
from agency.security import ROLES, TEAMS


class Team(Base):
    __tablename__ = "team"
    __table_args__ = (one_of("code", TEAMS),)

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(100))


class AgentPair(Base):
    """A binôme: two agents who cover each other and make each other's counter-calls."""

    __tablename__ = "agent_pair"

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("team.id"), index=True)
    name: Mapped[str] = mapped_column(String(100))

    members: Mapped[list[User]] = relationship(back_populates="pair")


class User(UserMixin, Base):
    __tablename__ = "user"
    __table_args__ = (one_of("role", ROLES),)

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(255), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    password_hash: Mapped[str | None] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(16))
    team_id: Mapped[int | None] = mapped_column(ForeignKey("team.id"), index=True)
    pair_id: Mapped[int | None] = mapped_column(ForeignKey("agent_pair.id"), index=True)
    creditor_id: Mapped[int | None] = mapped_column(ForeignKey("creditor.id"), index=True)
    locale: Mapped[str] = mapped_column(String(8), default="fr")
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # Away up to and including this day: the other agent of the pair covers the calls.
    absent_until: Mapped[date | None] = mapped_column(Date)
    password_changed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Two-factor (TOTP): the base32 secret, shown once at enrolment; enabled once confirmed.
    totp_secret: Mapped[str | None] = mapped_column(String(64))
    totp_enabled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    totp_last_step: Mapped[int | None] = mapped_column(Integer)  # a code is accepted once

    # The random id of the session the request runs in: what Flask-Login keeps in the cookie
    # (login_manager.id_attribute), set when the session is opened or resumed. Not a column.
    session_id = None

    team: Mapped[Team | None] = relationship(foreign_keys=[team_id])
    pair: Mapped[AgentPair | None] = relationship(back_populates="members")
    creditor = relationship("Creditor")

    @property
    def is_active(self) -> bool:  # Flask-Login refuses inactive users
        return self.active

    @property
    def has_two_factor(self) -> bool:
        return self.totp_enabled_at is not None

    def get_session_id(self) -> str | None:
        return self.session_id

    def partner_in_pair(self) -> User | None:
        """The other agent of the pair, if any."""
        if self.pair is None:
            return None
        return next((m for m in self.pair.members if m.id != self.id), None)


class UserSession(Base):
    """One signed-in browser: the cookie carries its random id, only its SHA-256 is here, and
    revoking the row ends the session wherever the cookie is."""

    __tablename__ = "user_session"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    ended_by: Mapped[str | None] = mapped_column(String(16))  # see agency.services.accounts.sessions
    user_agent: Mapped[str | None] = mapped_column(String(255))
    address: Mapped[str | None] = mapped_column(String(64))

    user: Mapped[User] = relationship()


class RecoveryCode(Base):
    """A one-time second factor for a lost phone; only its SHA-256 is kept."""

    __tablename__ = "recovery_code"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"), index=True)
    code_hash: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class LoginThrottle(Base):
    """Failed logins in a row for an email as typed (known account or not, so the lock does
    not tell which accounts exist), keyed by the SHA-256 of the normalised email."""

    __tablename__ = "login_throttle"

    subject: Mapped[str] = mapped_column(String(64), primary_key=True)
    failures: Mapped[int] = mapped_column(Integer, default=0)
    last_failure_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime)


class Partner(Base):
    """An external service: home visit, bailiff, investigator, lawyer, correspondent."""

    __tablename__ = "partner"
    __table_args__ = (one_of("kind", PARTNER_KINDS),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(32))
    name: Mapped[str] = mapped_column(String(200))
    email: Mapped[str | None] = mapped_column(String(255))
    phone: Mapped[str | None] = mapped_column(String(32))
    country: Mapped[str | None] = mapped_column(String(2))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
