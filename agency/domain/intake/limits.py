"""How big a portfolio file may be, checked before it can cost memory or time.

An XLSX file is a zip: a 200 KB upload can unpack to gigabytes (one repeated row, or a
shared-strings part of one repeated string), and the parsers hold a sheet or the shared
strings in memory. So the zip's central directory is checked before any XML is parsed:
the number of parts, every part's unpacked size (sheets, shared strings, styles...), their
total and their compression ratio; then every part is inflated once in bounded chunks
(nothing kept), which proves the declared sizes true (a lying size fails its CRC). Rows
and columns are counted while reading, and the file is refused at the first row beyond.

Every refusal is a ``LimitError`` whose French message names the limit. The limits come
from the configuration (``IntakeLimits.from_config``: ``INTAKE_MAX_...``).
"""
from __future__ import annotations

import zipfile
from collections.abc import Mapping
from dataclasses import dataclass, fields
from typing import BinaryIO

from agency.domain.intake.errors import IntakeError, NotATableError

MB = 1 << 20
# A part smaller than this may be as compressible as it likes (an empty styles part is).
RATIO_FLOOR_BYTES = 1 * MB
_INFLATE_CHUNK = 1 * MB


class LimitError(IntakeError):
    """A file beyond one of the configured limits; the message names it."""


@dataclass(frozen=True, slots=True)
class IntakeLimits:
    """The bounds of one file and of one case (defaults sized for real portfolios)."""

    max_unpacked_mb: int = 500      # XLSX: all parts unpacked; CSV: the file itself
    max_part_mb: int = 50           # XLSX: any one part (a sheet, the shared strings...)
    max_ratio: int = 100            # XLSX: unpacked / packed size of a part over 1 MB
    max_parts: int = 1000           # XLSX: parts in the zip
    max_rows: int = 1_000_000       # data rows of a file
    max_columns: int = 200          # columns of a file (header and every row)
    max_line_kb: int = 1024         # CSV: one physical line
    max_claims_per_case: int = 5000  # beyond it a row is rejected with its line

    @classmethod
    def from_config(cls, config: Mapping) -> IntakeLimits:
        """The limits named ``INTAKE_MAX_...`` in a configuration mapping (defaults else)."""
        given = {name: int(config[key]) for name, key in cls.config_keys().items()
                 if config.get(key) is not None}
        for name, value in given.items():
            if value <= 0:
                raise ValueError(f"{cls.config_keys()[name]} must be positive, not {value}")
        return cls(**given)

    @classmethod
    def config_keys(cls) -> dict[str, str]:
        return {f.name: f"INTAKE_{f.name.upper()}" for f in fields(cls)}

    @property
    def max_unpacked_bytes(self) -> int:
        return self.max_unpacked_mb * MB

    @property
    def max_part_bytes(self) -> int:
        return self.max_part_mb * MB

    @property
    def max_line_bytes(self) -> int:
        return self.max_line_kb * 1024


def _mb(size: int) -> str:
    return f"{size / MB:,.1f}".replace(",", " ").replace(".", ",")


def _n(number: int) -> str:
    return f"{number:,}".replace(",", " ")


def check_file_size(size: int, limits: IntakeLimits) -> None:
    """A text file's size is its unpacked size."""
    if size > limits.max_unpacked_bytes:
        raise LimitError(f"Fichier trop volumineux : {_mb(size)} Mo (limite : "
                         f"{limits.max_unpacked_mb} Mo).")


def check_zip(stream: BinaryIO, limits: IntakeLimits) -> None:
    """Refuse a workbook whose parts are too many, too big unpacked (each or together) or
    too compressed, from its central directory; then inflate each part once in bounded
    chunks to prove the declared sizes (a zip that lies fails here, as unreadable)."""
    try:
        stream.seek(0)
        with zipfile.ZipFile(stream) as archive:
            parts = archive.infolist()
            _check_directory(parts, limits)
            for part in parts:
                _inflate(archive, part)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError,
            NotImplementedError, RuntimeError) as exc:
        raise NotATableError("Le classeur Excel est illisible ou endommagé.") from exc


def _check_directory(parts: list[zipfile.ZipInfo], limits: IntakeLimits) -> None:
    if len(parts) > limits.max_parts:
        raise LimitError(f"Le classeur Excel contient {len(parts)} parties (limite : "
                         f"{limits.max_parts}).")
    total = 0
    for part in parts:
        size = part.file_size
        if size > limits.max_part_bytes:
            raise LimitError(f"Le classeur Excel est trop volumineux une fois décompressé : "
                             f"« {part.filename} » fait {_mb(size)} Mo (limite : "
                             f"{limits.max_part_mb} Mo par partie).")
        if size > RATIO_FLOOR_BYTES and size > limits.max_ratio * max(part.compress_size, 1):
            raise LimitError(f"Le classeur Excel est anormalement compressé : « {part.filename} » "
                             f"passe de {_mb(part.compress_size)} Mo à {_mb(size)} Mo "
                             f"(limite : {limits.max_ratio} fois).")
        total += size
    if total > limits.max_unpacked_bytes:
        raise LimitError(f"Le classeur Excel fait {_mb(total)} Mo une fois décompressé "
                         f"(limite : {limits.max_unpacked_mb} Mo).")


def _inflate(archive: zipfile.ZipFile, part: zipfile.ZipInfo) -> None:
    """Read a part to its end and drop it: zipfile stops at the declared size and checks
    the CRC, so a part that unpacks bigger than declared raises BadZipFile."""
    with archive.open(part) as data:
        while data.read(_INFLATE_CHUNK):
            pass


def too_many_rows(limits: IntakeLimits) -> LimitError:
    return LimitError(f"Le fichier dépasse {_n(limits.max_rows)} lignes de données "
                      "(limite par fichier) : découpez-le en plusieurs fichiers.")


def too_many_columns(line: int, width: int, limits: IntakeLimits) -> LimitError:
    return LimitError(f"La ligne {line} a {width} colonnes (limite : {limits.max_columns} "
                      "colonnes par fichier).")


def too_long_line(max_line_bytes: int) -> LimitError:
    return LimitError(f"Une ligne du fichier dépasse {max(1, max_line_bytes // 1024)} Ko "
                      "(limite par ligne) : ce n'est pas un tableau.")


def too_many_claims(case: str, limit: int) -> str:
    """The reason of a row rejected because its case is full (a row error, not a refusal)."""
    return (f"Le dossier {case} a atteint {_n(limit)} créances (limite "
            "par dossier) : ligne non importée.")
