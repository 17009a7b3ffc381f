"""Use cases, one package per capability (intake, engine, calls, demo) beside the shared
modules (audit, ledger, cases, sql, ...). They take the session, read the actor and "now"
from the audit scope, never commit and never import Flask."""
