"""Creditors and their contract: taking one on, its terms by version, its mandate.

- ``onboarding``: ``take_on_creditor``, ``change_terms`` (checked per field, audited,
  versioned by the day it applies), ``change_identity``.
- ``terms``: ``terms_in_force(session, creditor_id, day)``, what commission, plans, sends,
  the engine, intake and the call queue read.
- ``mandates``: ``record_mandate`` and its signed document.
- ``contact``: ``contact_allowed(session, case, channel, at)``, the one check a sender makes
  of the creditor's mandate and channels; ``ContactBook`` for many at once.
- ``resegment``: a new segment rule or playbook reaches the open cases once.
- ``overview``: the onboarding state of each creditor and the creditor as ``show`` prints it.
"""
