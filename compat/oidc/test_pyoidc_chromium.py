"""pyoidc (oic 1.7.0, the OpenID Foundation-certified Python relying party) signs people in through the local
runner's development sign-in page in Debian's headless Chromium, driven by Playwright.

The relying party knows only the issuer URL and the client it was registered as (through the DocSpace API). The
browser starts with no session: the service hands it to the sign-in page, the person types a user name, approves
the consent page, and pyoidc exchanges the code and validates the ID token against the JWKS. Then the same
browser, still signed in, is sent back to the page by prompt=login and by an elapsed max_age, hears
login_required for prompt=none with max_age=0, and loses its session at the end_session_endpoint.
"""
import json
import secrets
import time
import urllib.parse
import urllib.request

import pytest

from pyoidc_browser import WAIT_MS, Callback, RelyingParty, chromium, new_page, oic_messages

SIGN_IN_PATH = "/dev/sign-in"


@pytest.fixture()
def callback():
    server = Callback()
    yield server
    server.close()


@pytest.fixture()
def registered(local_service, owner, callback):
    """A client registered through the DocSpace API for openid, with the loopback callback and logout URI."""
    body = {"name": "pyoidc relying party", "description": "oic 1.7.0 in Chromium",
            "logo": "data:image/png;base64,iVBORw0KGgo=", "website_url": "https://pyoidc.example.com",
            "terms_url": "https://pyoidc.example.com/terms", "policy_url": "https://pyoidc.example.com/privacy",
            "redirect_uris": [callback.url], "allowed_origins": ["https://pyoidc.example.com"],
            "logout_redirect_uri": callback.logout_url, "scopes": ["openid"], "allow_pkce": False}
    request = urllib.request.Request(local_service.url + "/api/2.0/clients", data=json.dumps(body).encode(),
                                     method="POST",
                                     headers={"Authorization": "Bearer " + owner.token(),
                                              "x-api-key": local_service.api_key, "Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=30) as response:
        assert response.status == 201
        return json.loads(response.read())


@pytest.fixture()
def browser():
    with chromium() as instance:
        yield instance


@pytest.fixture()
def page(browser):
    """One browser profile for the whole test: its cookies carry the session from one request to the next."""
    tab = new_page(browser)
    yield tab
    tab.context.close()


def open_until_sign_in(page, service, url):
    """Opens an authorization URL and expects the development sign-in page; answers its query."""
    page.visited.clear()
    page.goto(url)  # follows the service's redirects to the page they end on
    assert page.url.startswith(service.url + SIGN_IN_PATH + "?"), f"expected the sign-in page, ended on {page.url}"
    assert page.locator("input[name=username]").is_visible()
    return urllib.parse.parse_qs(urllib.parse.urlsplit(page.url).query)


def sign_in(page, username, name=None, email=None):
    """Fills the development sign-in form and submits it; the browser follows the link back to the request."""
    if username:  # else the page's own value, e.g. from the login_hint
        page.fill("input[name=username]", username)
    if name:
        page.fill("input[name=name]", name)
    if email:
        page.fill("input[name=email]", email)
    with page.expect_navigation(url=lambda url: SIGN_IN_PATH not in url, timeout=WAIT_MS):
        page.click("button[type=submit]")


def arrive_at_callback(page, callback, action):
    """Runs a browser action that must end at the relying party's callback; answers the query it received."""
    before = len(callback.received)
    with page.expect_navigation(url=lambda url: url.startswith(callback.url), timeout=WAIT_MS):
        action()
    assert len(callback.received) == before + 1
    return callback.received[-1]


def test_pyoidc_signs_in_through_the_page_and_prompt_login_asks_again(local_service, registered, callback, page):
    # GIVEN pyoidc, told only the issuer URL, and a browser with no session
    rp = RelyingParty(local_service.url, registered, callback)
    assert rp.metadata["issuer"] == local_service.url
    # pyoidc's own rules for the discovery document (required members, their types, openid among the scopes, a
    # token endpoint for code) hold; its last rule, an https issuer, cannot on loopback, so it sees one
    metadata = rp.metadata.to_dict()
    oic_messages.ProviderConfigurationResponse(**dict(metadata, issuer="https" + metadata["issuer"][4:])).verify()
    assert "S256" in rp.metadata["code_challenge_methods_supported"]
    assert page.context.cookies() == []
    username = "ada-" + secrets.token_hex(4)

    # WHEN the browser opens pyoidc's authorization request, it is handed to the sign-in page with a link back
    url, state = rp.authorization_url()
    hand_off = open_until_sign_in(page, local_service, url)
    assert hand_off["return_to"][0].startswith(local_service.url + "/oauth2/authorize?resume=")
    assert hand_off["client_id"] == [registered["client_id"]]

    # AND the person signs in: the link back brings the browser to the consent page, and approving it to the callback
    sign_in(page, username, name="Ada Lovelace", email="ada@example.com")
    assert page.url.startswith(local_service.url + "/oauth2/authorize")
    assert page.locator("button[value=approve]").is_visible()
    query = arrive_at_callback(page, callback, lambda: page.click("button[value=approve]"))

    # THEN pyoidc accepts the answer, redeems the code and validates the ID token: the person typed is its subject
    answer = rp.answer(query, state)
    assert isinstance(answer, oic_messages.AuthorizationResponse) and answer["state"] == state
    tokens, first = rp.redeem(answer)
    assert first["sub"] == username
    assert first["iss"] == local_service.url and registered["client_id"] in first["aud"]
    assert first["nonce"] == rp.requests[state][0]["nonce"]
    assert first["name"] == "Ada Lovelace" and first["email"] == "ada@example.com"
    assert isinstance(first["auth_time"], int) and abs(first["auth_time"] - time.time()) < 120
    userinfo = rp.client.do_user_info_request(state=state, method="GET")
    assert userinfo["sub"] == username

    # WHEN, a second later, pyoidc asks again with prompt=login while the session cookie is still there
    assert any(cookie["name"] == "asc_auth_key" for cookie in page.context.cookies())
    time.sleep(1.1)
    url, state = rp.authorization_url(prompt="login")
    before = len(callback.received)
    hand_off = open_until_sign_in(page, local_service, url)

    # THEN the browser is back on the sign-in page, told why, and no code reached the relying party
    assert hand_off["prompt"] == ["login"]
    assert "sign in again" in page.inner_text("body")
    assert len(callback.received) == before
    assert not any(visited.startswith(callback.url) for visited in page.visited)

    # WHEN the browser skips the page and follows the link back with the session it already has
    return_to = hand_off["return_to"][0]
    query = arrive_at_callback(page, callback, lambda: page.goto(return_to))

    # THEN the request comes back once and unmet: the relying party hears login_required, not a code
    refused = rp.answer(query, state)
    assert isinstance(refused, oic_messages.AuthorizationErrorResponse), refused.to_dict()
    assert refused["error"] == "login_required" and refused["state"] == state

    # WHEN the person returns to the sign-in page and signs in, the consent already given lets them through
    page.go_back()
    assert page.url.startswith(local_service.url + SIGN_IN_PATH + "?"), page.url
    query = arrive_at_callback(page, callback, lambda: sign_in(page, username))

    # THEN the new ID token's sign-in is the later one
    _, second = rp.redeem(rp.answer(query, state))
    assert second["sub"] == username
    assert second["auth_time"] > first["auth_time"]


def test_an_elapsed_max_age_asks_again_and_prompt_none_hears_login_required(local_service, registered, callback,
                                                                           page):
    # GIVEN a person signed in through pyoidc's first request
    rp = RelyingParty(local_service.url, registered, callback)
    username = "grace-" + secrets.token_hex(4)
    url, state = rp.authorization_url()
    open_until_sign_in(page, local_service, url)
    sign_in(page, username)
    query = arrive_at_callback(page, callback, lambda: page.click("button[value=approve]"))
    _, first = rp.redeem(rp.answer(query, state))

    # WHEN two seconds later pyoidc asks with max_age=1
    time.sleep(2)
    url, state = rp.authorization_url(max_age=1, login_hint=username)
    before = len(callback.received)
    hand_off = open_until_sign_in(page, local_service, url)

    # THEN the sign-in is too old: the browser is on the sign-in page, and the relying party heard nothing
    assert hand_off["max_age"] == ["1"]
    assert len(callback.received) == before
    # AND the page offers the person the relying party named
    assert page.input_value("input[name=username]") == username

    # WHEN the person signs in again, the code's ID token carries a sign-in made after the request began
    started = int(time.time())
    query = arrive_at_callback(page, callback, lambda: sign_in(page, ""))
    _, renewed = rp.redeem(rp.answer(query, state))
    assert renewed["sub"] == username
    assert renewed["auth_time"] >= started > first["auth_time"]

    # WHEN pyoidc asks with prompt=none and max_age=0 (a sign-in after the request, which prompt=none cannot give)
    url, state = rp.authorization_url(prompt="none", max_age=0)
    page.visited.clear()
    query = arrive_at_callback(page, callback, lambda: page.goto(url))

    # THEN the relying party hears login_required at once, and the browser never saw the sign-in page
    answer = rp.answer(query, state)
    assert isinstance(answer, oic_messages.AuthorizationErrorResponse), answer.to_dict()
    assert answer["error"] == "login_required" and answer["state"] == state
    assert not any(SIGN_IN_PATH in visited for visited in page.visited), page.visited


def test_rp_initiated_logout_ends_the_session_for_the_next_request(local_service, registered, callback, page):
    # GIVEN a person signed in through pyoidc, and a prompt=none request that then succeeds silently
    rp = RelyingParty(local_service.url, registered, callback)
    username = "alan-" + secrets.token_hex(4)
    url, state = rp.authorization_url()
    open_until_sign_in(page, local_service, url)
    sign_in(page, username)
    query = arrive_at_callback(page, callback, lambda: page.click("button[value=approve]"))
    _, id_token = rp.redeem(rp.answer(query, state))
    url, state = rp.authorization_url(prompt="none")
    assert "code" in rp.answer(arrive_at_callback(page, callback, lambda: page.goto(url)), state)

    # WHEN pyoidc sends the browser to the end_session_endpoint with the ID token as its hint
    logout_state = secrets.token_urlsafe(12)
    logout = rp.client.construct_EndSessionRequest(request_args={
        "id_token_hint": id_token.jwt, "post_logout_redirect_uri": callback.logout_url, "state": logout_state})
    with page.expect_navigation(url=lambda url: url.startswith(callback.logout_url), timeout=WAIT_MS):
        page.goto(logout.request(rp.client.end_session_endpoint))

    # THEN the browser lands on the registered logout URI with the state
    assert urllib.parse.parse_qs(callback.signed_out[-1])["state"] == [logout_state]

    # AND the next prompt=none request hears login_required: nobody is signed in any more
    url, state = rp.authorization_url(prompt="none")
    answer = rp.answer(arrive_at_callback(page, callback, lambda: page.goto(url)), state)
    assert isinstance(answer, oic_messages.AuthorizationErrorResponse), answer.to_dict()
    assert answer["error"] == "login_required"
