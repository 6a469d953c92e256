"""The authorization code flow in a real browser: Debian's headless Chromium, driven by Playwright.

A user signed in to this service (their access token in the asc_auth_key cookie) opens a client's
authorization link, sees the consent page, approves, and the browser follows the redirect to the
client's callback, served here on loopback. The client then exchanges the code with its PKCE verifier,
as an application would. This also proves the page's Content-Security-Policy lets the form's redirect
through in a browser that enforces form-action.
"""
import base64
import hashlib
import http.server
import json
import os
import secrets
import shutil
import threading
import urllib.parse
import urllib.request

import pytest

CHROMIUM = os.environ.get("CHROMIUM", shutil.which("chromium") or "/usr/bin/chromium")
playwright_api = pytest.importorskip("playwright.sync_api")


class Callback:
    """The client application's redirect URI: records the query of every request it receives."""

    def __init__(self):
        received = self.received = []

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):
                url = urllib.parse.urlsplit(self.path)
                if url.path == "/callback":  # not the browser's /favicon.ico
                    received.append(urllib.parse.parse_qs(url.query))
                body = b"<!doctype html><title>callback</title><p id=done>signed in</p>"
                self.send_response(200)
                self.send_header("Content-Type", "text/html")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/callback"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        self.server.shutdown()


def call(service, method, path, token=None, json_body=None, form=None, api_key=False):
    headers = {}
    data = None
    if token:
        headers["Authorization"] = "Bearer " + token
    if api_key:
        headers["x-api-key"] = service.api_key
    if json_body is not None:
        data = json.dumps(json_body).encode()
        headers["Content-Type"] = "application/json"
    if form is not None:
        data = urllib.parse.urlencode(form).encode()
        headers["Content-Type"] = "application/x-www-form-urlencoded"
    request = urllib.request.Request(service.url + path, data=data, headers=headers, method=method)
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, json.loads(response.read() or b"null")
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read() or b"null")


@pytest.fixture()
def callback():
    server = Callback()
    yield server
    server.close()


@pytest.fixture()
def app(local_service, owner, callback):
    """A DocSpace client registered for the callback, with PKCE allowed (so it may also be public)."""
    status, created = call(local_service, "POST", "/api/2.0/clients", token=owner.token(), api_key=True,
                           json_body={"name": "Browser <Test> App", "description": "consent page in Chromium",
                                      "logo": "data:image/png;base64,iVBORw0KGgo=",
                                      "website_url": "https://app.example.com",
                                      "terms_url": "https://app.example.com/terms",
                                      "policy_url": "https://app.example.com/privacy",
                                      "redirect_uris": [callback.url], "allowed_origins": ["https://app.example.com"],
                                      "logout_redirect_uri": "https://app.example.com/bye",
                                      "scopes": ["openid", "files:read"], "allow_pkce": True})
    assert status == 201, created
    return created


@pytest.fixture()
def browser():
    if not os.path.exists(CHROMIUM):
        pytest.fail(f"Chromium not found at {CHROMIUM}: install Debian's chromium package (.ci/run does)")
    with playwright_api.sync_playwright() as playwright:
        instance = playwright.chromium.launch(executable_path=CHROMIUM, headless=True,
                                              args=["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"])
        yield instance
        instance.close()


def test_a_user_approves_in_chromium_and_the_client_exchanges_the_code(local_service, app, callback, browser):
    # GIVEN a signed-in user: their token of this service sits in the asc_auth_key cookie
    user_token = local_service.token()
    user = json.loads(base64.urlsafe_b64decode(user_token.split(".")[1] + "==").decode())["sub"]
    context = browser.new_context()
    context.add_cookies([{"name": "asc_auth_key", "value": user_token, "url": local_service.url}])
    page = context.new_page()

    # WHEN they open the client's authorization link
    verifier = secrets.token_urlsafe(48)
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
    state = secrets.token_urlsafe(12)
    query = urllib.parse.urlencode({"response_type": "code", "client_id": app["client_id"],
                                    "redirect_uri": callback.url, "scope": "openid files:read", "state": state,
                                    "code_challenge": challenge, "code_challenge_method": "S256"})
    response = page.goto(f"{local_service.url}/oauth2/authorize?{query}")

    # THEN the consent page names the client as text (not markup) and the scopes it asks for
    assert response.status == 200
    assert page.inner_text("#client-name") == "Browser <Test> App"
    assert "View your files" in page.inner_text("#scopes")
    assert response.headers["x-frame-options"] == "DENY"

    # WHEN they approve, the browser is sent to the client's callback with a code, the state and the issuer
    with page.expect_navigation(url=lambda url: url.startswith(callback.url)):
        page.click("button[value=approve]")
    assert page.inner_text("#done") == "signed in"
    received = callback.received[-1]
    assert received["state"] == [state]
    assert received["iss"] == [local_service.url]

    # AND the client turns the code and its verifier into tokens for the user
    status, tokens = call(local_service, "POST", "/oauth2/token",
                          form={"grant_type": "authorization_code", "code": received["code"][0],
                                "redirect_uri": callback.url, "client_id": app["client_id"],
                                "code_verifier": verifier})
    assert status == 200, tokens
    assert tokens["scope"] == "openid files:read"
    assert tokens["refresh_token"]
    status, introspected = call(local_service, "POST", "/oauth2/introspect",
                                form={"token": tokens["access_token"], "client_id": app["client_id"],
                                      "client_secret": app["client_secret"]})
    assert status == 200 and introspected["active"] is True
    assert introspected["sub"] == user and introspected["client_id"] == app["client_id"]

    # AND the next visit skips the page: the consent is remembered
    with page.expect_navigation(url=lambda url: url.startswith(callback.url)):
        page.goto(f"{local_service.url}/oauth2/authorize?{query}")
    assert "code" in callback.received[-1]
    context.close()


def test_denying_in_chromium_returns_access_denied(local_service, app, callback, browser):
    context = browser.new_context()
    context.add_cookies([{"name": "asc_auth_key", "value": local_service.token(), "url": local_service.url}])
    page = context.new_page()
    challenge = base64.urlsafe_b64encode(hashlib.sha256(b"x" * 43).digest()).rstrip(b"=").decode()
    query = urllib.parse.urlencode({"response_type": "code", "client_id": app["client_id"],
                                    "redirect_uri": callback.url, "scope": "openid", "state": "s1",
                                    "code_challenge": challenge, "code_challenge_method": "S256"})
    page.goto(f"{local_service.url}/oauth2/authorize?{query}")

    with page.expect_navigation(url=lambda url: url.startswith(callback.url)):
        page.click("button[value=deny]")

    assert callback.received[-1]["error"] == ["access_denied"]
    assert callback.received[-1]["state"] == ["s1"]
    assert "code" not in callback.received[-1]
    context.close()
