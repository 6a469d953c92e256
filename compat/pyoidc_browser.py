"""What the suites that drive Debian's headless Chromium with a pyoidc relying party share: Chromium itself, a
fresh browser profile whose page records where it was sent, the relying party's redirect and logout URIs on loopback,
and pyoidc (oic 1.7.0) as an application uses it."""
import contextlib
import http.server
import os
import secrets
import shutil
import threading
import urllib.parse

import pytest

CHROMIUM = os.environ.get("CHROMIUM", shutil.which("chromium") or "/usr/bin/chromium")
playwright_api = pytest.importorskip("playwright.sync_api")
oic_client = pytest.importorskip("oic.oic")
oic_messages = pytest.importorskip("oic.oic.message")
oic_authn = pytest.importorskip("oic.utils.authn.client")

WAIT_MS = 20_000  # every browser step waits at most this long


class Callback:
    """The relying party's redirect URI and logout URI on loopback: records the raw query of every visit."""

    def __init__(self):
        received = self.received = []
        signed_out = self.signed_out = []

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):
                url = urllib.parse.urlsplit(self.path)
                if url.path == "/callback":
                    received.append(url.query)
                if url.path == "/bye":
                    signed_out.append(url.query)
                body = b"<!doctype html><title>relying party</title><p id=done>back at the application</p>"
                self.send_response(200)
                self.send_header("Content-Type", "text/html")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        base = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.url, self.logout_url = base + "/callback", base + "/bye"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


class RelyingParty:
    """pyoidc as an application uses it: discovery from the issuer alone, static client registration, then one
    authorization request after another (each its own state, nonce and PKCE verifier)."""

    def __init__(self, issuer, client, callback):
        self.client = oic_client.Client(client_authn_method=oic_authn.CLIENT_AUTHN_METHOD)
        self.metadata = self.client.provider_config(issuer)  # also loads the JWKS into the key jar
        self.client.store_registration_info(oic_messages.RegistrationResponse(
            client_id=client["client_id"], client_secret=client["client_secret"],
            redirect_uris=[callback.url], post_logout_redirect_uris=[callback.logout_url]))
        self.callback = callback
        self.requests = {}  # state -> (the authorization request, its PKCE verifier)

    def authorization_url(self, **extra):
        state, nonce = secrets.token_urlsafe(16), secrets.token_urlsafe(16)
        pkce, verifier = self.client.add_code_challenge()
        args = {"client_id": self.client.client_id, "response_type": "code", "scope": ["openid", "profile", "email"],
                "redirect_uri": self.callback.url, "state": state, "nonce": nonce, **pkce, **extra}
        url, _, _, request = self.client.request_info(oic_messages.AuthorizationRequest, method="GET",
                                                      request_args=args)
        self.requests[state] = (request, verifier)
        return url, state

    def answer(self, query, state):
        """The callback's query, parsed and checked by pyoidc (state, iss): a code, or an error response."""
        return self.client.parse_response(oic_messages.AuthorizationResponse, info=query, sformat="urlencoded",
                                          state=state)

    def redeem(self, answer):
        """Code -> tokens at the token endpoint; pyoidc verifies the ID token's signature (JWKS), iss, aud, exp,
        iat and at_hash, and the nonce against the request's."""
        state = answer["state"]
        request, verifier = self.requests[state]
        tokens = self.client.do_access_token_request(
            state=state, request_args={"code": answer["code"], "redirect_uri": self.callback.url,
                                       "code_verifier": verifier},
            authn_method="client_secret_basic")
        assert isinstance(tokens, oic_messages.AccessTokenResponse), tokens.to_dict()
        id_token = tokens["id_token"]
        assert isinstance(id_token, oic_messages.IdToken)
        # nonce, acr_values and response_type against the request (its max_age is judged by the test: pyoidc
        # would count it from now, not from when the request began)
        self.client.verify_id_token(id_token, {k: v for k, v in request.items() if k != "max_age"})
        return tokens, id_token


@contextlib.contextmanager
def chromium():
    """Headless Chromium for one test; a missing browser fails (CI installs Debian's chromium)."""
    if not os.path.exists(CHROMIUM):
        pytest.fail(f"Chromium not found at {CHROMIUM}: install Debian's chromium package (.ci/run does)")
    with playwright_api.sync_playwright() as playwright:
        instance = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, timeout=WAIT_MS * 3,
                                              args=["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"])
        yield instance
        instance.close()


def new_page(browser):
    """A fresh browser profile (no cookie anywhere) whose page records every document it was sent to, redirects
    included."""
    context = browser.new_context()
    context.set_default_timeout(WAIT_MS)
    context.set_default_navigation_timeout(WAIT_MS)
    tab = context.new_page()
    tab.visited = []
    tab.on("request", lambda request: tab.visited.append(request.url) if request.is_navigation_request() else None)
    return tab
