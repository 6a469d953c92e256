"""Runs compat/oidc/openid_client.test.js (openid-client 6 from npm, an OpenID Connect relying party) against the
local runner: a client registered through the DocSpace API for openid with a logout URI, and a signed-in user
(their session token in the asc_auth_key cookie)."""
import json
import os
import pathlib
import shutil
import subprocess
import urllib.request

HERE = pathlib.Path(__file__).resolve().parent
REDIRECT_URI = "https://rp.example.com/callback"
LOGOUT_URI = "https://rp.example.com/signed-out"


def register_relying_party(service, owner, **extra):
    body = {"name": "OpenID Relying Party", "description": "openid-client 6 against token-service",
            "logo": "data:image/png;base64,iVBORw0KGgo=", "website_url": "https://rp.example.com",
            "terms_url": "https://rp.example.com/terms", "policy_url": "https://rp.example.com/privacy",
            "redirect_uris": [REDIRECT_URI], "allowed_origins": ["https://rp.example.com"],
            "logout_redirect_uri": LOGOUT_URI, "scopes": ["openid", "files:read"], "allow_pkce": False, **extra}
    request = urllib.request.Request(service.url + "/api/2.0/clients", data=json.dumps(body).encode(), method="POST",
                                     headers={"Authorization": "Bearer " + owner.token(), "x-api-key": service.api_key,
                                              "Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=30) as response:
        return json.loads(response.read())


def test_openid_client_signs_in_reads_userinfo_refreshes_and_signs_out(local_service, owner):
    node, npm = shutil.which("node"), shutil.which("npm")
    assert node and npm, "the OpenID relying-party suite needs Node.js 20+ and npm on PATH"
    if not (HERE / "node_modules" / "openid-client").exists():
        subprocess.run([npm, "ci", "--no-audit", "--no-fund"], cwd=HERE, check=True, timeout=300)
    relying_party = register_relying_party(local_service, owner)
    environment = dict(os.environ,
                       TOKEN_SERVICE_URL=local_service.url,
                       OIDC_CLIENT_ID=relying_party["client_id"],
                       OIDC_CLIENT_SECRET=relying_party["client_secret"],
                       OIDC_USER_TOKEN=local_service.session(),
                       OIDC_SECOND_USER_TOKEN=local_service.session(),
                       OIDC_THIRD_USER_TOKEN=local_service.session(),
                       OIDC_REDIRECT_URI=REDIRECT_URI,
                       OIDC_LOGOUT_URI=LOGOUT_URI)
    result = subprocess.run([node, "--test", "openid_client.test.js"], cwd=HERE, env=environment,
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout[-6000:] + result.stderr[-3000:]
    assert "# pass 3" in result.stdout, result.stdout[-3000:]


RESOURCE = "https://files.example.com/api"


def test_openid_client_pushes_its_request_and_exchanges_the_token(local_service, owner):
    """openid-client's own PAR (buildAuthorizationUrlWithPAR, also with a DPoP proof binding the code) and token
    exchange (genericGrantRequest), for a relying party registered with a resource and required to push its
    requests (the client API's fields beyond DocSpace's)."""
    node, npm = shutil.which("node"), shutil.which("npm")
    assert node and npm, "the OpenID relying-party suite needs Node.js 20+ and npm on PATH"
    if not (HERE / "node_modules" / "openid-client").exists():
        subprocess.run([npm, "ci", "--no-audit", "--no-fund"], cwd=HERE, check=True, timeout=300)
    relying_party = register_relying_party(local_service, owner, resources=[RESOURCE],
                                           require_pushed_authorization_requests=True)
    environment = dict(os.environ,
                       TOKEN_SERVICE_URL=local_service.url,
                       OIDC_CLIENT_ID=relying_party["client_id"],
                       OIDC_CLIENT_SECRET=relying_party["client_secret"],
                       OIDC_USER_TOKEN=local_service.session(),
                       OIDC_REDIRECT_URI=REDIRECT_URI,
                       OIDC_RESOURCE=RESOURCE)
    result = subprocess.run([node, "--test", "par_and_token_exchange.test.js"], cwd=HERE, env=environment,
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout[-6000:] + result.stderr[-3000:]
    assert "# pass 2" in result.stdout, result.stdout[-3000:]


def test_openid_client_signs_a_device_in(local_service, owner):
    """openid-client's own device flow (initiateDeviceAuthorization, pollDeviceAuthorizationGrant) for a public
    client registered through the client API (token_endpoint_auth_method none), approved and denied by a signed-in
    browser at the verification page."""
    node, npm = shutil.which("node"), shutil.which("npm")
    assert node and npm, "the OpenID relying-party suite needs Node.js 20+ and npm on PATH"
    if not (HERE / "node_modules" / "openid-client").exists():
        subprocess.run([npm, "ci", "--no-audit", "--no-fund"], cwd=HERE, check=True, timeout=300)
    device = register_relying_party(local_service, owner, name="Living Room TV", token_endpoint_auth_method="none")
    assert "client_secret" not in device or not device["client_secret"], "a public client gets no secret"
    environment = dict(os.environ,
                       TOKEN_SERVICE_URL=local_service.url,
                       OIDC_CLIENT_ID=device["client_id"],
                       OIDC_USER_TOKEN=local_service.session())
    result = subprocess.run([node, "--test", "device_flow.test.js"], cwd=HERE, env=environment,
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout[-6000:] + result.stderr[-3000:]
    assert "# pass 2" in result.stdout, result.stdout[-3000:]
