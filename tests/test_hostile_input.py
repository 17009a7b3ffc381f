"""Bad input is a 4xx, never a 5xx: every route of the URL map, every method, as every kind of
caller, with hostile values for every path variable and every parameter the views read.

The parameters come from two places: what views declare through ``agency.web.params`` (query
strings, JSON) and their Flask-WTF form classes, and, so a view that reads a raw parameter is
not missed, every ``request.args/form/files.get("name")`` written in the blueprints. Each
example sends hostile values (NUL bytes, integers beyond 2^63, zero and negatives, malformed
dates, long and odd unicode strings, malformed JSON, multipart files) as a query string, a
form, a multipart body or a JSON body, with the CSRF token a browser would send. Hypothesis
runs with a fixed seed per route over a small fixed database, so CI sees the same requests every run.
"""
from __future__ import annotations

import inspect
import io
import os
import re
import zlib
from dataclasses import dataclass
from datetime import timedelta
from functools import lru_cache
from pathlib import Path
from urllib.parse import quote, urlencode

import pytest
from hypothesis import HealthCheck, given, seed, settings
from hypothesis import strategies as st

from agency.access import API, DEBTOR, PUBLIC
from agency.domain.playbook import load_builtin
from agency.models import Action, Partner, Portfolio
from agency.services.links import LinkSigner
from agency.services.directory import create_token
from agency.services.engine.playbooks import export_playbook, save_playbook
from agency.services.links import signer_from_config
from agency.services.partners import send_task
from agency.web.params import declared_parameters
from tests._workspace import WEDNESDAY, add_call, pair  # noqa: F401
from tests.conftest import T0
from tests.factories import PASSWORD

ROOT = Path(__file__).resolve().parent.parent
# CI runs the same requests each time; to search further by hand: HOSTILE_SEED=x HOSTILE_SCALE=5
SALT, SCALE = os.environ.get("HOSTILE_SEED", ""), int(os.environ.get("HOSTILE_SCALE", "1"))
RAW_READ = re.compile(r"""(?:request\.)?(?:args|form|files|values)\.get(?:list)?\(\s*["']([\w-]+)["']""")

HOSTILE = [
    "\x00", "RC-2026-000001\x00", "a\x00b", str(2 ** 63), str(2 ** 64 + 7), "9" * 40, "-1", "0",
    "-9223372036854775809", "1e309", "NaN", "", " ", "2026-02-30", "2026-13-01", "0000-00-00",
    "99999-01-01", "2026-03-04T25:00", "2026-03-04T10:00+99:00", "𝔘ñí©ødé ✓ 🧾", "' OR 1=1 --",
    "../../etc/passwd", "%00", "%s%n", "{bad json", "[]", '{"a": 1}', '{"Montant": ["x"]}',
    "null", "x" * 5000, "é" * 300, "\ud7ff\ue000", "\t\n\r", "<script>alert(1)</script>",
]
# Values that pass the first checks, so the requests also reach the code behind them.
PLAUSIBLE = ["reached", "no_answer", "promise", "callback", "wrong_number", "more", "approve",
             "reject", "round_robin", "fixed", "amicable", "open", "week", "json", "1", "2", "3",
             "2026-12-31", "2026-12-31T10:00", "2020-01-01", "75 000", "1.234,56", "fr", "en",
             "done", "queued", "/cases", "https://evil.example/"]


HOSTILE_VALUES = st.one_of(st.sampled_from(HOSTILE), st.integers(-2 ** 80, 2 ** 80).map(str),
                           st.text(min_size=1, max_size=40))
ANYTHING = st.one_of(st.sampled_from(HOSTILE), st.sampled_from(PLAUSIBLE), st.sampled_from(HOSTILE),
                     st.text(max_size=40), st.integers(-2 ** 70, 2 ** 70).map(str),
                     st.dates().map(str), st.datetimes().map(lambda d: d.isoformat(timespec="minutes")))


def scraped_parameter_names() -> set[str]:
    """Every parameter name a blueprint reads raw (``request.form.get("x")`` and alike)."""
    names = set()
    for folder in ("agency", "debtor_portal"):
        for path in (ROOT / folder).rglob("*.py"):
            if "cli" in path.parts or "migrations" in path.parts:
                continue
            names.update(RAW_READ.findall(path.read_text(encoding="utf-8")))
    return names


@dataclass
class Caller:
    """Who sends the requests: a role logged in, a token, a signed link, or nobody."""
    name: str
    email: str | None = None
    headers: dict | None = None
    tokens: dict | None = None  # endpoint -> the token its <token> variable takes
    csrf: tuple[str, str] | None = None  # the CSRF token of its session, and the page it came from


@dataclass
class World:
    paths: dict[str, str]  # a valid value of each path variable
    good: dict[str, list[str]]  # valid values of parameters, to reach the code behind the checks
    callers: list[Caller]


LINKS = LinkSigner("test-secret", "https://recouvra.test")  # the test app's SECRET_KEY


@pytest.fixture
def world(app, session, scope, tmp_path, make_creditor, make_case, make_user, pair):
    """A small fixed world: one creditor with a case, its call, an approval waiting, a
    partner's task, a stored playbook and a portfolio, and a user for every role."""
    creditor = make_creditor("HOST")
    first, second, lead = pair
    case = make_case(creditor)
    case.agent_id, case.team_id = first.id, first.team_id
    call = add_call(session, case, WEDNESDAY, assignee=first)
    approval = Action(case_id=case.id, kind="letter", due_at=T0, status="waiting_approval",
                      approval="pending", approver_role="team_lead", claim_ids=[], created_at=T0)
    partner = Partner(kind="bailiff", name="Me Diagne", email="etude@partner.test", country="SN")
    session.add_all([approval, partner])
    session.flush()
    sent = send_task(session, case=case, partner=partner, kind="bailiff", instructions="Signifier.",
                     links=LINKS, due_date=(T0 + timedelta(days=9)).date())
    version, _ = save_playbook(session, load_builtin("clinic-po02"))
    stored = tmp_path / "f.csv"
    stored.write_text("reference;debiteur;montant\nF1;Awa Diop;150000\n", encoding="utf-8")
    portfolio = Portfolio(creditor_id=creditor.id, filename="f.csv", stored_path=str(stored),
                          sha256="0" * 64, source="backoffice", status="uploaded", created_at=T0)
    session.add(portfolio)
    session.flush()
    users = {role: make_user(role) for role in ("admin", "direction")}
    users.update(team_lead=lead, agent=first, creditor=make_user("creditor", creditor="HOST"))
    _, api_token = create_token(session, creditor="HOST")
    signer = signer_from_config(app.config)
    debtor_tokens = {"debtor_portal.case": signer.case_token(case.id, case.reference),
                     "debtor_portal.set_language": signer.case_token(case.id, case.reference),
                     "debtor_portal.stop": signer.opt_out_url("sms", "+221771234567", case.debtor_id)
                     .rsplit("/", 1)[1]}
    paths = {"reference": case.reference, "ref": case.external_ref, "code": "en",
             "name": version.name, "action_id": str(call.id), "team_id": str(lead.team_id),
             "user_id": str(second.id), "portfolio_id": str(portfolio.id)}
    ids = {"action_id": (call.id, approval.id), "phone_id": (case.debtor.phones[0].id,),
           "from_agent": (first.id,), "to_agent": (second.id, first.id), "agent_id": (second.id,),
           "agent": (first.id,), "creditor_id": (creditor.id,), "creditor": (creditor.id, "HOST"),
           "partner_id": (partner.id,), "case_id": (case.id,), "team": (lead.team_id,),
           "version": (version.version,)}
    good = {name: [str(value) for value in values] for name, values in ids.items()}
    good.update(outcome=["promise", "callback", "no_answer", "wrong_number", "done"], quick=["busy"],
                promise_date=["2026-12-31"], promise_amount=["75 000"], callback_at=["2026-12-31T10:00"],
                until=["2026-12-31", ""], due_date=["2026-12-31"], date=["2026-03-02"],
                strategy=["fixed", "by_count"], decision=["approve", "reject"], reason=["congés"],
                note=["rappeler"], instructions=["Signifier."], period=["week"], format=["json"],
                page=["2"], per_page=["10"], q=[case.reference, "Diop"], phase=["amicable"],
                segment=["G"], status=["open", "sent"], role=["team_lead"], kind=["letter"],
                step=["AC-8W"], draft=["name: x"], text=[export_playbook(session, version.name)],
                header=["Montant"], field=["amount"], save=["1"], report=["Fait."],
                document=["rapport.pdf"], claims_page=["1"], entries_page=["2"], events_page=["1"], actions_page=["1"], mapping=['{"a": "b"}'], sheet=["Feuil1"])
    callers = [Caller("anonymous")]
    callers += [Caller(role, email=user.email) for role, user in users.items()]
    callers += [Caller("api", headers={"Authorization": f"Bearer {api_token}"}),
                Caller("debtor link", tokens=debtor_tokens),
                Caller("partner link", tokens={"partner_links.task": LINKS.partner_token(sent.task.link_nonce)})]
    return World(paths, good, callers)


def routes_for(app, caller: Caller) -> list[tuple]:
    """(rule, method, meant) for the caller: the routes meant for it (the public ones, for the
    anonymous), and, for the anonymous, every other route too (it must be turned away)."""
    found = []
    for rule in app.url_map.iter_rules():
        if rule.endpoint == "static" or rule.endpoint.endswith(".static"):
            continue
        allowed = app.view_functions[rule.endpoint].allowed
        meant = (caller.name in allowed or (caller.name == "anonymous" and PUBLIC in allowed)
                 or (caller.name == "api" and API in allowed)
                 or (rule.endpoint in (caller.tokens or {}) and DEBTOR in allowed))
        if meant or caller.name == "anonymous":
            found += [(rule, method, meant) for method in sorted(rule.methods - {"HEAD", "OPTIONS"})]
    return found


@lru_cache(maxsize=None)
def parameters_of(view) -> tuple[str, ...]:
    """What a view declares, and what it and the functions it calls read raw."""
    return tuple(sorted(set(declared_parameters(view)) | raw_reads(inspect.unwrap(view), depth=2)))


def raw_reads(function, depth: int) -> set[str]:
    source = inspect.getsource(function)
    names = set(RAW_READ.findall(source))
    if depth:
        for called in set(re.findall(r"(\w+)\(", source)):
            target = function.__globals__.get(called)
            if inspect.isfunction(target) and target is not function:
                names |= raw_reads(target, depth - 1)
    return names


def path_for(rule, values: dict) -> str:
    path = rule.rule
    for name in rule.arguments:
        path = re.sub(r"<(?:[^:<>]+:)?" + name + ">", quote(values[name], safe=""), path)
    return path


MOSTLY = st.sampled_from((True, True, True, False))
SOMETIMES = st.sampled_from((True, False, False, False))
BODIES = ("form",) * 6 + ("multipart", "multipart", "json", "raw_json", "query")


@st.composite
def requests(draw, app, rule, caller: Caller, world: World, names: list[str]):
    """A request to ``rule``: one path variable or parameter hostile and the others valid where
    a valid value is known (so the hostile one reaches the code behind the first checks), or,
    one time in four, every value drawn at random; a few parameters of other views too."""
    own = {**world.paths, "token": (caller.tokens or {}).get(rule.endpoint, "not-a-token")}
    own_names = parameters_of(app.view_functions[rule.endpoint])
    targets = [f"<{name}>" for name in rule.arguments] + list(own_names)
    target = draw(st.sampled_from(targets + ["*"])) if targets else "*"

    def value(name: str, good: list[str] | None) -> str:
        if target in (name, "*") or not good:
            return draw(HOSTILE_VALUES if target == name else ANYTHING)
        return draw(st.sampled_from(good))

    path_values = {name: value(f"<{name}>", [own.get(name, "1")]) for name in rule.arguments}
    chosen = [name for name in own_names
              if name == target or draw(MOSTLY if name in world.good else SOMETIMES)]
    chosen += draw(st.lists(st.sampled_from(names), max_size=2, unique=True))
    params = [(name, value(name, world.good.get(name))) for name in chosen
              for _ in range(draw(st.sampled_from((1, 1, 1, 2))))]
    return path_for(rule, path_values), params, draw(st.sampled_from(BODIES))


def send(client, caller: Caller, method: str, path: str, params: list, body: str):
    headers = dict(caller.headers or {})
    if method == "GET" or body == "query":
        return client.open(f"{path}?{urlencode(params)}" if params else path, method=method,
                           headers=headers)
    token, page = caller.csrf or client.csrf_token()
    caller.csrf = (token, page)
    headers.update({"X-CSRFToken": token, "Referer": page})
    if body == "json":
        return client.open(path, method=method, json=dict(params), headers=headers)
    if body == "raw_json":
        raw = params[0][1] if params else "{"
        return client.open(path, method=method, data=raw.encode("utf-8", "surrogatepass"),
                           headers={**headers, "Content-Type": "application/json"}, csrf=False)
    data = {"csrf_token": token}
    for name, value in params:
        data.setdefault(name, []).append(value)
    if body == "multipart":
        for name in list(dict.fromkeys(n for n, _ in params))[:2]:
            data[name] = (io.BytesIO(data[name][0].encode("utf-8", "surrogatepass")), data[name][0][:80])
    return client.open(path, method=method, data=data, headers=headers, csrf=False,
                       content_type="multipart/form-data" if body == "multipart" else None)


def examples_for(app, rule, meant: bool) -> int:
    """One request per path variable and per parameter of the view, and three more (at most
    nine); one to a route the caller must be turned away from."""
    own = len(rule.arguments) + len(parameters_of(app.view_functions[rule.endpoint]))
    return min(own + 3, 9) * SCALE if meant else 1


def explore(app, client, caller: Caller, rule, method: str, meant: bool, world: World,
            names: list[str]) -> list:
    """Send a few hostile requests to one route as ``caller``; the 5xx, described."""
    failures, endpoint = [], rule.endpoint

    @seed(zlib.crc32(f"{SALT}{caller.name} {method} {rule.rule}".encode()))  # CI sees the same
    @settings(max_examples=examples_for(app, rule, meant), deadline=None, database=None,
              suppress_health_check=list(HealthCheck))
    @given(requests(app, rule, caller, world, names))
    def one(request):
        path, params, body = request
        try:
            status = send(client, caller, method, path, params, body).status_code
        except Exception as exc:  # noqa: BLE001 - the app raised: a 500 in production
            status = f"500 {type(exc).__name__}: {str(exc)[:160]}"
        if os.environ.get("HOSTILE_LOG"):
            with open(os.environ["HOSTILE_LOG"], "a", encoding="utf-8") as log:
                log.write(f"{status} {caller.name} {method} {endpoint} {path[:60]} {body} {params!r}\n")
        if not isinstance(status, int) or status >= 500:
            failures.append((f"{method} {endpoint} -> {str(status)[:90]}",
                             f"{caller.name} {path[:80]!r} {body} {[(n, v[:30]) for n, v in params]!r}"))

    one()
    return failures


def login_as(client, caller: Caller) -> None:
    client.post("/logout")
    if caller.email:
        response = client.post("/login", data={"email": caller.email, "password": PASSWORD})
        assert response.status_code == 302, caller.name


def test_no_route_answers_a_5xx_to_hostile_input(app, client, world):
    names = sorted(scraped_parameter_names() | {n for view in app.view_functions.values()
                                                 for n in declared_parameters(view)})
    failures = []
    for caller in world.callers:
        login_as(client, caller)
        for rule, method, meant in routes_for(app, caller):
            failures += explore(app, client, caller, rule, method, meant, world, names)
    classes = {}
    for kind, example in failures:
        classes.setdefault(kind, example)
    assert not failures, f"{len(failures)} answers >= 500, {len(classes)} kinds:\n" + "\n".join(
        f"{kind}\n    e.g. {example[:300]}" for kind, example in sorted(classes.items()))


def test_the_world_knows_a_valid_value_of_every_declared_parameter(app, world):
    """So the hostile test reaches what lies behind each parameter's own check."""
    declared = {n for view in app.view_functions.values() for n in declared_parameters(view)}
    assert sorted(declared - set(world.good)) == []
