"""Use cases: (session, ids, actor, now) -> result. No Flask, never commits."""
