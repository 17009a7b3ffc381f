"""The case ledger: signed entries in minor units, never edited, only reversed."""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, String, Text, event
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship

from agency.domain.ledger import ENTRY_KINDS
from agency.models.append_only import keep_append_only
from agency.models.base import Base, Currency, MinorUnits, UTCDateTime, one_of


class LedgerEntry(Base):
    __tablename__ = "ledger_entry"
    __table_args__ = (one_of("kind", ENTRY_KINDS),)

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("collection_case.id"), index=True)
    claim_id: Mapped[int | None] = mapped_column(ForeignKey("claim.id"), index=True)
    kind: Mapped[str] = mapped_column(String(16))
    # Signed: what the debtor owes more is positive, what it paid is negative.
    amount_minor: Mapped[int] = mapped_column(MinorUnits)
    currency: Mapped[str] = mapped_column(Currency)
    value_date: Mapped[date] = mapped_column(Date)
    booked_at: Mapped[datetime] = mapped_column(UTCDateTime)
    description: Mapped[str | None] = mapped_column(Text)
    # An entry is reversed at most once, by an entry that points back at it.
    reverses_id: Mapped[int | None] = mapped_column(ForeignKey("ledger_entry.id"), unique=True)
    # One entry per external event (payment intent, fee run): exactly-once crediting.
    idempotency_key: Mapped[str | None] = mapped_column(String(128), unique=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))

    reverses: Mapped[LedgerEntry | None] = relationship(remote_side=[id])
    # The claim an entry books (its line reads "Facture INV-1"): loaded with a page of entries.
    claim = relationship("Claim", viewonly=True)


# --- the case balance, kept by the database -------------------------------------------
# Entries are only ever inserted, so adding each insert's amounts to the case keeps
# collection_case.balance_minor equal to the sum of its entries, whether rows come
# from the ORM or from set-based SQL (intake). PostgreSQL does it once per statement.
BALANCE_TRIGGER_DDL = {
    "postgresql": [
        """CREATE OR REPLACE FUNCTION ledger_entry_add_to_balance() RETURNS trigger
           LANGUAGE plpgsql AS $$
           BEGIN
             UPDATE collection_case AS c SET balance_minor = c.balance_minor + n.total
             FROM (SELECT case_id, sum(amount_minor) AS total FROM new_entries
                   GROUP BY case_id) AS n
             WHERE c.id = n.case_id;
             RETURN NULL;
           END $$""",
        """CREATE TRIGGER ledger_entry_balance AFTER INSERT ON ledger_entry
           REFERENCING NEW TABLE AS new_entries FOR EACH STATEMENT
           EXECUTE FUNCTION ledger_entry_add_to_balance()""",
    ],
    "sqlite": [
        """CREATE TRIGGER ledger_entry_balance AFTER INSERT ON ledger_entry
           BEGIN
             UPDATE collection_case SET balance_minor = balance_minor + NEW.amount_minor
             WHERE id = NEW.case_id;
           END""",
    ],
}
BALANCE_TRIGGER_DROP = {
    "postgresql": ["DROP TRIGGER IF EXISTS ledger_entry_balance ON ledger_entry",
                   "DROP FUNCTION IF EXISTS ledger_entry_add_to_balance()"],
    "sqlite": ["DROP TRIGGER IF EXISTS ledger_entry_balance"],
}


def create_balance_trigger(connection) -> None:
    for statement in BALANCE_TRIGGER_DDL[connection.dialect.name]:
        connection.exec_driver_sql(statement)


@event.listens_for(LedgerEntry.__table__, "after_create")
def _balance_trigger_with_table(table, connection, **kwargs) -> None:
    """create_all() (tests building from the models) gets the trigger too."""
    create_balance_trigger(connection)


keep_append_only(LedgerEntry.__table__)


@event.listens_for(Session, "before_flush")
def _refuse_ledger_rewrites(session: Session, flush_context, instances) -> None:
    for obj in list(session.dirty) + list(session.deleted):
        if isinstance(obj, LedgerEntry) and (obj in session.deleted or session.is_modified(obj)):
            raise LedgerIsAppendOnly("ledger entries are never edited: post a reversal")


class LedgerIsAppendOnly(RuntimeError):
    pass
