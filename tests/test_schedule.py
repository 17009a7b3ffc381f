from datetime import datetime, time, timedelta

from rq import Queue

from agency.domain.timezones import UTC
from workers.messages import send_due_messages
from workers.schedule import Periodic, enqueue_due


def test_slots():
    every = Periodic("x", send_due_messages, every=timedelta(minutes=5))
    assert every.latest_slot(datetime(2026, 3, 2, 9, 7, 30, tzinfo=UTC)) == datetime(2026, 3, 2, 9, 5, tzinfo=UTC)
    daily = Periodic("y", send_due_messages, at=time(6, 0), zone="Africa/Casablanca")
    # Casablanca is UTC+1 outside Ramadan: 06:00 local is 05:00 UTC.
    assert daily.latest_slot(datetime(2026, 11, 23, 4, 0, tzinfo=UTC)) == datetime(2026, 11, 22, 5, 0, tzinfo=UTC)
    assert daily.latest_slot(datetime(2026, 11, 23, 5, 0, tzinfo=UTC)) == datetime(2026, 11, 23, 5, 0, tzinfo=UTC)


def test_each_slot_is_enqueued_once_even_by_two_schedulers(redis_conn):
    now = datetime(2026, 3, 2, 9, 7, tzinfo=UTC)
    first = enqueue_due(redis_conn, now)
    second = enqueue_due(redis_conn, now + timedelta(seconds=30))
    assert first and second == []
    assert any("messages.send_due" in key for key in first)
    assert Queue("default", connection=redis_conn).count == len(
        [k for k in first if "messages." in k])
    later = enqueue_due(redis_conn, now + timedelta(minutes=5))
    assert any("messages.send_due" in key for key in later)
