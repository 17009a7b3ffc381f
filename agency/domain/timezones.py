"""Instants in UTC, and the debtor's own zone from its country or phone number."""
from __future__ import annotations

from datetime import date, datetime, timezone
from functools import lru_cache
from importlib import resources
from zoneinfo import ZoneInfo

import phonenumbers
from phonenumbers import timezone as phone_timezone

UTC = timezone.utc

# Countries the agency works in, with their single zone. Countries with several
# zones are resolved from the phone number when there is one.
COUNTRY_ZONES = {
    "SN": "Africa/Dakar",
    "BF": "Africa/Ouagadougou",
    "ML": "Africa/Bamako",
    "CI": "Africa/Abidjan",
    "TG": "Africa/Lome",
    "BJ": "Africa/Porto-Novo",
    "NE": "Africa/Niamey",
    "GN": "Africa/Conakry",
    "CM": "Africa/Douala",
    "GA": "Africa/Libreville",
    "MA": "Africa/Casablanca",
    "FR": "Europe/Paris",
    "BE": "Europe/Brussels",
    "ES": "Europe/Madrid",
    "GB": "Europe/London",
}


def now_utc() -> datetime:
    return datetime.now(UTC)


def as_utc(instant: datetime) -> datetime:
    """An aware UTC instant; a naive one is taken as UTC (SQLite returns naive)."""
    if instant.tzinfo is None:
        return instant.replace(tzinfo=UTC)
    return instant.astimezone(UTC)


def parse_instant(text: str) -> datetime:
    """Parse an ISO 8601 instant; without an offset it is UTC."""
    return as_utc(datetime.fromisoformat(text.strip().replace("Z", "+00:00")))


def zone_for_country(country: str | None) -> str | None:
    """The zone of a country that has a single one; None for several or unknown."""
    if not country:
        return None
    code = country.strip().upper()
    if code in COUNTRY_ZONES:
        return COUNTRY_ZONES[code]
    zones = _zone_table().get(code, ())
    return zones[0] if len(zones) == 1 else None


@lru_cache(maxsize=1)
def _zone_table() -> dict[str, tuple[str, ...]]:
    """Country code -> its zones, from the IANA zone.tab shipped by tzdata."""
    table: dict[str, list[str]] = {}
    text = resources.files("tzdata").joinpath("zoneinfo/zone.tab").read_text()
    for line in text.splitlines():
        if line and not line.startswith("#"):
            fields = line.split("\t")
            table.setdefault(fields[0], []).append(fields[2])
    return {code: tuple(zones) for code, zones in table.items()}


def country_for_phone(e164: str) -> str | None:
    try:
        number = phonenumbers.parse(e164, None)
    except phonenumbers.NumberParseException:
        return None
    return phonenumbers.region_code_for_number(number)


def zone_for_phone(e164: str) -> str | None:
    """The zone of a number: its country's zone; the per-number zone only when the
    country has several (phonenumbers maps Moroccan mobiles to Atlantic/Canary)."""
    country = country_for_phone(e164)
    zone = zone_for_country(country)
    if zone:
        return zone
    try:
        number = phonenumbers.parse(e164, None)
    except phonenumbers.NumberParseException:
        return None
    zones = [z for z in phone_timezone.time_zones_for_number(number) if z != "Etc/Unknown"]
    return zones[0] if zones else None


def debtor_zone(address_country: str | None, phone_e164: str | None = None,
                default: str = "UTC") -> str:
    """The debtor's zone: address country first, else the phone number's country."""
    return zone_for_country(address_country) or (phone_e164 and zone_for_phone(phone_e164)) or default


def local_time(instant: datetime, zone: str) -> datetime:
    return as_utc(instant).astimezone(ZoneInfo(zone))


def local_date(instant: datetime, zone: str) -> date:
    return local_time(instant, zone).date()
