"""File downloads the back-office and the portals share."""
from __future__ import annotations

from collections.abc import Iterable

from flask import Response


def csv_download(lines: Iterable[str], filename: str) -> Response:
    """Stream CSV lines as an attachment named ``filename``."""
    return Response(lines, mimetype="text/csv; charset=utf-8",
                    headers={"Content-Disposition": f'attachment; filename="{filename}"'})


def rejected_rows_download(lines: Iterable[str], portfolio) -> Response:
    """A portfolio's rejected rows, as the CSV the creditor corrects and sends again."""
    return csv_download(list(lines), f"rejets-portefeuille-{portfolio.id}.csv")
