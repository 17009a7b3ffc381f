"""Staff and creditor users, teams, pairs of agents and external partners."""
from __future__ import annotations

from datetime import date, datetime

from flask_login import UserMixin
from sqlalchemy import Boolean, Date, ForeignKey, String
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

    team: Mapped[Team | None] = relationship(foreign_keys=[team_id])
    pair: Mapped[AgentPair | None] = relationship(back_populates="members")

    @property
    def is_active(self) -> bool:  # Flask-Login refuses inactive users
        return self.active

    def partner_in_pair(self) -> User | None:
        """The other agent of the pair, if any."""
        if self.pair is None:
            return None
        return next((m for m in self.pair.members if m.id != self.id), None)


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
