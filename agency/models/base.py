"""Declarative base, naming convention and the column types every model shares."""
from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import BigInteger, CheckConstraint, DateTime, MetaData, String
from sqlalchemy.orm import DeclarativeBase
from sqlalchemy.types import TypeDecorator

from agency.domain.timezones import UTC, as_utc

# Stable constraint names so Alembic can alter them on SQLite and PostgreSQL alike.
NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def sql_in(values: Iterable[str]) -> str:
    """A list of constants as SQL text, "('a', 'b')": for the partial indexes' predicates
    and the set-based statements, written from the constants that name them."""
    return "(" + ", ".join("'" + value.replace("'", "''") + "'" for value in values) + ")"


def one_of(column: str, values: Iterable[str]) -> CheckConstraint:
    """CHECK (column IN (...)), named ck_<table>_<column>: a status or kind column holds only
    the values of the constant that names them (a new value needs a migration)."""
    values = tuple(values)
    return CheckConstraint(f"{column} IN {sql_in(values)}", name=column,
                           info={"column": column, "values": values})


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


class UTCDateTime(TypeDecorator):
    """An aware UTC instant: timestamptz on PostgreSQL, naive UTC text on SQLite."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given for a UTC column")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect):
        return None if value is None else as_utc(value)


# Money: BIGINT minor units beside a CHAR(3) currency column.
MinorUnits = BigInteger
Currency = String(3)
