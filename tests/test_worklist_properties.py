"""Property test through the service and the database: random debtors in four zones, random
call actions and attempts, random instants over three years; the queue holds exactly the
debtors the rules (restated plainly below) allow, and never one outside them."""
from datetime import date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

import holidays
from hypothesis import HealthCheck, event, given, settings, strategies as st

from agency.domain.contact_rules import ContactPolicy
from agency.domain.timezones import UTC
from agency.models import CallLog
from agency.services.calls.worklist import build_worklist
from tests._workspace import add_call, pair  # noqa: F401

DEBTORS = [("Africa/Dakar", "SN", "+22177{:07d}"), ("Africa/Casablanca", "MA", "+2126{:08d}"),
           ("Africa/Ouagadougou", "BF", "+22670{:06d}"), ("Europe/Paris", "FR", "+336{:08d}")]
POLICIES = [{}, {"classic_close": "17:00", "extended_close": "19:30", "max_attempts": 4},
            {"call_open": "09:30", "rest_days": ["friday", "saturday", "sunday"], "quiet_days": 9}]

# mostly daytime in the four zones (hypothesis favours the first hours listed), so queues are often full
HOURS = [10, 14, 9, 16, 19, 11, 20, 8, 17, 12, 7, 13, 15, 18, 21, 22, 6, 23, 0, 3]
instants = st.one_of(
    st.builds(lambda day, hour, minute: datetime.combine(day, time(hour, minute)),
              st.dates(min_value=date(2025, 1, 1), max_value=date(2027, 12, 31)),
              st.sampled_from(HOURS), st.integers(0, 59)),
    st.datetimes(min_value=datetime(2025, 1, 1), max_value=datetime(2027, 12, 31)),
).map(lambda t: t.replace(microsecond=0, tzinfo=UTC))
debtor_plans = st.lists(st.tuples(
    st.sampled_from(range(len(DEBTORS))),
    st.integers(-600, 60),  # minutes from the instant to the action's due time
    st.lists(st.tuples(st.integers(1, 60 * 24 * 14), st.sampled_from([False, False, False, True])), max_size=8),  # attempts: minutes ago, reached
), min_size=1, max_size=4)


@lru_cache(maxsize=None)
def holiday_table(country: str):
    return holidays.country_holidays(country, years=range(2024, 2029))


def allowed(now: datetime, zone: str, country: str, policy: ContactPolicy, attempts) -> bool:
    tz = ZoneInfo(zone)
    local = now.astimezone(tz)
    day, wall = local.date(), local.time()
    if day.weekday() in policy.rest_days or day in holiday_table(country):
        return False
    if not policy.call_open <= wall < policy.extended_close:
        return False
    days = [(at.astimezone(tz).date(), reached) for at, reached in attempts if at <= now]
    if sum(1 for d, _ in days if (day - d).days < policy.attempt_period_days) >= policy.max_attempts:
        return False
    if any(reached and (day - d).days < policy.quiet_days for d, reached in days):
        return False
    if wall >= policy.classic_close:  # the evening: only after a failed call today
        today = [reached for d, reached in days if d == day]
        return bool(today) and not any(today)
    return True


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(now=instants, plans=debtor_plans, policy_index=st.sampled_from(range(len(POLICIES))))
def test_the_queue_is_exactly_what_the_rules_allow(session, scope, pair, make_case, make_creditor, make_debtor,
                                                    now, plans, policy_index):
    agent = pair[0]
    with session.begin_nested() as savepoint:
        creditor = make_creditor(terms={"contact_hours": POLICIES[policy_index]})
        policy = ContactPolicy.from_dict(POLICIES[policy_index])
        expected, cases = set(), {}
        for number, (which, due_minutes, attempts) in enumerate(plans):
            zone, country, phone = DEBTORS[which]
            debtor = make_debtor(f"Débiteur {number}", country=country, phones=(phone.format(number + 1),))
            case = make_case(creditor, debtor)
            case.agent_id = agent.id
            due_at = now + timedelta(minutes=due_minutes)
            add_call(session, case, due_at)
            history = [(now - timedelta(minutes=m), reached) for m, reached in attempts]
            for at, reached in history:
                session.add(CallLog(case_id=case.id, debtor_id=debtor.id, agent_id=agent.id, at=at,
                                    outcome="reached" if reached else "no_answer", reached=reached))
            session.flush()
            cases[case.reference] = (zone, country, history)
            if due_at <= now and allowed(now, zone, country, policy, history):
                expected.add(case.reference)
        queue = build_worklist(session, agent, now)
        for entry in queue:
            zone, country, history = cases[entry.case]
            assert allowed(now, zone, country, policy, history), (entry.case, now, zone)
            assert entry.local_time.utcoffset() == now.astimezone(ZoneInfo(zone)).utcoffset()
            assert time(8) <= entry.local_time.time() < time(21)
        assert {e.case for e in queue} == expected
        event(f"queue holds {min(len(queue), 2)}+ debtors")
        savepoint.rollback()
