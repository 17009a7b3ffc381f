"""How long a debtor's personal data is kept: until its last case has been closed for the
limitation period of the debt's jurisdiction plus a configured margin (COMPLIANCE.md, personal
data: "case closed + limitation + a configured margin"). Past that, the purge erases it.

Each period carries its law and the date from which it applies, and is chosen by the date of
the closure it counts from. Periods marked (check) were seen only in a secondary source.
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

# The 17 member states of OHADA (Uniform Act on General Commercial Law, AUDCG).
OHADA_COUNTRIES = frozenset({"BJ", "BF", "CM", "CF", "KM", "CG", "CI", "GA", "GN", "GW", "GQ",
                             "ML", "NE", "CD", "SN", "TD", "TG"})
JURISDICTIONS = ("fr", "ohada", "ma", "*")
DEBTOR_KINDS = ("person", "company")


@dataclass(frozen=True, slots=True)
class Limitation:
    jurisdiction: str        # fr, ohada, ma; "*" anywhere else
    debtor_kind: str | None  # "person": a consumer's debt; None: any debtor
    years: int
    law: str
    since: date              # applies to cases closed from this day


LIMITATIONS = (
    Limitation("fr", "person", 2, "Code de la consommation L218-2 (L137-2 before 1 July 2016)",
               date(2008, 6, 19)),
    Limitation("fr", None, 5, "Code civil art. 2224", date(2008, 6, 19)),
    Limitation("ohada", None, 5, "AUDCG art. 16 (commercial debts)", date(2011, 5, 16)),
    Limitation("ma", None, 5, "Code de commerce art. 5 (check)", date(1997, 10, 3)),
    Limitation("*", None, 5, "default: the longest period of the jurisdictions we serve",
               date(1900, 1, 1)),
)


def jurisdiction_of(declared: str | None, country: str | None) -> str:
    """A case's jurisdiction: its creditor's declared one, else from the creditor's country."""
    if declared in JURISDICTIONS:
        return declared
    country = (country or "").upper()
    if country == "FR":
        return "fr"
    if country == "MA":
        return "ma"
    return "ohada" if country in OHADA_COUNTRIES else "*"


def parse_overrides(text: str) -> dict[tuple[str, str | None], int]:
    """Periods set by the operator: "fr:person=2,fr=5,ohada=5" -> {(fr, person): 2, ...}."""
    overrides: dict[tuple[str, str | None], int] = {}
    for item in (part.strip() for part in (text or "").split(",")):
        if not item:
            continue
        key, _, years = item.partition("=")
        jurisdiction, _, kind = key.strip().partition(":")
        if jurisdiction not in JURISDICTIONS or (kind and kind not in DEBTOR_KINDS) \
                or not years.strip().isdigit():
            raise ValueError(f"RETENTION_YEARS: cannot read {item!r} (e.g. fr:person=2,fr=5)")
        overrides[(jurisdiction, kind or None)] = int(years)
    return overrides


def add_years(instant: datetime, years: int) -> datetime:
    """The same day ``years`` later; 29 February becomes 28 February."""
    try:
        return instant.replace(year=instant.year + years)
    except ValueError:
        return instant.replace(year=instant.year + years, day=28)


@dataclass(frozen=True, slots=True)
class RetentionPolicy:
    margin_days: int = 90
    overrides: dict[tuple[str, str | None], int] = field(default_factory=dict)

    def years(self, jurisdiction: str, debtor_kind: str | None, closed_on: date) -> int:
        """The limitation period, in years, of a case closed on ``closed_on``."""
        for key in ((jurisdiction, debtor_kind), (jurisdiction, None), ("*", None)):
            if key in self.overrides:
                return self.overrides[key]
            for rule in sorted(LIMITATIONS, key=lambda r: r.since, reverse=True):
                if (rule.jurisdiction, rule.debtor_kind) == key and rule.since <= closed_on:
                    return rule.years
        return 5

    def shortest_years(self) -> int:
        """No period is shorter: what may be purged at all was closed at least this long ago."""
        return min([rule.years for rule in LIMITATIONS] + list(self.overrides.values()))

    def keep_until(self, closed_at: datetime, jurisdiction: str, debtor_kind: str | None) -> datetime:
        years = self.years(jurisdiction, debtor_kind, closed_at.date())
        return add_years(closed_at, years) + timedelta(days=self.margin_days)

    def debtor_keep_until(self, cases: Iterable[tuple[datetime | None, str]],
                          debtor_kind: str | None) -> datetime | None:
        """Until when a debtor's data is kept, from its cases' (closure instant, jurisdiction);
        None while a case is open (no closure instant) or when it has no case."""
        ends = []
        for closed_at, jurisdiction in cases:
            if closed_at is None:
                return None
            ends.append(self.keep_until(closed_at, jurisdiction, debtor_kind))
        return max(ends) if ends else None
