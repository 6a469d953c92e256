"""An independent OAuth 2.0 client library (Authlib, from PyPI) against the local runner.

Authlib builds the requests and parses the answers by the RFCs, with no knowledge of this service:
client_credentials with client_secret_basic, the authorization code flow with PKCE S256 (the user's
approval is posted the way the consent page's form posts it), refresh with rotation, RFC 7662
introspection and RFC 7009 revocation.
"""
import base64
import html
import json
import re
import secrets
import urllib.parse

import pytest
import requests

oauth2 = pytest.importorskip("authlib.integrations.requests_client")
jose = pytest.importorskip("authlib.jose")

REDIRECT_URI = "https://app.example.com/cb"


@pytest.fixture(scope="module")
def app(local_service, owner):
    response = requests.post(local_service.url + "/api/2.0/clients", timeout=30,
                             headers={"Authorization": "Bearer " + owner.token(),
                                      "x-api-key": local_service.api_key},
                             json={"name": "Authlib App", "description": "independent OAuth client",
                                   "logo": "data:image/png;base64,iVBORw0KGgo=",
                                   "website_url": "https://app.example.com",
                                   "terms_url": "https://app.example.com/terms",
                                   "policy_url": "https://app.example.com/privacy",
                                   "redirect_uris": [REDIRECT_URI], "allowed_origins": ["https://app.example.com"],
                                   "logout_redirect_uri": "https://app.example.com/bye",
                                   "scopes": ["openid", "files:read"], "allow_pkce": True})
    assert response.status_code == 201, response.text
    return response.json()


def metadata(service):
    return requests.get(service.url + "/.well-known/oauth-authorization-server", timeout=30).json()


def session(service, app, **kwargs):
    return oauth2.OAuth2Session(app["client_id"], app["client_secret"], scope="openid files:read",
                                redirect_uri=REDIRECT_URI, code_challenge_method="S256", **kwargs)


def user_approves(service, authorization_url):
    """What the browser does: the signed-in user (their session, minted for a login front end, in the asc_auth_key
    cookie) opens the link and presses Approve on the page (which is skipped, straight to the redirect, when they
    approved these scopes before)."""
    user = {"Cookie": "asc_auth_key=" + service.session()}
    page = requests.get(authorization_url, headers=user, allow_redirects=False, timeout=30)
    if page.status_code == 302:
        return page.headers["Location"]
    assert page.status_code == 200, page.text
    ticket = html.unescape(re.search(r'name="ticket" value="([^"]+)"', page.text).group(1))
    decision = requests.post(authorization_url, headers=user, data={"ticket": ticket, "decision": "approve"},
                             allow_redirects=False, timeout=30)
    assert decision.status_code == 302, decision.text
    return decision.headers["Location"]


def test_client_credentials_token_verifies_against_the_published_jwks(local_service):
    server = metadata(local_service)
    client = oauth2.OAuth2Session(local_service.admin_client_id, local_service.admin_client_secret,
                                  token_endpoint_auth_method="client_secret_basic")

    token = client.fetch_token(server["token_endpoint"], grant_type="client_credentials")

    keys = jose.JsonWebKey.import_key_set(requests.get(server["jwks_uri"], timeout=30).json())
    claims = jose.jwt.decode(token["access_token"], keys)
    claims.validate()
    assert claims["iss"] == server["issuer"]
    assert claims["client_id"] == local_service.admin_client_id
    assert token["token_type"] == "Bearer"


def test_code_flow_with_pkce_then_refresh_introspect_and_revoke(local_service, app):
    server = metadata(local_service)
    client = session(local_service, app, token_endpoint_auth_method="client_secret_post")
    verifier = secrets.token_urlsafe(48)
    url, state = client.create_authorization_url(server["authorization_endpoint"], code_verifier=verifier)

    callback = user_approves(local_service, url)
    query = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(callback).query))
    assert query["state"] == state and query["iss"] == server["issuer"]

    token = client.fetch_token(server["token_endpoint"], authorization_response=callback, code_verifier=verifier)
    assert token["scope"] == "openid files:read"

    refreshed = client.refresh_token(server["token_endpoint"], refresh_token=token["refresh_token"])
    assert refreshed["refresh_token"] != token["refresh_token"]

    introspected = client.introspect_token(server["introspection_endpoint"], token=refreshed["access_token"]).json()
    assert introspected["active"] is True and introspected["client_id"] == app["client_id"]

    assert client.revoke_token(server["revocation_endpoint"], token=refreshed["refresh_token"],
                               token_type_hint="refresh_token").status_code == 200
    after = client.introspect_token(server["introspection_endpoint"], token=refreshed["access_token"]).json()
    assert after == {"active": False}


def test_a_public_client_exchanges_its_code_with_pkce_alone(local_service, app):
    server = metadata(local_service)
    client = oauth2.OAuth2Session(app["client_id"], scope="openid", redirect_uri=REDIRECT_URI,
                                  code_challenge_method="S256", token_endpoint_auth_method="none")
    verifier = secrets.token_urlsafe(48)
    url, _ = client.create_authorization_url(server["authorization_endpoint"], code_verifier=verifier)

    token = client.fetch_token(server["token_endpoint"], authorization_response=user_approves(local_service, url),
                               code_verifier=verifier)

    claims = json.loads(base64.urlsafe_b64decode(token["access_token"].split(".")[1] + "=="))
    assert claims["scope"] == "openid" and claims["client_id"] == app["client_id"]


RESOURCE = "https://files.example.com/api"


@pytest.fixture(scope="module")
def resource_app(local_service, owner):
    """A client that may ask for one resource besides this service (resources: the client API's field beyond
    DocSpace's, RFC 8707)."""
    response = requests.post(local_service.url + "/api/2.0/clients", timeout=30,
                             headers={"Authorization": "Bearer " + owner.token(),
                                      "x-api-key": local_service.api_key},
                             json={"name": "Authlib Resource App", "description": "resource indicators",
                                   "logo": "data:image/png;base64,iVBORw0KGgo=",
                                   "website_url": "https://app.example.com",
                                   "terms_url": "https://app.example.com/terms",
                                   "policy_url": "https://app.example.com/privacy",
                                   "redirect_uris": [REDIRECT_URI], "allowed_origins": ["https://app.example.com"],
                                   "logout_redirect_uri": "https://app.example.com/bye",
                                   "scopes": ["openid", "files:read"], "allow_pkce": False,
                                   "resources": [RESOURCE]})
    assert response.status_code == 201, response.text
    assert response.json()["resources"] == [RESOURCE]
    return response.json()


def test_resource_indicators_set_the_audience_and_a_refresh_cannot_widen_it(local_service, resource_app):
    server = metadata(local_service)
    client = session(local_service, resource_app, token_endpoint_auth_method="client_secret_post")
    verifier = secrets.token_urlsafe(48)
    # Authlib puts extra keyword arguments into the authorization URL and the token request body
    url, _ = client.create_authorization_url(server["authorization_endpoint"], code_verifier=verifier,
                                             resource=RESOURCE)

    token = client.fetch_token(server["token_endpoint"], authorization_response=user_approves(local_service, url),
                               code_verifier=verifier)

    keys = jose.JsonWebKey.import_key_set(requests.get(server["jwks_uri"], timeout=30).json())
    assert jose.jwt.decode(token["access_token"], keys)["aud"] == [RESOURCE, server["issuer"]]
    # A refresh may narrow to the resource granted at authorization ...
    narrowed = client.refresh_token(server["token_endpoint"], refresh_token=token["refresh_token"],
                                    resource=RESOURCE, scope="files:read")
    assert jose.jwt.decode(narrowed["access_token"], keys)["aud"] == RESOURCE
    # ... never to one the user did not grant
    with pytest.raises(Exception) as refused:
        client.refresh_token(server["token_endpoint"], refresh_token=narrowed["refresh_token"],
                             resource="https://mail.example.com", scope="files:read")
    assert "invalid_target" in str(refused.value)
    # client_credentials: a resource the client may not ask for is invalid_target, a registered one is its audience
    machine = oauth2.OAuth2Session(resource_app["client_id"], resource_app["client_secret"],
                                   token_endpoint_auth_method="client_secret_post")
    own = machine.fetch_token(server["token_endpoint"], grant_type="client_credentials", resource=RESOURCE)
    assert jose.jwt.decode(own["access_token"], keys)["aud"] == RESOURCE
    with pytest.raises(Exception) as foreign:
        machine.fetch_token(server["token_endpoint"], grant_type="client_credentials",
                            resource="https://mail.example.com")
    assert "invalid_target" in str(foreign.value)
