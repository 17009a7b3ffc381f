"""Our own error pages (French and English, nothing internal shown) and JSON errors under
/api/. A page says what happened and what to do; never a trace, an id or a library's name."""
from __future__ import annotations

from flask import Flask, render_template, request
from flask_babel import lazy_gettext as _l
from werkzeug.exceptions import HTTPException, InternalServerError

from agency.extensions import db

PAGES = {
    400: (_l("Requête invalide"),
          _l("La demande n'a pas pu être traitée. Si vous envoyiez un formulaire, rechargez la page et recommencez.")),
    403: (_l("Accès refusé"), _l("Vous n'avez pas accès à cette page.")),
    404: (_l("Page introuvable"), _l("Cette page n'existe pas ou n'est plus disponible.")),
    405: (_l("Requête invalide"), _l("Cette page ne s'utilise pas ainsi.")),
    413: (_l("Fichier trop volumineux"), _l("Le fichier envoyé dépasse la taille acceptée.")),
    429: (_l("Trop de tentatives"), _l("Trop de tentatives en peu de temps : réessayez dans quelques minutes.")),
    500: (_l("Erreur du serveur"),
          _l("Une erreur nous a empêchés de répondre. Elle est enregistrée ; réessayez dans un instant.")),
}
API_ERRORS = {400: "bad request", 401: "unauthorized", 403: "forbidden", 404: "not found",
              405: "method not allowed", 413: "payload too large", 429: "too many requests",
              500: "internal error"}


def error_page(code: int, *, detail: str | None = None, retry_after: int | None = None):
    """The response for an error ``code``: our page, or a JSON body under /api/."""
    if request.path.startswith("/api/"):
        response = ({"error": API_ERRORS.get(code, "error")}, code)
    else:
        title, text = PAGES.get(code, PAGES[500 if code >= 500 else 400])
        response = (render_template("errors/error.html", code=code, title=title, text=detail or text), code)
    if retry_after is not None:
        response = (*response, {"Retry-After": str(retry_after)})
    return response


def _handle_http(error: HTTPException):
    retry = error.response.headers.get("Retry-After") if error.response is not None else None
    return error_page(error.code or 500, retry_after=int(retry) if retry and retry.isdigit() else None)


def _handle_server_error(error: InternalServerError):
    db.session.rollback()  # the page reads the user; a failed transaction must not fail it too
    return error_page(500)


def register_error_pages(app: Flask) -> None:
    app.register_error_handler(HTTPException, _handle_http)
    app.register_error_handler(InternalServerError, _handle_server_error)
