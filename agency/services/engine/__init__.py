"""The playbook engine: the daily pass (``daily.run_pass``) that creates each case's next
actions, decided set-based in SQL (``batch``, ``decide``) or one case at a time with the
domain's ``schedule.evaluate`` (``python_path``); what it does with its actions
(``effects``: handovers, closing finished steps, ending actions through
``agency.services.actions``); enrolment and "look again" marks (``sweep``);
derogations (``holds``); stored playbook versions (``playbooks``); and a case's plan as
staff see it (``plan``)."""
