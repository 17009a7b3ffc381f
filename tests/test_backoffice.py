from agency import create_app


def test_login_then_search_and_open_a_case(client, login, make_user, make_case, make_creditor,
                                           make_debtor):
    creditor = make_creditor("CLIN")
    case = make_case(creditor, make_debtor("Société Générale de Banques", phones=("+221338221100",)),
                     amounts=(51_896_617,))
    other = make_case(creditor, make_debtor("Transvie", phones=("+221776543210",)))
    login(make_user("agent"))
    for query in (case.reference, "societe generale", "33 822 11 00", case.external_ref):
        html = client.get("/cases", query_string={"q": query}).get_data(as_text=True)
        assert f"/cases/{case.reference}" in html, query
        assert f"/cases/{other.reference}" not in html, query
    html = client.get(f"/cases/{case.reference}").get_data(as_text=True)
    assert "51\u202f896\u202f617\u00a0F\u202fCFA" in html  # babel's fr spacing
    assert "+221338221100" in html and "Dossier ouvert" in html and "case.created" not in html


def test_filters(client, login, make_user, make_case, make_creditor):
    a, b = make_creditor("AAA"), make_creditor("BBB")
    case_a, case_b = make_case(a, segment="G"), make_case(b, segment="P")
    login(make_user("team_lead"))
    html = client.get("/cases?creditor=AAA").get_data(as_text=True)
    assert case_a.reference in html and case_b.reference not in html
    html = client.get("/cases?segment=P").get_data(as_text=True)
    assert case_b.reference in html and case_a.reference not in html
    html = client.get("/cases?phase=judicial").get_data(as_text=True)
    assert case_a.reference not in html


def test_wrong_password_is_refused(client, make_user):
    user = make_user("agent")
    response = client.post("/login", data={"email": user.email, "password": "wrong"})
    assert response.status_code == 200 and "incorrect" in response.get_data(as_text=True)


def test_french_by_default_english_on_request(client, login, make_user):
    user = make_user("agent")
    login(user)
    assert "Dossiers" in client.get("/cases").get_data(as_text=True)
    client.post("/lang/en")
    html = client.get("/cases").get_data(as_text=True)
    assert "Cases" in html and "Log out" in html


def test_forms_require_csrf_outside_tests(app, make_user):
    strict = create_app({"TESTING": True, "SECRET_KEY": "x",
                         "SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"]})
    user = make_user("agent")
    response = strict.test_client().post("/login", data={"email": user.email, "password": "x"})
    assert response.status_code == 400


def test_no_page_loads_anything_from_another_host(client, login, make_user, make_case):
    case = make_case()
    login(make_user("admin"))
    for url in ("/login", "/cases", f"/cases/{case.reference}", "/creditors"):
        response = client.get(url)
        html = response.get_data(as_text=True)
        assert "http://" not in html.replace("http://recouvra.test", "") and "https://" not in html, url
        assert "default-src 'self'" in response.headers["Content-Security-Policy"]
