"""The WSGI entry point: `gunicorn agency.wsgi:app` (what `agency serve` runs)."""
from agency import create_app

app = create_app()
