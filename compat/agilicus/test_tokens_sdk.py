"""The Agilicus Python SDK (TokensApi) against the local runner: agilicus 1.53.3 (installed globally) and 1.415.0,
the newest (.ci/run runs this file again with it, from its own virtualenv). Where the two generations differ, the
helpers below use what each lets a caller send: 1.415.0 types scopes as TokenScope objects and treats
HostPermissions.app_id and admin_org_id as read-only, to be set through the model's from_openapi_data (its own error
message says so), which sends them as 1.53.3 does.

The SDK's models raise on a response that lacks a required field or has a value of the wrong type, so every call
that returns a model is also a shape check: RawToken needs token, ListTokensResponse needs limit, CreateTokenRequest
its four, and 1.415.0's Token.roles a list of roles per application.
"""
import datetime
import importlib.metadata
import os

import agilicus  # noqa: F401  (puts agilicus_api on the path, as the package does for its CLI)
import agilicus_api
import pytest
from agilicus_api.rest import ApiException

NEWEST_GENERATION = hasattr(agilicus_api, "TokenScope")


def test_the_sdk_under_test_is_the_one_this_run_asks_for():
    wanted = os.environ.get("AGILICUS_SDK_VERSION")
    if wanted:
        assert importlib.metadata.version("agilicus") == wanted


def _scopes(names):
    return [agilicus_api.TokenScope(name) for name in names] if NEWEST_GENERATION else list(names)


def _names(scopes):
    return [getattr(scope, "value", scope) for scope in scopes]


def _plain(model):
    return model.to_dict() if hasattr(model, "to_dict") else model


def _host(**fields):
    if NEWEST_GENERATION:
        return agilicus_api.HostPermissions._from_openapi_data(**fields)
    return agilicus_api.HostPermissions(**fields)


@pytest.fixture(scope="module")
def tokens_api(local_service):
    configuration = agilicus_api.Configuration(host=local_service.url)
    configuration.access_token = local_service.token(scope="tokens:admin")
    client = agilicus_api.ApiClient(configuration)
    client.set_default_header("x-api-key", local_service.api_key)
    return agilicus_api.TokensApi(client)


def _request(sub, org="o-sdk", scopes=("urn:agilicus:users", "tokens:admin?"), session=None):
    rule = agilicus_api.RenderedRule(methods=["get"], paths=["^/.*$"])
    host = _host(upstream_host="app.example.com", app_id="a-1", admin_org_id="o-partner", allowed_list=[rule])
    optional = {"session": session} if session else {}
    return agilicus_api.CreateTokenRequest(sub=sub, org=org, audiences=["https://api.example.com"],
                                           time_validity=agilicus_api.TimeValidity(duration=900),
                                           roles={"app-a": "owner"}, hosts=[host], scopes=_scopes(scopes),
                                           **optional)


def test_create_then_introspect_gives_the_token_model(tokens_api):
    raw = tokens_api.create_token(_request("sdk-user-1"))
    assert isinstance(raw, agilicus_api.RawToken) and raw.token and raw.session
    assert raw.time_validity.duration == 900

    token = tokens_api.create_introspect_token(agilicus_api.TokenIntrospect(token=raw.token))

    assert isinstance(token, agilicus_api.Token)
    assert (token.sub, token.org, token.root_org, token.session) == ("sdk-user-1", "o-sdk", "o-sdk", raw.session)
    assert _names(token.scopes) == ["urn:agilicus:users", "tokens:admin"]
    assert token.aud == ["https://api.example.com"]
    assert _plain(token.roles) == {"app-a": ["owner"]}
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


def test_validation_sent_as_the_sdk_sends_it_without_credentials_answers_200_or_403(local_service):
    configuration = agilicus_api.Configuration(host=local_service.url)
    anonymous = agilicus_api.TokensApi(agilicus_api.ApiClient(configuration))

    echoed = anonymous.create_token_validation(_request("sdk-user-4", scopes=("urn:agilicus:users", "tokens:admin?")))

    assert isinstance(echoed, agilicus_api.CreateTokenRequest)
    assert echoed.sub == "sdk-user-4" and echoed.time_validity.duration == 900
    with pytest.raises(ApiException) as refused:
        anonymous.create_token_validation(_request("sdk-user-4", scopes=["clients:admin"]))
    assert refused.value.status == 403


def test_a_token_with_roles_lists_and_introspects_in_every_sdk_generation(tokens_api):
    tokens_api.create_token(_request("sdk-user-6"))

    listed = tokens_api.list_tokens(sub="sdk-user-6")

    assert len(listed.tokens) == 1
    assert _plain(listed.tokens[0].roles) == {"app-a": ["owner"]}
    assert [host.admin_org_id for host in listed.tokens[0].hosts] == ["o-partner"]


def test_a_token_whose_validity_starts_later_is_not_live_before_then(tokens_api):
    request = _request("sdk-user-7")
    start = datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(minutes=10)
    request.token_validity = agilicus_api.TokenValidity(start=start)
    raw = tokens_api.create_token(request)

    with pytest.raises(ApiException) as early:
        tokens_api.create_introspect_token(agilicus_api.TokenIntrospect(token=raw.token))
    assert early.value.status == 400


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
