"""The agents' call workspace: who holds which case (``assignment``), the call queue of an
agent and its pair (``worklist``, read by ``queue_sql`` and ``stream`` under the contact
rules' ``facts``), logging a call and its follow-ups (``log``), promises to pay
(``promises``) and the team lead's figures (``supervision``)."""
