"""The DocSpace Python SDK (docspace-api-sdk from PyPI) against the local runner, over real HTTP.

Every seed operation of ClientManagementApi, and the querying and scope operations around them, is
called the way an SDK user calls it: authenticated by the asc_auth_key cookie, the usage plan's API
key as a default header. The list and scope operations are read with *_without_preload_content and
the SDK's own models, because SDK 3.7.0 types their `data` as an object while DocSpace's server sends
an array (see docs/architecture.md, "Wire compatibility").
"""
import concurrent.futures
import json
import time
import uuid
import warnings

import pytest

warnings.simplefilter("ignore")
import docspace_api_sdk as ds  # noqa: E402
from docspace_api_sdk.exceptions import (  # noqa: E402
    ApiException, BadRequestException, ForbiddenException, NotFoundException)

from conftest import start_local_service  # noqa: E402

LOGO = "data:image/png;base64,iVBORw0KGgo="


def sdk(service, token, api_key=True):
    conf = ds.Configuration(host=service.url)
    conf.api_key["x-signature"] = f"asc_auth_key={token}"  # sends Cookie: asc_auth_key=<token>
    client = ds.ApiClient(conf)
    if api_key:
        client.set_default_header("x-api-key", service.api_key)
    return ds.ClientManagementApi(client), ds.ClientQueryingApi(client), ds.ScopeManagementApi(client)


def create_request(name, scopes=("openid", "files:read"), allow_pkce=True):
    return ds.CreateClientRequest(
        name=name, description="sdk compatibility", logo=LOGO, scopes=list(scopes), allow_pkce=allow_pkce,
        website_url="https://app.example.com", terms_url="https://app.example.com/terms",
        policy_url="https://app.example.com/privacy", logout_redirect_uri="https://app.example.com/bye",
        redirect_uris=["https://app.example.com/cb"], allowed_origins=["https://app.example.com"])


@pytest.fixture(scope="module")
def user(local_service, owner):
    """A caller with clients:write: an app registered by this suite's owner, using its own token."""
    registrar, _, _ = sdk(local_service, owner.token())
    registered = registrar.create_client(create_request("Team automation", scopes=("clients:write", "openid")))
    return registered.client_id, registered.client_secret


def user_token(local_service, user):
    return local_service.token(*user)


def raw(response):
    assert response.status == 200, (response.status, response.data)
    return json.loads(response.data)


def test_create_returns_201_client_response_with_the_secret_once(local_service, user):
    management, querying, _ = sdk(local_service, user_token(local_service, user))

    created = management.create_client(create_request("Compat App"))

    assert isinstance(created, ds.ClientResponse)
    assert created.client_secret and created.client_id
    assert created.authentication_methods == ["client_secret_post", "none"]
    assert created.logout_redirect_uris == ["https://app.example.com/bye"]
    assert created.created_by == user[0]
    assert created.enabled is True and created.is_public is True
    fetched = querying.get_client(created.client_id)
    assert fetched.client_id == created.client_id and fetched.client_secret is None
    assert local_service.token_status(created.client_id, created.client_secret) == 200


def test_update_client_replaces_name_and_origins(local_service, user):
    management, querying, _ = sdk(local_service, user_token(local_service, user))
    client_id = management.create_client(create_request("Before")).client_id

    result = management.update_client(client_id, ds.UpdateClientRequest(
        name="After", description="updated", logo=LOGO, allow_pkce=False,
        allowed_origins=["https://other.example.com"]))

    assert result in ("", None)
    fetched = querying.get_client(client_id)
    assert fetched.name == "After" and fetched.description == "updated"
    assert fetched.allowed_origins == ["https://other.example.com"]
    assert fetched.redirect_uris == ["https://app.example.com/cb"]
    assert fetched.authentication_methods == ["client_secret_post"]


def test_regenerate_secret_makes_the_old_secret_fail_at_once(local_service, user):
    management, _, _ = sdk(local_service, user_token(local_service, user))
    created = management.create_client(create_request("Rotating"))

    regenerated = management.regenerate_secret(created.client_id)

    assert regenerated.client_secret and regenerated.client_secret != created.client_secret
    assert local_service.token_status(created.client_id, created.client_secret) == 401
    assert local_service.token_status(created.client_id, regenerated.client_secret) == 200


def test_change_activation_refuses_new_tokens_until_reenabled(local_service, user):
    management, querying, _ = sdk(local_service, user_token(local_service, user))
    created = management.create_client(create_request("Switchable"))

    management.change_activation(created.client_id, ds.ChangeClientActivationRequest(status=False))

    assert querying.get_client(created.client_id).enabled is False
    assert local_service.token_status(created.client_id, created.client_secret) == 400
    management.change_activation(created.client_id, ds.ChangeClientActivationRequest(status=True))
    assert local_service.token_status(created.client_id, created.client_secret) == 200


def test_revoke_user_client_stops_the_callers_tokens_at_that_client(local_service, user):
    # The caller's token is the user app's own client_credentials token (sub = its client id), so revoking
    # the caller's consent for that client stops exactly that token.
    token = user_token(local_service, user)
    management, querying, _ = sdk(local_service, token)
    assert querying.get_client_info(user[0]).client_id == user[0]

    management.revoke_user_client(user[0])

    with pytest.raises(ApiException) as refused:
        querying.get_client_info(user[0])
    assert refused.value.status == 401
    _, fresh, _ = sdk(local_service, user_token(local_service, user))
    assert fresh.get_client_info(user[0]).client_id == user[0]


def test_delete_client_then_it_is_gone(local_service, user):
    management, querying, _ = sdk(local_service, user_token(local_service, user))
    created = management.create_client(create_request("Short lived"))
    app_token = local_service.token(created.client_id, created.client_secret)

    management.delete_client(created.client_id)

    with pytest.raises(NotFoundException):
        querying.get_client(created.client_id)
    with pytest.raises(NotFoundException):
        management.delete_client(created.client_id)
    # The token endpoint may answer a matching secret from the row it read for app_token for CLIENT_CACHE_SECONDS
    # (default 1): the deletion bites within that bound.
    time.sleep(1.1)
    assert local_service.token_status(created.client_id, created.client_secret) == 401
    _, as_deleted_app, _ = sdk(local_service, app_token)
    with pytest.raises(ApiException) as refused:
        as_deleted_app.get_client_info(user[0])
    assert refused.value.status == 401


def test_querying_and_scope_operations_parse_with_the_sdk_models(local_service, user):
    management, querying, scopes = sdk(local_service, user_token(local_service, user))
    created = [management.create_client(create_request(f"Listed {i}")).client_id for i in range(3)]

    assert isinstance(querying.get_client_info(created[0]), ds.ClientInfoResponse)
    public = ds.ClientQueryingApi(ds.ApiClient(ds.Configuration(host=local_service.url)))
    assert public.get_public_client_info(created[0]).name == "Listed 0"

    page = raw(querying.get_clients_without_preload_content(limit=2))
    assert [ds.ClientResponse.from_dict(item).name for item in page["data"]] == ["Listed 2", "Listed 1"]
    following = raw(querying.get_clients_without_preload_content(
        limit=2, last_client_id=page["last_client_id"], last_created_on=page["last_created_on"]))
    assert ds.ClientResponse.from_dict(following["data"][0]).name == "Listed 0"

    infos = raw(querying.get_clients_info_without_preload_content(limit=50))["data"]
    assert {created[0], created[1]} <= {ds.ClientInfoResponse.from_dict(item).client_id for item in infos}
    assert isinstance(raw(querying.get_consents_without_preload_content(limit=10))["data"], list)

    listed = [ds.ScopeResponse.from_dict(s) for s in raw(scopes.get_scopes_without_preload_content())]
    assert listed[-1].name == "openid" and {"files:read", "rooms:write"} <= {s.name for s in listed}


def test_errors_reach_the_sdk_as_its_exception_classes_with_the_reason(local_service, user):
    management, querying, _ = sdk(local_service, user_token(local_service, user))

    with pytest.raises(NotFoundException):
        querying.get_client(str(uuid.uuid4()))
    invalid = ds.CreateClientRequest.model_construct(
        name="Bad scopes", description="x", logo=LOGO, scopes=["files:delete"],
        website_url="https://app.example.com", terms_url="https://app.example.com/terms",
        policy_url="https://app.example.com/privacy", logout_redirect_uri="https://app.example.com/bye",
        redirect_uris=["https://app.example.com/cb"], allowed_origins=["https://app.example.com"])
    with pytest.raises(BadRequestException) as bad:
        management.create_client(invalid)
    assert "files:delete" in json.loads(bad.value.body)["reason"]


def test_management_routes_need_the_usage_plan_api_key(local_service, user):
    _, querying, _ = sdk(local_service, user_token(local_service, user), api_key=False)

    with pytest.raises(ApiException) as forbidden:
        querying.get_client_info(user[0])
    assert forbidden.value.status == 403


def test_a_client_id_that_is_not_a_uuid_is_400_invalid_client_id_format_on_every_change(local_service, user):
    management, _, _ = sdk(local_service, user_token(local_service, user))

    for change in (lambda: management.delete_client("not-a-uuid"),
                   lambda: management.regenerate_secret("not-a-uuid"),
                   lambda: management.revoke_user_client("not-a-uuid"),
                   lambda: management.change_activation("not-a-uuid", ds.ChangeClientActivationRequest(status=False)),
                   lambda: management.update_client("not-a-uuid", ds.UpdateClientRequest(
                       name="Renamed", description="x", logo=LOGO, allow_pkce=False,
                       allowed_origins=["https://app.example.com"]))):
        with pytest.raises(BadRequestException) as bad:
            change()
        assert isinstance(bad.value.data, ds.ProblemDetail) and bad.value.data.status == 400
        assert "Invalid client ID format" in bad.value.data.detail


def test_a_caller_without_a_client_scope_is_403_insufficient_permissions(local_service, user):
    owner, _, _ = sdk(local_service, user_token(local_service, user))
    client_id = owner.create_client(create_request("Guarded by scope")).client_id
    # GIVEN an app registered with openid only: its own token holds no client-management scope
    other = owner.create_client(create_request("No management scope", scopes=("openid",)))
    unscoped, _, _ = sdk(local_service, local_service.token(other.client_id, other.client_secret))

    for change in (lambda: unscoped.delete_client(client_id),
                   lambda: unscoped.regenerate_secret(client_id),
                   lambda: unscoped.change_activation(client_id, ds.ChangeClientActivationRequest(status=False))):
        with pytest.raises(ForbiddenException) as forbidden:
            change()
        assert forbidden.value.data.status == 403 and forbidden.value.data.detail.startswith("Insufficient permissions")


def test_throttled_answers_fill_the_sdks_problem_detail():
    # GIVEN a runner whose management usage plan allows one request a second, with a burst of one
    with start_local_service(["--parameter", "ManagementRateLimit=1", "--parameter", "ManagementBurstLimit=1"]) as slow:
        _, querying, _ = sdk(slow, slow.token())

        # WHEN the SDK calls faster than that, side by side (each call a 404 unless the gateway steps in)
        def call(_):
            try:
                querying.get_client(str(uuid.uuid4()))
            except NotFoundException:
                return None
            except ApiException as refused:
                return refused
            return None

        with concurrent.futures.ThreadPoolExecutor(max_workers=8) as threads:
            refusals = [refused for refused in threads.map(call, range(24)) if refused is not None]
        throttled = next((refused for refused in refusals if refused.status == 429), None)

    # THEN the 429 reaches it as its ProblemDetail, every field filled
    assert throttled is not None and throttled.status == 429
    problem = throttled.data
    assert isinstance(problem, ds.ProblemDetail)
    assert (problem.status, problem.title) == (429, "Too Many Requests")
    assert problem.type and problem.detail
    assert json.loads(throttled.body)["reason"] == "too many requests"
