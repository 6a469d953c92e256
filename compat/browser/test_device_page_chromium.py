"""The device authorization grant (RFC 8628) in Debian's headless Chromium, driven by Playwright.

A device (here: this test, polling over HTTP as a TV would) starts a device authorization for a public client. A
person with no session yet opens the verification link in the browser, is sent to the runner's development sign-in
page and back to the verification page with the code filled in, continues, sees which application asks and the same
code, approves; the device's next poll gets the person's tokens. This proves the pages' forms and the sign-in
hand-off's way back work in a browser that enforces the pages' Content-Security-Policy.
"""
import base64
import json
import time
import urllib.error
import urllib.parse
import urllib.request

from pyoidc_browser import chromium, new_page

DEVICE_CODE = "urn:ietf:params:oauth:grant-type:device_code"


def post(url, form=None, json_body=None, headers=None):
    data = urllib.parse.urlencode(form).encode() if form is not None else json.dumps(json_body).encode()
    content_type = "application/x-www-form-urlencoded" if form is not None else "application/json"
    request = urllib.request.Request(url, data=data, method="POST",
                                     headers={"Content-Type": content_type, **(headers or {})})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


def test_a_person_signs_in_and_approves_a_device_in_chromium(local_service, owner):
    # GIVEN a public client (a TV: no secret) registered through the client API, and a device authorization it began
    status, tv = post(local_service.url + "/api/2.0/clients", json_body={
        "name": "Living Room TV", "description": "device grant in Chromium",
        "logo": "data:image/png;base64,iVBORw0KGgo=", "website_url": "https://tv.example.com",
        "terms_url": "https://tv.example.com/terms", "policy_url": "https://tv.example.com/privacy",
        "redirect_uris": ["https://tv.example.com/unused"], "allowed_origins": ["https://tv.example.com"],
        "logout_redirect_uri": "https://tv.example.com/bye", "scopes": ["openid", "files:read"],
        "allow_pkce": False, "token_endpoint_auth_method": "none"},
        headers={"Authorization": "Bearer " + owner.token(), "x-api-key": local_service.api_key})
    assert status == 201, tv
    status, started = post(local_service.url + "/oauth2/device_authorization",
                           form={"client_id": tv["client_id"], "scope": "openid files:read"})
    assert status == 200, started
    poll = {"grant_type": DEVICE_CODE, "client_id": tv["client_id"], "device_code": started["device_code"]}
    status, pending = post(local_service.url + "/oauth2/token", form=poll)
    assert (status, pending["error"]) == (400, "authorization_pending")

    with chromium() as browser:
        page = new_page(browser)
        # WHEN a person without a session opens the verification link
        page.goto(started["verification_uri_complete"])
        # THEN they are at the sign-in page; signing in brings them back to the page, the code filled in
        assert "/dev/sign-in" in page.url, page.url
        page.fill("input[name=username]", "grace")
        page.click("button[type=submit]")
        page.wait_for_selector("#user-code")
        assert page.url.startswith(started["verification_uri"]), page.url
        assert page.input_value("#user-code") == started["user_code"]

        # WHEN they continue, the confirmation names the application and shows the device's code
        page.click("button[value=continue]")
        assert page.inner_text("#client-name") == "Living Room TV"
        assert page.inner_text("#user-code") == started["user_code"]
        # AND they approve
        page.click("button[value=approve]")
        assert page.inner_text("#outcome") == "Your device is connected"
        page.context.close()

    # THEN the device's next poll, after its interval, gets the person's tokens
    time.sleep(started["interval"])
    status, tokens = post(local_service.url + "/oauth2/token", form=poll)
    assert status == 200, tokens
    payload = tokens["id_token"].split(".")[1]
    assert json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))["sub"] == "grace"
    assert tokens["scope"] == "openid files:read" and tokens["refresh_token"] and tokens["id_token"]
    status, again = post(local_service.url + "/oauth2/token", form=poll)
    assert (status, again["error"]) == (400, "invalid_grant"), "a device code works once"
