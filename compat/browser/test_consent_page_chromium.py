"""The authorization code flow in a real browser: Debian's headless Chromium, driven by Playwright.

A user signed in to this service (their session in the asc_auth_key cookie) opens a client's
authorization link, sees the consent page, approves, and the browser follows the redirect to the
client's callback, served here on loopback. The client then exchanges the code with its PKCE verifier,
as an application would. This also proves the page's Content-Security-Policy lets the form's redirect
through in a browser that enforces form-action.
"""
import base64
import hashlib
import http.server
import io
import json
import os
import secrets
import shutil
import struct
import threading
import urllib.parse
import urllib.request
import zlib

import pytest

CHROMIUM = os.environ.get("CHROMIUM", shutil.which("chromium") or "/usr/bin/chromium")
playwright_api = pytest.importorskip("playwright.sync_api")


class Callback:
    """The client application's redirect URI (and its logout URI): records the query of every request to them."""

    def __init__(self):
        received = self.received = []
        signed_out = self.signed_out = []

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):
                url = urllib.parse.urlsplit(self.path)
                if url.path == "/callback":  # not the browser's /favicon.ico
                    received.append(urllib.parse.parse_qs(url.query))
                if url.path == "/bye":
                    signed_out.append(urllib.parse.parse_qs(url.query))
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
        self.logout_url = f"http://127.0.0.1:{self.server.server_address[1]}/bye"
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
    # GIVEN a signed-in user: their session, minted for a login front end, sits in the asc_auth_key cookie
    user_token = local_service.session()
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
    context.add_cookies([{"name": "asc_auth_key", "value": local_service.session(), "url": local_service.url}])
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


def solid_png(width, height, rgb):
    """A real PNG of one colour, so that a rendered logo can be told from a broken image by its pixels."""
    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
    rows = b"".join(b"\x00" + bytes(rgb) * width for _ in range(height))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b""))


LOGO_RGB = (220, 30, 40)


@pytest.fixture()
def oidc_app(local_service, callback):
    """A DocSpace client registered for openid, with a real logo and the callback server's logout URI."""
    logo = "data:image/png;base64," + base64.b64encode(solid_png(16, 16, LOGO_RGB)).decode()
    status, created = call(local_service, "POST", "/api/2.0/clients", token=local_service.token(), api_key=True,
                           json_body={"name": "OpenID Browser <App>", "description": "OpenID in Chromium",
                                      "logo": logo, "website_url": "https://rp.example.com",
                                      "terms_url": "https://rp.example.com/terms",
                                      "policy_url": "https://rp.example.com/privacy",
                                      "redirect_uris": [callback.url], "allowed_origins": ["https://rp.example.com"],
                                      "logout_redirect_uri": callback.logout_url,
                                      "scopes": ["openid", "files:read"], "allow_pkce": True})
    assert status == 201, created
    return created


def test_an_openid_sign_in_in_chromium_shows_the_logo_and_ends_with_logout(local_service, oidc_app, callback, browser):
    jose = pytest.importorskip("authlib.jose")
    oidc_claims = pytest.importorskip("authlib.oidc.core")
    image = pytest.importorskip("PIL.Image")
    # GIVEN a signed-in user and a relying party that sends a nonce
    context = browser.new_context()
    context.add_cookies([{"name": "asc_auth_key", "value": local_service.session(), "url": local_service.url}])
    page = context.new_page()
    verifier = secrets.token_urlsafe(48)
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
    nonce, state = secrets.token_urlsafe(16), secrets.token_urlsafe(12)
    query = urllib.parse.urlencode({"response_type": "code", "client_id": oidc_app["client_id"],
                                    "redirect_uri": callback.url, "scope": "openid files:read", "state": state,
                                    "nonce": nonce, "code_challenge": challenge, "code_challenge_method": "S256"})

    # WHEN they open the authorization link, the consent page shows the client as registered
    response = page.goto(f"{local_service.url}/oauth2/authorize?{query}")
    assert response.status == 200
    assert "img-src data:" in response.headers["content-security-policy"]
    assert page.get_attribute("#client-website", "href") == "https://rp.example.com"
    assert page.get_attribute("#client-terms", "href") == "https://rp.example.com/terms"
    assert page.get_attribute("#client-privacy", "href") == "https://rp.example.com/privacy"
    # the name is text inside its own bdi element: the page's sentence around it keeps its order
    assert page.inner_text("h1").startswith("Allow ")
    assert page.inner_text("h1").endswith(" to access your account?")
    # THEN the logo renders: the pixels of its element are the logo's colour (a broken image would not be)
    pixels = image.open(io.BytesIO(page.locator("#client-logo").screenshot())).convert("RGB")
    centre = pixels.getpixel((pixels.width // 2, pixels.height // 2))
    assert all(abs(c - e) <= 8 for c, e in zip(centre, LOGO_RGB)), centre
    dominant = max(pixels.getcolors(maxcolors=1 << 16))[1]
    assert all(abs(c - e) <= 8 for c, e in zip(dominant, LOGO_RGB)), dominant
    assert page.evaluate("document.getElementById('client-logo').naturalWidth") == 16

    # WHEN they approve, the client exchanges the code and gets an ID token
    with page.expect_navigation(url=lambda url: url.startswith(callback.url)):
        page.click("button[value=approve]")
    received = callback.received[-1]
    assert received["state"] == [state]
    status, tokens = call(local_service, "POST", "/oauth2/token",
                          form={"grant_type": "authorization_code", "code": received["code"][0],
                                "redirect_uri": callback.url, "client_id": oidc_app["client_id"],
                                "client_secret": oidc_app["client_secret"], "code_verifier": verifier})
    assert status == 200, tokens

    # THEN the ID token verifies against the JWKS with a JOSE library, and carries the nonce and at_hash
    status, jwks = call(local_service, "GET", "/.well-known/jwks.json")
    assert status == 200
    claims = jose.jwt.decode(tokens["id_token"], jose.JsonWebKey.import_key_set(jwks),
                             claims_cls=oidc_claims.CodeIDToken,
                             claims_options={"iss": {"essential": True, "value": local_service.url}},
                             claims_params={"nonce": nonce, "client_id": oidc_app["client_id"],
                                            "access_token": tokens["access_token"]})
    claims.validate()  # iss, aud, exp, iat, nonce, azp, at_hash
    assert claims["nonce"] == nonce and claims["aud"] == oidc_app["client_id"]

    # AND userinfo names the same user
    status, info = call(local_service, "GET", "/oauth2/userinfo", token=tokens["access_token"])
    assert status == 200, info
    assert info["sub"] == claims["sub"] and info["cid"] == oidc_app["client_id"]

    # WHEN the relying party sends the browser to log out, it lands on the registered logout URI with the state
    logout = urllib.parse.urlencode({"id_token_hint": tokens["id_token"], "post_logout_redirect_uri": callback.logout_url,
                                     "state": "bye-" + state})
    with page.expect_navigation(url=lambda url: url.startswith(callback.logout_url)):
        page.goto(f"{local_service.url}/oauth2/logout?{logout}")
    assert callback.signed_out[-1]["state"] == ["bye-" + state]
    # AND the session's tokens stop at once
    status, _ = call(local_service, "GET", "/oauth2/userinfo", token=tokens["access_token"])
    assert status == 401
    status, refreshed = call(local_service, "POST", "/oauth2/token",
                             form={"grant_type": "refresh_token", "refresh_token": tokens["refresh_token"],
                                   "client_id": oidc_app["client_id"], "client_secret": oidc_app["client_secret"]})
    assert status == 400 and refreshed["error"] == "invalid_grant"
    context.close()
