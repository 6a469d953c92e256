"""The Agilicus Python SDK (agilicus 1.53.3 from PyPI, TokensApi) against the local runner.

The SDK's models raise on a response that lacks a required field, so every call that returns a model is
also a shape check: RawToken needs token, ListTokensResponse needs limit, CreateTokenRequest its four.
"""
import datetime

import agilicus  # noqa: F401  (puts agilicus_api on the path, as the package does for its CLI)
import agilicus_api
import pytest
from agilicus_api.rest import ApiException


@pytest.fixture(scope="module")
def tokens_api(local_service):
    configuration = agilicus_api.Configuration(host=local_service.url)
    configuration.access_token = local_service.token(scope="tokens:admin")
    client = agilicus_api.ApiClient(configuration)
    client.set_default_header("x-api-key", local_service.api_key)
    return agilicus_api.TokensApi(client)


def _request(sub, org="o-sdk", scopes=("urn:agilicus:users", "tokens:admin?"), session=None):
    rule = agilicus_api.RenderedRule(methods=["get"], paths=["^/.*$"])
    host = agilicus_api.HostPermissions(upstream_host="app.example.com", app_id="a-1", admin_org_id="o-partner",
                                        allowed_list=[rule])
    return agilicus_api.CreateTokenRequest(sub=sub, org=org, audiences=["https://api.example.com"],
                                           time_validity=agilicus_api.TimeValidity(duration=900),
                                           roles={"app-a": "owner"}, hosts=[host], scopes=list(scopes),
                                           session=session)


def test_create_then_introspect_gives_the_token_model(tokens_api):
    raw = tokens_api.create_token(_request("sdk-user-1"))
    assert isinstance(raw, agilicus_api.RawToken) and raw.token and raw.session
    assert raw.time_validity.duration == 900

    token = tokens_api.create_introspect_token(agilicus_api.TokenIntrospect(token=raw.token))

    assert isinstance(token, agilicus_api.Token)
    assert (token.sub, token.org, token.root_org, token.session) == ("sdk-user-1", "o-sdk", "o-sdk", raw.session)
    assert token.scopes == ["urn:agilicus:users", "tokens:admin"]
    assert token.aud == ["https://api.example.com"]
    assert token.roles == {"app-a": "owner"}
    assert token.hosts[0].allowed_list[0].methods == ["get"]
    issued = datetime.datetime.fromisoformat(token.iat)
    expires = datetime.datetime.fromisoformat(token.exp)
    assert (expires - issued).total_seconds() == 900


def test_revoke_makes_introspect_answer_410_and_all_sessions_covers_the_session(tokens_api):
    first = tokens_api.create_token(_request("sdk-user-2", session="sdk-session-2"))
    second = tokens_api.create_token(_request("sdk-user-2", session="sdk-session-2"))

    tokens_api.create_revoke_token_task(agilicus_api.TokenRevoke(token=first.token, all_sessions=True))

    for value in (first.token, second.token):
        with pytest.raises(ApiException) as gone:
            tokens_api.create_introspect_token(agilicus_api.TokenIntrospect(token=value))
        assert gone.value.status == 410
    revoked = tokens_api.list_tokens(sub="sdk-user-2", revoked=True)
    assert isinstance(revoked, agilicus_api.ListTokensResponse)
    assert len(revoked.tokens) == 2 and revoked.limit == 100
    assert tokens_api.list_tokens(sub="sdk-user-2", revoked=False).tokens == []


def test_reissue_for_a_permitted_org_keeps_the_expiry_and_the_presented_token(tokens_api):
    raw = tokens_api.create_token(_request("sdk-user-3"))

    reissued = tokens_api.create_reissued_token(agilicus_api.TokenReissueRequest(token=raw.token, org_id="o-partner"))

    new = tokens_api.create_introspect_token(agilicus_api.TokenIntrospect(token=reissued.token))
    old = tokens_api.create_introspect_token(agilicus_api.TokenIntrospect(token=raw.token))
    assert (new.org, new.root_org, new.exp) == ("o-partner", "o-sdk", old.exp)
    with pytest.raises(ApiException) as refused:
        tokens_api.create_reissued_token(agilicus_api.TokenReissueRequest(token=raw.token, org_id="o-elsewhere"))
    assert refused.value.status == 403


def test_validation_echoes_an_allowed_request_and_refuses_others_with_403(tokens_api, local_service):
    tokens_api.api_client.set_default_header("Authorization", "Bearer " + tokens_api.api_client.configuration.access_token)
    try:
        echoed = tokens_api.create_token_validation(_request("sdk-user-4"))
        assert isinstance(echoed, agilicus_api.CreateTokenRequest)
        assert echoed.sub == "sdk-user-4" and echoed.time_validity.duration == 900
        with pytest.raises(ApiException) as refused:
            tokens_api.create_token_validation(_request("sdk-user-4", scopes=["clients:admin"]))
        assert refused.value.status == 403
    finally:
        tokens_api.api_client.default_headers.pop("Authorization", None)


def test_list_filters_with_the_sdks_own_parameter_spellings(tokens_api):
    for org in ("o-list-a", "o-list-b", "o-list-a"):
        tokens_api.create_token(_request("sdk-user-5", org=org))

    assert len(tokens_api.list_tokens(sub="sdk-user-5").tokens) == 3
    assert len(tokens_api.list_tokens(sub="sdk-user-5", org="o-list-a").tokens) == 2
    assert len(tokens_api.list_tokens(sub="sdk-user-5", limit=1).tokens) == 1
    assert tokens_api.list_tokens(sub="sdk-user-5", limit=1).limit == 1
    assert len(tokens_api.list_tokens(sub="sdk-user-5", iat_from="5 minutes ago", exp_to="in 1 hour").tokens) == 3
    assert tokens_api.list_tokens(sub="sdk-user-5", iat_to="1 day ago").tokens == []
    jti = tokens_api.list_tokens(sub="sdk-user-5").tokens[0].jti
    assert [t.jti for t in tokens_api.list_tokens(jti=jti).tokens] == [jti]
