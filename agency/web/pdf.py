"""PDF documents rendered from HTML templates (WeasyPrint), offered as downloads."""
from __future__ import annotations

from flask import Response
from weasyprint import HTML


def pdf_download(html: str, filename: str) -> Response:
    """The page as a PDF attachment; the HTML must carry its own styles (nothing is fetched)."""
    return Response(HTML(string=html).write_pdf(), mimetype="application/pdf",
                    headers={"Content-Disposition": f'attachment; filename="{filename}"'})
