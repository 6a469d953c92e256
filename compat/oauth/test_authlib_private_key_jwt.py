"""private_key_jwt with an independent library: Authlib's PrivateKeyJWT (RFC 7523 §2.2) against the local runner.

The client registers its public key (inline, or at a jwks_uri this test serves on loopback) and Authlib signs the
assertions; the service knows nothing of Authlib. Authlib's assertions are valid for an hour by default and this
service accepts at most ten minutes, so the client here asks for a one-minute assertion through Authlib's own
claims parameter.
"""
import http.server
import json
import threading
import time

import pytest
import requests

oauth2 = pytest.importorskip("authlib.integrations.requests_client")
rfc7523 = pytest.importorskip("authlib.oauth2.rfc7523")
jwk = pytest.importorskip("joserfc.jwk")


class ShortLivedPrivateKeyJWT(rfc7523.PrivateKeyJWT):
    """Authlib's PrivateKeyJWT with a one-minute exp and a fresh jti per assertion (fresh claims each time)."""

    def sign(self, auth, token_endpoint):
        self.claims = {"exp": int(time.time()) + 60}
        return super().sign(auth, token_endpoint)


def metadata(service):
    return requests.get(service.url + "/.well-known/oauth-authorization-server", timeout=30).json()


def register(service, owner, **keys):
    body = {"name": "Authlib key client", "description": "private_key_jwt",
            "logo": "data:image/png;base64,iVBORw0KGgo=", "website_url": "https://app.example.com",
            "terms_url": "https://app.example.com/terms", "policy_url": "https://app.example.com/privacy",
            "redirect_uris": ["https://app.example.com/cb"], "allowed_origins": ["https://app.example.com"],
            "logout_redirect_uri": "https://app.example.com/bye", "scopes": ["files:read"], "allow_pkce": False,
            "token_endpoint_auth_method": "private_key_jwt", **keys}
    response = requests.post(service.url + "/api/2.0/clients", json=body, timeout=30,
                             headers={"Authorization": "Bearer " + owner.token(), "x-api-key": service.api_key})
    assert response.status_code == 201, response.text
    created = response.json()
    assert "client_secret" not in created
    return created["client_id"]


def session_for(client_id, key, server, auth=ShortLivedPrivateKeyJWT):
    session = oauth2.OAuth2Session(client_id, key, token_endpoint_auth_method="private_key_jwt",
                                   scope="files:read")
    session.register_client_auth_method(auth(server["token_endpoint"]))
    return session


def test_metadata_advertises_private_key_jwt(local_service):
    server = metadata(local_service)
    assert "private_key_jwt" in server["token_endpoint_auth_methods_supported"]
    assert server["token_endpoint_auth_signing_alg_values_supported"] == ["RS256", "ES256", "PS256"]


def test_client_credentials_and_introspection_with_an_inline_jwks(local_service, owner):
    server = metadata(local_service)
    key = jwk.RSAKey.generate_key(2048, parameters={"kid": "authlib-inline"})
    client_id = register(local_service, owner, jwks={"keys": [key.as_dict(private=False)]})
    session = session_for(client_id, key, server)

    token = session.fetch_token(server["token_endpoint"], grant_type="client_credentials")

    assert token["token_type"] == "Bearer"
    introspected = session.introspect_token(server["introspection_endpoint"], token=token["access_token"])
    assert introspected.status_code == 200, introspected.text
    assert introspected.json()["active"] is True
    assert introspected.json()["client_id"] == client_id


def test_es256_with_keys_at_a_jwks_uri(local_service, owner):
    server = metadata(local_service)
    key = jwk.ECKey.generate_key("P-256", parameters={"kid": "authlib-ec"})
    published = json.dumps({"keys": [key.as_dict(private=False)]}).encode()

    class Keys(http.server.BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802 (the http.server API)
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(published)))
            self.end_headers()
            self.wfile.write(published)

        def log_message(self, *args):
            pass

    keys = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Keys)
    threading.Thread(target=keys.serve_forever, daemon=True).start()
    try:
        client_id = register(local_service, owner,
                             jwks_uri=f"http://127.0.0.1:{keys.server_address[1]}/jwks.json")

        class ES256(ShortLivedPrivateKeyJWT):
            alg = "ES256"

        token = session_for(client_id, key, server, ES256).fetch_token(server["token_endpoint"],
                                                                        grant_type="client_credentials")
        assert token["access_token"]
    finally:
        keys.shutdown()


def test_a_replayed_assertion_and_authlibs_hour_long_default_are_refused(local_service, owner):
    server = metadata(local_service)
    key = jwk.RSAKey.generate_key(2048, parameters={"kid": "authlib-replay"})
    client_id = register(local_service, owner, jwks={"keys": [key.as_dict(private=False)]})
    assertion = rfc7523.private_key_jwt_sign(key, client_id, server["token_endpoint"],
                                             claims={"exp": int(time.time()) + 60})
    form = {"grant_type": "client_credentials", "client_assertion": assertion,
            "client_assertion_type": "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"}

    assert requests.post(server["token_endpoint"], data=form, timeout=30).status_code == 200
    replayed = requests.post(server["token_endpoint"], data=form, timeout=30)
    assert replayed.status_code == 401, replayed.text
    assert replayed.json()["error"] == "invalid_client"

    with pytest.raises(Exception) as refused:
        session_for(client_id, key, server, rfc7523.PrivateKeyJWT).fetch_token(
            server["token_endpoint"], grant_type="client_credentials")
    assert "invalid_client" in str(refused.value)
