"""The call queue through the database: who appears, who does not, and in which order."""
import json
from datetime import date, datetime, timedelta

from agency.domain.timezones import UTC
from agency.models import CallLog
from agency.services.calls.worklist import QueueReason, build_worklist, queue_status
from tests._workspace import WEDNESDAY, add_call, assigned_case, local, pair  # noqa: F401

DAKAR = "Africa/Dakar"


def refs(session, agent, now):
    return [e.case for e in build_worklist(session, agent, now)]


def log(session, case, at, *, reached=False, agent=None, callback_at=None):
    session.add(CallLog(case_id=case.id, debtor_id=case.debtor_id, agent_id=agent.id if agent else None,
                        at=at, outcome="reached" if reached else "no_answer", reached=reached,
                        callback_at=callback_at))
    session.flush()


def test_a_due_call_appears_with_what_the_agent_needs(session, pair, assigned_case):
    case = assigned_case()
    add_call(session, case, WEDNESDAY - timedelta(hours=1))
    (entry,) = build_worklist(session, pair[0], WEDNESDAY)
    document = entry.document()
    assert document["case"] == case.reference and document["external_ref"] == case.external_ref
    assert document["debtor"] == "Awa Diop" and document["phone"] == "+221771234567"
    assert document["local_time"].startswith("2026-03-04T10:00") and document["reason"] == "due_step"
    assert build_worklist(session, pair[1], WEDNESDAY) == []  # the other agent's queue


def test_assigned_action_follows_its_assignee_not_the_case(session, pair, assigned_case):
    case = assigned_case()
    add_call(session, case, WEDNESDAY, assignee=pair[1])
    assert refs(session, pair[0], WEDNESDAY) == []
    assert refs(session, pair[1], WEDNESDAY) == [case.reference]


def test_not_due_held_closed_or_done_cases_stay_out(session, pair, assigned_case):
    future, held, closed, done = (assigned_case() for _ in range(4))
    add_call(session, future, WEDNESDAY + timedelta(minutes=1))
    add_call(session, held, WEDNESDAY)
    add_call(session, closed, WEDNESDAY)
    add_call(session, done, WEDNESDAY, status="done")
    held.hold_until, held.hold_reason, held.hold_approved_by = date(2026, 3, 10), "délai", "DO"
    closed.status = "closed"
    session.flush()
    assert refs(session, pair[0], WEDNESDAY) == []
    assert queue_status(session, held, WEDNESDAY).reasons[0] == QueueReason("case_held", date(2026, 3, 10))
    later = queue_status(session, future, WEDNESDAY).reasons[0]
    assert (later.code, later.at) == ("call_later", WEDNESDAY + timedelta(minutes=1))


def test_window_weekend_and_holiday_in_the_debtors_time(session, pair, assigned_case, make_debtor):
    dakar = assigned_case()
    paris = assigned_case(debtor=make_debtor("Jean Martin", country="FR", phones=("+33612345678",)))
    for case in (dakar, paris):
        add_call(session, case, datetime(2026, 3, 1, tzinfo=UTC))
    assert refs(session, pair[0], local(DAKAR, 2026, 3, 4, 6, 59)) == []  # 07:59 in Paris
    assert refs(session, pair[0], local(DAKAR, 2026, 3, 4, 7, 30)) == [paris.reference]
    assert set(refs(session, pair[0], local(DAKAR, 2026, 3, 4, 8, 30))) == {dakar.reference, paris.reference}
    # 17:30 in Dakar is 18:30 in Paris: only the Dakar debtor is still in the classic window
    assert refs(session, pair[0], local(DAKAR, 2026, 3, 4, 17, 30)) == [dakar.reference]
    assert refs(session, pair[0], local(DAKAR, 2026, 3, 7, 10)) == []  # Saturday
    assert refs(session, pair[0], local(DAKAR, 2026, 4, 6, 10)) == []  # Easter Monday in both
    status = queue_status(session, dakar, local(DAKAR, 2026, 4, 6, 10))
    assert not status.in_queue and status.reasons[0] == QueueReason("holiday", local(DAKAR, 2026, 4, 7, 8), True)
    assert status.next_allowed_at == local(DAKAR, 2026, 4, 7, 8)


def test_evening_only_for_debtors_not_reached_earlier_today(session, pair, assigned_case, make_debtor):
    tried = assigned_case()
    fresh = assigned_case(debtor=make_debtor("Fatou Sall", phones=("+221770000001",)))
    for case in (tried, fresh):
        add_call(session, case, datetime(2026, 3, 1, tzinfo=UTC))
    log(session, tried, local(DAKAR, 2026, 3, 4, 11))
    assert refs(session, pair[0], local(DAKAR, 2026, 3, 4, 19)) == [tried.reference]
    assert refs(session, pair[0], local(DAKAR, 2026, 3, 4, 21)) == []


def test_caps_block_and_the_case_page_says_why(session, pair, assigned_case, make_debtor):
    capped = assigned_case()
    talked = assigned_case(debtor=make_debtor("Ousmane Ba", phones=("+221770000002",)))
    for case in (capped, talked):
        add_call(session, case, datetime(2026, 2, 1, tzinfo=UTC))
    for day in range(7):
        log(session, capped, local(DAKAR, 2026, 2, 26, 9) + timedelta(days=day, minutes=day))
    log(session, talked, local(DAKAR, 2026, 3, 2, 9), reached=True)
    now = local(DAKAR, 2026, 3, 4, 10)
    assert refs(session, pair[0], now) == []
    assert queue_status(session, capped, now).reasons[0].code == "attempt_cap"
    assert queue_status(session, talked, now).reasons[0].code == "quiet_after_conversation"
    # the debtor asked to be called back today at 10:00: the quiet period gives way
    log(session, talked, local(DAKAR, 2026, 3, 2, 9, 5), reached=True, callback_at=now)
    assert refs(session, pair[0], now) == [talked.reference]


def test_a_debtor_reached_today_by_a_colleague_is_not_proposed(session, pair, assigned_case):
    case = assigned_case()
    add_call(session, case, WEDNESDAY - timedelta(hours=2))
    session.add(CallLog(case_id=case.id, debtor_id=case.debtor_id, agent_id=pair[2].id,
                        at=WEDNESDAY - timedelta(hours=1), outcome="callback", reached=True,
                        callback_at=WEDNESDAY - timedelta(minutes=30)))
    session.flush()
    assert refs(session, pair[0], WEDNESDAY) == []
    assert queue_status(session, case, WEDNESDAY).reasons == (QueueReason("reached_by_colleague"),)


def test_order_callbacks_first_then_balance(session, pair, assigned_case, make_debtor):
    small = assigned_case(amounts=(10_000,))
    large = assigned_case(debtor=make_debtor("Grand Compte", phones=("+221770000003",)), amounts=(9_000_000,))
    asked = assigned_case(debtor=make_debtor("Rappel", phones=("+221770000004",)), amounts=(5_000,))
    add_call(session, small, WEDNESDAY - timedelta(days=1))
    add_call(session, large, WEDNESDAY - timedelta(hours=1))
    add_call(session, asked, WEDNESDAY - timedelta(minutes=5), kind="callback")
    assert refs(session, pair[0], WEDNESDAY) == [asked.reference, large.reference, small.reference]
    assert build_worklist(session, pair[0], WEDNESDAY)[0].reason.value == "promised_callback"


def test_one_entry_per_debtor(session, pair, assigned_case, make_debtor):
    debtor = make_debtor("Deux Dossiers", phones=("+221770000005",))
    first, second = assigned_case(debtor=debtor), assigned_case(debtor=debtor, amounts=(900_000,))
    add_call(session, first, WEDNESDAY)
    add_call(session, second, WEDNESDAY)
    assert refs(session, pair[0], WEDNESDAY) == [second.reference]


def test_cover_for_an_absent_partner(session, pair, assigned_case):
    case = assigned_case(pair[1])
    add_call(session, case, WEDNESDAY)
    assert refs(session, pair[0], WEDNESDAY) == []
    pair[1].absent_until = date(2026, 3, 4)
    session.flush()
    assert refs(session, pair[0], WEDNESDAY) == [case.reference]
    assert refs(session, pair[0], WEDNESDAY + timedelta(days=1)) == []  # back on Thursday


def test_creditor_policy_narrows_the_window(session, pair, assigned_case, make_creditor):
    strict = make_creditor("STRICT", terms={"contact_hours": {"default": {
        "classic_close": "17:00", "extended_close": "17:00"}, "SN": {"call_open": "09:00"}}})
    case = assigned_case(creditor=strict)
    add_call(session, case, WEDNESDAY - timedelta(days=1))
    assert refs(session, pair[0], local(DAKAR, 2026, 3, 4, 8, 30)) == []
    assert refs(session, pair[0], local(DAKAR, 2026, 3, 4, 9, 30)) == [case.reference]
    assert refs(session, pair[0], local(DAKAR, 2026, 3, 4, 17, 30)) == []


def test_no_working_number(session, pair, assigned_case):
    case = assigned_case()
    add_call(session, case, WEDNESDAY)
    case.debtor.phones[0].status = "wrong"
    session.flush()
    assert refs(session, pair[0], WEDNESDAY) == []
    assert queue_status(session, case, WEDNESDAY).reasons == (QueueReason("no_working_phone"),)


def test_cli_prints_the_queue_as_json(runner, session, pair, assigned_case):
    case = assigned_case()
    add_call(session, case, WEDNESDAY)
    result = runner.invoke(["worklist", "--agent", pair[0].email, "--at", "2026-03-04T10:00:00Z", "--json"])
    assert result.exit_code == 0, result.output
    (entry,) = json.loads(result.output)
    assert {k: entry[k] for k in ("case", "external_ref", "debtor", "phone", "reason")} == {
        "case": case.reference, "external_ref": case.external_ref, "debtor": "Awa Diop",
        "phone": "+221771234567", "reason": "due_step"}
    assert entry["local_time"] == "2026-03-04T10:00:00+00:00"
    night = runner.invoke(["worklist", "--agent", pair[0].email, "--at", "2026-03-04T23:00:00", "--json"])
    assert json.loads(night.output) == []
    unknown = runner.invoke(["worklist", "--agent", "nobody@x.test", "--json"])
    assert unknown.exit_code == 1 and json.loads(unknown.output)["ok"] is False


def test_the_page_is_the_first_entries_of_the_whole_queue(session, pair, assigned_case, make_debtor,
                                                           make_creditor):
    from agency.models import PaymentPromise
    from agency.services.calls.worklist import worklist_page
    cases, creditors = [], {"XOF": make_creditor("FCFA"), "EUR": make_creditor("EURO", currency="EUR")}
    for number in range(34):  # equal balances, two currencies, call-backs, promises, a partner's case
        debtor = make_debtor(f"Débiteur {number}", phones=(f"+2217700{number:05d}",))
        amount = (5_000, 90_000, 90_000, 1_000_000)[number % 4]
        case = assigned_case(pair[1] if number % 11 == 5 else None, debtor=debtor, amounts=(amount,),
                             creditor=creditors["EUR" if number % 5 == 0 else "XOF"])
        kind = "callback" if number % 9 == 0 else "counter_call" if number % 7 == 0 else "call"
        add_call(session, case, WEDNESDAY - timedelta(minutes=number), kind=kind,
                 assignee=pair[0] if number % 11 == 5 else None)
        if number % 6 == 1:  # as agency.services.calls.promises records one
            case.promised_date = date(2026, 3, 10 + number % 3)
            session.add(PaymentPromise(case_id=case.id, promised_date=case.promised_date,
                                       amount_minor=1000, currency=case.currency, status="open",
                                       created_at=WEDNESDAY))
        if number % 8 == 3:
            log(session, case, WEDNESDAY - timedelta(days=2, hours=number))
        cases.append(case)
    session.flush()
    everything = build_worklist(session, pair[0], WEDNESDAY)
    assert len(everything) == 34
    for size in (1, 5, 25, 34, 40):
        page = worklist_page(session, pair[0], WEDNESDAY, size)
        assert page.entries == everything[:size] and page.complete == (size >= 34)
