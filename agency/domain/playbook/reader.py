"""Typed reading of plain data (what YAML or JSON gives) that collects faults.

A Reader records each fault with its path and carries on, so that a playbook's
every fault can be reported at once.
"""
from __future__ import annotations

import re
import unicodedata
from typing import Any

SLUG = re.compile(r"^[a-z0-9][a-z0-9_-]*$")
MISSING = object()
# Control characters and line separators do not survive a YAML round trip.
_BAD_CATEGORIES = ("Cc", "Zl", "Zp")


class Reader:
    """Typed access to mappings that records faults instead of raising at the first."""

    def __init__(self) -> None:
        self.problems: list[str] = []

    def fail(self, path: str, message: str) -> None:
        self.problems.append(f"{path}: {message}" if path else message)

    def mapping(self, data: Any, path: str, allowed: tuple[str, ...]) -> dict | None:
        if not isinstance(data, dict):
            self.fail(path, f"expected a mapping, got {type(data).__name__}")
            return None
        for key in data:
            if key not in allowed:
                self.fail(path, f"unknown key {key!r}; expected one of: {', '.join(allowed)}")
        return data

    def integer(self, data: dict, key: str, path: str, *, minimum: int,
                default: Any = MISSING) -> int | None:
        value = data.get(key, default)
        if value is MISSING:
            self.fail(path, f"{key!r} is required")
            return None
        if value is None and default is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int):
            self.fail(f"{path}.{key}", f"expected a whole number, got {value!r}")
            return None
        if value < minimum:
            self.fail(f"{path}.{key}", f"must be at least {minimum}, got {value}")
            return None
        return value

    def text(self, data: dict, key: str, path: str, *, default: Any = MISSING) -> str | None:
        value = data.get(key, default)
        if value is MISSING:
            self.fail(path, f"{key!r} is required")
            return None
        if value is None and default is None:
            return None
        if not isinstance(value, str) or (not value.strip() and default != ""):
            self.fail(f"{path}.{key}", f"expected a non-empty text, got {value!r}")
            return None
        if any(unicodedata.category(ch) in _BAD_CATEGORIES and ch not in "\n\t" for ch in value):
            self.fail(f"{path}.{key}", f"control characters are not allowed in {value!r}")
            return None
        return value

    def choice(self, data: dict, key: str, path: str, choices: tuple[str, ...],
               *, default: Any = MISSING, what: str = "value") -> str | None:
        value = data.get(key, default)
        if value is MISSING:
            self.fail(path, f"{key!r} is required")
            return None
        if value is None and default is None:
            return None
        if value not in choices:
            self.fail(f"{path}.{key}", f"unknown {what} {value!r}; expected one of: {', '.join(choices)}")
            return None
        return value

    def flag(self, data: dict, key: str, path: str) -> bool:
        value = data.get(key, False)
        if not isinstance(value, bool):
            self.fail(f"{path}.{key}", f"expected true or false, got {value!r}")
            return False
        return value

    def slug(self, data: dict, key: str, path: str, *, required: bool = True) -> str | None:
        value = self.text(data, key, path, default=MISSING if required else None)
        if value is not None and not SLUG.match(value):
            self.fail(f"{path}.{key}", f"{value!r} must be lower-case letters, digits, '-' or '_'")
            return None
        return value

    def segments(self, data: dict, path: str, known: tuple[str, ...] | None) -> tuple[str, ...]:
        value = data.get("segments", [])
        if not isinstance(value, list) or not all(isinstance(s, str) and s.strip() for s in value):
            self.fail(f"{path}.segments", f"expected a list of segment names, got {value!r}")
            return ()
        if len(set(value)) != len(value):
            self.fail(f"{path}.segments", f"duplicate segment in {value!r}")
        if known is not None:
            for segment in value:
                if segment not in known:
                    self.fail(f"{path}.segments", f"unknown segment {segment!r}; the playbook's "
                              f"segments are: {', '.join(known) or '(none)'}")
        return tuple(value)
