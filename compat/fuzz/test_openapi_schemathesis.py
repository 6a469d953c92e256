"""Property-based fuzzing of every route from openapi.yaml with schemathesis (PyPI), against a local runner.

Schemathesis generates valid and invalid requests from the document (examples, coverage, fuzzing and
stateful phases, positive and negative data) and checks every answer: no server error, status codes,
content types, headers and bodies as documented, invalid input rejected, valid input accepted, deleted
clients gone. The run is seeded and bounded by examples per operation and a wall-clock limit.

It runs against its own runner whose throttling limits and client quotas are raised, so that the fuzzer
sees the handlers rather than 429 answers (429 stays documented everywhere). The fuzzer acts as a client
registered by the bootstrap admin with clients:write and tokens:admin, not as the admin itself: with
clients:admin it could see, deactivate or delete its own registration and lose its credentials mid-run.
"""
import json
import os
import pathlib
import shutil
import subprocess
import tempfile
import time
import urllib.request

import pytest

from conftest import ROOT, start_local_service

SEED = int(os.environ.get("FUZZ_SEED", "20260801"))
MAX_EXAMPLES = int(os.environ.get("FUZZ_MAX_EXAMPLES", "15"))
TIME_LIMIT_SECONDS = int(os.environ.get("FUZZ_TIME_LIMIT_SECONDS", "420"))
RAISED = "100000000"
LIMITS = ["ManagementRateLimit", "ManagementBurstLimit", "ManagementDailyQuota", "TokenEndpointRateLimit",
          "TokenEndpointBurstLimit", "DefaultRateLimit", "DefaultBurstLimit"]

# Operations whose acceptance of well-formed input depends on state the document cannot express (a live
# code, refresh token or access token in the body, a ticket from the consent or logout page, a registered
# client, a scope the caller must hold, one of two optional parameters): for them a 400 to schema-valid data
# is a correct answer. Introspection and revocation are not among them (an unknown token is answered 200, and
# the document describes one way to authenticate). Client registration and update are, for their optional key
# fields beyond DocSpace's only: keys go with token_endpoint_auth_method=private_key_jwt alone, jwks or jwks_uri
# and not both, and an update replaces keys only of a client registered with them (the stored client decides). The
# secret operations (regenerate, rotate, list, end the overlap) answer 400 naming clientId for a client that has no
# secret (registered for private_key_jwt or none): the stored client decides again.
STATE_DEPENDENT = [
    ("POST", "/oauth2/token"),
    ("GET", "/oauth2/authorize"),
    ("POST", "/oauth2/authorize"),
    ("POST", "/oauth2/device_authorization"),
    ("GET", "/oauth2/device"),
    ("POST", "/oauth2/device"),
    ("POST", "/oauth2/userinfo"),
    ("GET", "/oauth2/logout"),
    ("POST", "/oauth2/logout"),
    ("POST", "/v1/tokens/introspect"),
    ("POST", "/v1/tokens/reissue"),
    ("POST", "/v1/tokens/revoke"),
    ("DELETE", "/auth/tokens"),
    ("POST", "/api/2.0/clients"),
    ("PUT", "/api/2.0/clients/{clientId}"),
    ("PATCH", "/api/2.0/clients/{clientId}/regenerate"),
    ("POST", "/api/2.0/clients/{clientId}/secrets"),
    ("GET", "/api/2.0/clients/{clientId}/secrets"),
    ("DELETE", "/api/2.0/clients/{clientId}/secrets/previous"),
]


def _toml(value):
    return json.dumps(value)  # a JSON string is a TOML basic string


def _post_json(url, body, headers):
    request = urllib.request.Request(url, data=json.dumps(body).encode(), method="POST",
                                     headers={"Content-Type": "application/json", **headers})
    with urllib.request.urlopen(request, timeout=30) as response:
        return json.loads(response.read())


@pytest.fixture(scope="module")
def fuzz_service():
    args = []
    for name in LIMITS:
        args += ["--parameter", f"{name}={RAISED}"]
    with start_local_service(args, {"CLIENT_QUOTA_PER_OWNER": "100000", "CLIENT_QUOTA_PER_TENANT": "100000"}) as service:
        yield service


def _fuzz_client(service):
    """A client registered by the bootstrap admin, allowed to register clients and administer tokens."""
    admin = service.token()
    return _post_json(service.url + "/api/2.0/clients", {
        "name": "schemathesis", "logo": "data:image/png;base64,iVBORw0KGgo=",
        "website_url": "https://fuzz.example.com", "terms_url": "https://fuzz.example.com/terms",
        "policy_url": "https://fuzz.example.com/privacy", "logout_redirect_uri": "https://fuzz.example.com/bye",
        "redirect_uris": ["https://fuzz.example.com/cb"], "allowed_origins": ["https://fuzz.example.com"],
        "scopes": ["clients:write", "tokens:admin", "openid", "files:read", "files:write"],
    }, {"Authorization": "Bearer " + admin, "x-api-key": service.api_key})


def _config(service, client):
    lines = [
        f"seed = {SEED}",
        "max-redirects = 0",
        "request-timeout = 30",
        "",
        "[generation]",
        f"max-examples = {MAX_EXAMPLES}",
        # Security values come from [auth] only: generated API keys would be refused by the gateway (403)
        # before a missing Authorization header could be noticed (401).
        "with-security-parameters = false",
        "",
        # Every check runs, but one: API Gateway (REST) answers a method a resource does not define with
        # 403 {"message": "Missing Authentication Token"}, never 405; the local runner does the same.
        "[checks]",
        "unsupported_method.enabled = false",
        "",
        "[auth]",
        "auto-signup = false",
        "",
        "[auth.openapi.apiKey]",
        f"api_key = {_toml(service.api_key)}",
        "",
        "[auth.openapi.clientBasic]",
        f"username = {_toml(client['client_id'])}",
        f"password = {_toml(client['client_secret'])}",
        "",
        # A fresh token whenever an answer is 401: the fuzzer may revoke its own tokens (Knetik delete by its
        # client id, a consent revoked at its own client), as any caller may.
        "[auth.dynamic.openapi.bearerAuth]",
        'path = "/oauth2/token"',
        'method = "post"',
        'payload_content_type = "application/x-www-form-urlencoded"',
        'extract_selector = "/access_token"',
        "[auth.dynamic.openapi.bearerAuth.payload]",
        'grant_type = "client_credentials"',
        f"client_id = {_toml(client['client_id'])}",
        f"client_secret = {_toml(client['client_secret'])}",
    ]
    for method, path in STATE_DEPENDENT:
        lines += ["", "[[operations]]", f"include-method = {_toml(method)}", f"include-path = {_toml(path)}",
                  "checks.positive_data_acceptance.enabled = false"]
    return "\n".join(lines) + "\n"


def test_schemathesis_finds_no_server_error_and_no_response_that_breaks_the_document(fuzz_service):
    executable = shutil.which("schemathesis")
    assert executable, "schemathesis is not installed (compat/requirements.txt)"
    client = _fuzz_client(fuzz_service)
    workdir = pathlib.Path(tempfile.mkdtemp(prefix="token-service-fuzz-"))
    config = workdir / "schemathesis.toml"
    config.write_text(_config(fuzz_service, client))
    command = [executable, "--config-file", str(config), "--no-color", "run", str(ROOT / "openapi.yaml"),
               "--url", fuzz_service.url, "--mode", "all",
               "--phases", "examples,coverage,fuzzing,stateful", "--workers", "1",
               "--report", "junit", "--report-dir", str(workdir / "report")]
    started = time.monotonic()
    try:
        run = subprocess.run(command, cwd=workdir, capture_output=True, text=True, timeout=TIME_LIMIT_SECONDS)
    except subprocess.TimeoutExpired as timeout:
        pytest.fail(f"schemathesis did not finish within {TIME_LIMIT_SECONDS} s:\n"
                    + (timeout.stdout or b"")[-6000:].decode(errors="replace"))
    elapsed = time.monotonic() - started
    summary = [line for line in run.stdout.splitlines() if line.strip()][-12:]
    print(f"schemathesis {' '.join(command[1:])}\nexit {run.returncode} after {elapsed:.0f} s\n" + "\n".join(summary))
    assert run.returncode == 0, ("schemathesis reported failures (exit %d):\n%s\n%s"
                                 % (run.returncode, run.stdout[-20000:], run.stderr[-3000:]))
    assert "test cases" in run.stdout.lower() or "passed" in run.stdout.lower(), run.stdout[-3000:]
