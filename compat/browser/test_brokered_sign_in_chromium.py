"""Identity brokering in Debian's headless Chromium, driven by Playwright, with no outside service.

A second local runner is the upstream OpenID provider (with its development sign-in page); the first runner, the
broker, signs people in through it. pyoidc, a relying party of the broker that knows only the broker's issuer URL,
sends the browser to the broker; the browser ends on the upstream's sign-in page, the person signs in there and
approves the broker at the upstream's consent page, comes back through the broker's callback to the broker's own
consent page, and pyoidc receives an ID token from the broker whose sub is the mapping of the upstream's iss and
sub and whose profile claims are those typed at the upstream.

Browsers keep cookies per host, not per port: the upstream serves on localhost and the broker on 127.0.0.1, so the
two runners' asc_auth_key cookies stay apart, as two real providers' would.
"""
import base64
import hashlib
import json
import secrets
import socket
import urllib.parse
import urllib.request

import pytest

from conftest import start_local_service
from pyoidc_browser import Callback, RelyingParty, chromium, new_page, oic_messages

UPSTREAM_ID = "idp"
SIGN_IN_PATH = "/dev/sign-in"
# The variables a runner reads to broker: the upstream must not inherit any, the broker gets exactly the test's.
BROKERING_VARIABLES = ("LOGIN_URL", "UPSTREAM_ISSUER_URL", "UPSTREAM_ID", "UPSTREAM_CLIENT_ID", "UPSTREAM_CLIENT_SECRET",
                       "UPSTREAM_CLIENT_SECRET_ARN", "UPSTREAM_SCOPES", "UPSTREAM_SUBJECT_CLAIM",
                       "UPSTREAM_PROFILE_CLAIMS", "ISSUER")


def register(service, name, redirect_uri):
    """A confidential client registered through the runner's DocSpace API by its bootstrap admin; openid brings
    the profile and email scopes with it."""
    body = {"name": name, "description": "identity brokering in Chromium",
            "logo": "data:image/png;base64,iVBORw0KGgo=", "website_url": "https://rp.example.com",
            "terms_url": "https://rp.example.com/terms", "policy_url": "https://rp.example.com/privacy",
            "redirect_uris": [redirect_uri], "allowed_origins": ["https://rp.example.com"],
            "logout_redirect_uri": "https://rp.example.com/signed-out", "scopes": ["openid"], "allow_pkce": False}
    request = urllib.request.Request(service.url + "/api/2.0/clients", data=json.dumps(body).encode(), method="POST",
                                     headers={"Authorization": "Bearer " + service.token(),
                                              "x-api-key": service.api_key, "Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=30) as response:
        assert response.status == 201
        return json.loads(response.read())


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="module")
def runners(monkeypatch_module):
    """The upstream on localhost, then the broker on 127.0.0.1, registered at the upstream with its callback."""
    for name in BROKERING_VARIABLES:
        monkeypatch_module.delenv(name, raising=False)
    with start_local_service(["--host", "localhost"]) as upstream:
        assert upstream.url.startswith("http://localhost:"), upstream.url
        broker_port = free_port()
        broker_callback = f"http://127.0.0.1:{broker_port}/oauth2/upstream/{UPSTREAM_ID}/callback"
        broker_at_upstream = register(upstream, "The Broker", broker_callback)
        with start_local_service(["--port", str(broker_port)], {
                "UPSTREAM_ISSUER_URL": upstream.url, "UPSTREAM_ID": UPSTREAM_ID,
                "UPSTREAM_CLIENT_ID": broker_at_upstream["client_id"],
                "UPSTREAM_CLIENT_SECRET": broker_at_upstream["client_secret"]}) as broker:
            assert broker.url == f"http://127.0.0.1:{broker_port}", broker.url
            yield upstream, broker


@pytest.fixture(scope="module")
def monkeypatch_module():
    patch = pytest.MonkeyPatch()
    yield patch
    patch.undo()


@pytest.fixture()
def callback():
    server = Callback()
    yield server
    server.close()


@pytest.fixture()
def relying_party(runners, callback):
    _, broker = runners
    return RelyingParty(broker.url, register(broker, "Brokered <RP>", callback.url), callback)


@pytest.fixture()
def browser():
    with chromium() as instance:
        yield instance


def id_token_of(rp, query, state):
    """The callback's query checked by pyoidc (state, iss), the code exchanged and the ID token verified: signature
    against the broker's JWKS, iss, aud, exp, iat, at_hash and the request's nonce."""
    answer = rp.answer(query, state)
    assert isinstance(answer, oic_messages.AuthorizationResponse), answer.to_dict()
    return rp.redeem(answer)[1]


def cookies(page, url, name):
    return [cookie for cookie in page.context.cookies(url) if cookie["name"] == name]


def sign_in_through_upstream(page, upstream, broker, rp, username, name, email):
    """The relying party's request at the broker, the person's sign-in and approvals wherever they are asked;
    answers the state and the query that reached the relying party."""
    url, state = rp.authorization_url()
    page.visited.clear()
    page.goto(url)  # broker -> its start route -> the upstream's authorize -> the upstream's sign-in page
    assert page.url.startswith(upstream.url + SIGN_IN_PATH + "?"), f"expected the upstream's sign-in page: {page.url}"
    page.fill("input[name=username]", username)
    page.fill("input[name=name]", name)
    page.fill("input[name=email]", email)
    before = len(rp.callback.received)
    with page.expect_navigation(url=lambda url: SIGN_IN_PATH not in url):
        page.click("button[type=submit]")
    # the upstream's consent page (once per person and broker), then the broker's (once per person and client)
    for consent in (upstream.url, broker.url):
        if page.url.startswith(consent + "/oauth2/authorize"):
            assert page.locator("button[value=approve]").is_visible()
            with page.expect_navigation(url=lambda url: not url.startswith(consent + "/oauth2/authorize")):
                page.click("button[value=approve]")
    page.wait_for_url(lambda url: url.startswith(rp.callback.url))
    assert len(rp.callback.received) == before + 1
    return state, rp.callback.received[-1]


def mapped_subject(issuer, sub):
    """The broker's default mapping: base64url(SHA-256(iss + "\\n" + sub)) of the upstream's ID token."""
    digest = hashlib.sha256((issuer + "\n" + sub).encode()).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def test_a_person_signs_in_at_the_upstream_and_the_relying_party_gets_the_mapped_subject_and_profile(
        runners, relying_party, browser):
    upstream, broker = runners
    rp = relying_party
    assert rp.metadata["issuer"] == broker.url
    username = "ada-" + secrets.token_hex(4)
    page = new_page(browser)

    # WHEN the browser opens the relying party's request at the broker, with no session anywhere
    url, state = rp.authorization_url()
    page.goto(url)

    # THEN the broker handed it to its start route, which sent it to the upstream, which sent it to its sign-in page
    start = broker.url + f"/oauth2/upstream/{UPSTREAM_ID}/start?"
    assert any(visited.startswith(start) for visited in page.visited), page.visited
    to_upstream = next(urllib.parse.parse_qs(urllib.parse.urlsplit(visited).query) for visited in page.visited
                       if visited.startswith(upstream.url + "/oauth2/authorize?"))
    assert to_upstream["redirect_uri"] == [broker.url + f"/oauth2/upstream/{UPSTREAM_ID}/callback"]
    assert to_upstream["code_challenge_method"] == ["S256"] and to_upstream["nonce"] and to_upstream["state"]
    assert page.url.startswith(upstream.url + SIGN_IN_PATH + "?"), page.url
    # AND the broker bound the attempt to this browser with its state cookie, on its own host only
    state_cookie = cookies(page, broker.url + f"/oauth2/upstream/{UPSTREAM_ID}/callback", "asc_upstream_state")
    assert len(state_cookie) == 1 and state_cookie[0]["httpOnly"]

    # WHEN the person signs in at the upstream's page, typing their name and e-mail address
    page.fill("input[name=username]", username)
    page.fill("input[name=name]", "Ada Lovelace")
    page.fill("input[name=email]", "ada@example.com")
    with page.expect_navigation(url=lambda url: SIGN_IN_PATH not in url):
        page.click("button[type=submit]")

    # THEN the upstream asks them to let the broker in, naming it, with the upstream's session on the upstream's host
    assert page.url.startswith(upstream.url + "/oauth2/authorize"), page.url
    assert page.inner_text("#client-name") == "The Broker"
    assert cookies(page, upstream.url, "asc_auth_key") and not cookies(page, broker.url, "asc_auth_key")

    # WHEN they approve there, the upstream's answer reaches the broker's callback, which signs them in at the broker
    page.visited.clear()
    with page.expect_navigation(url=lambda url: url.startswith(broker.url + "/oauth2/authorize")):
        page.click("button[value=approve]")
    callback_url = next(visited for visited in page.visited
                        if visited.startswith(broker.url + f"/oauth2/upstream/{UPSTREAM_ID}/callback?"))
    broker_session = cookies(page, broker.url, "asc_auth_key")
    assert len(broker_session) == 1, page.context.cookies()
    assert not cookies(page, broker.url + f"/oauth2/upstream/{UPSTREAM_ID}/callback", "asc_upstream_state")

    # AND the broker's own consent page names the relying party; approving it sends the browser there with a code
    assert page.inner_text("#client-name") == "Brokered <RP>"
    with page.expect_navigation(url=lambda url: url.startswith(rp.callback.url)):
        page.click("button[value=approve]")

    # THEN pyoidc verifies the broker's ID token: its sub is the mapping of the upstream's iss and sub (the typed
    # user name), never the user name or e-mail, and its profile claims are the ones typed at the upstream
    first = id_token_of(rp, rp.callback.received[-1], state)
    assert first["iss"] == broker.url and relying_party.client.client_id in first["aud"]
    assert first["sub"] == mapped_subject(upstream.url, username)
    assert first["sub"] not in (username, "ada@example.com")
    assert first["name"] == "Ada Lovelace" and first["email"] == "ada@example.com"
    assert isinstance(first["auth_time"], int)
    userinfo = rp.client.do_user_info_request(state=state, method="GET")
    assert userinfo["sub"] == first["sub"] and userinfo["name"] == "Ada Lovelace"

    # WHEN the same browser opens the broker's callback again (a replay; its state cookie is gone)
    replay = page.goto(callback_url)
    # THEN a page says no sign-in was started here, and the broker's session is the one it had
    assert replay.status == 400 and "text/html" in replay.headers["content-type"]
    assert "No sign-in was started in this browser" in page.inner_text("body")
    assert "code=" not in page.content()
    assert cookies(page, broker.url, "asc_auth_key") == broker_session

    # WHEN another browser replays the callback with the very state cookie the attempt was bound to
    thief = new_page(browser)
    thief.context.add_cookies(state_cookie)
    replay = thief.goto(callback_url)
    # THEN the attempt was used once already: a page says so, and no session is minted
    assert replay.status == 400 and "text/html" in replay.headers["content-type"]
    assert "already used" in thief.inner_text("body")
    assert not cookies(thief, broker.url, "asc_auth_key")
    thief.context.close()

    # WHEN the same upstream person signs in again, in a fresh browser, through the same relying party
    again = new_page(browser)
    state, query = sign_in_through_upstream(again, upstream, broker, rp, username, "Ada King", "ada@example.org")
    second = id_token_of(rp, query, state)
    # THEN the subject is the same (stable for the upstream's iss and sub) and the profile is the new one typed
    assert second["sub"] == first["sub"]
    assert second["name"] == "Ada King" and second["email"] == "ada@example.org"
    again.context.close()

    # AND another upstream person gets another subject
    other = new_page(browser)
    state, query = sign_in_through_upstream(other, upstream, broker, rp, "grace-" + secrets.token_hex(4),
                                            "Grace Hopper", "grace@example.com")
    assert id_token_of(rp, query, state)["sub"] not in (first["sub"], username)
    other.context.close()
    page.context.close()
