"""Serving: `agency serve` supervises the web server (gunicorn) and, with Redis, an RQ
worker and the scheduler, each a child process in its own process group."""
