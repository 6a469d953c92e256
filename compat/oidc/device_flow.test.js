// openid-client 6 (panva) against the local runner for the device authorization grant (RFC 8628), with its own
// initiateDeviceAuthorization and pollDeviceAuthorizationGrant: a public client (no secret, as a TV or a CLI) starts,
// a signed-in browser types the user code at the verification page and answers, and the library's polling (which
// waits the interval and honours slow_down) ends in tokens, or in access_denied.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as client from 'openid-client';

const issuer = process.env.TOKEN_SERVICE_URL;
const clientId = process.env.OIDC_CLIENT_ID;
const userToken = process.env.OIDC_USER_TOKEN;
const DEVICE_CODE = 'urn:ietf:params:oauth:grant-type:device_code';
const insecure = { execute: [client.allowInsecureRequests] };

async function browse(url, init = {}) {
  return fetch(url, {
    redirect: 'manual',
    ...init,
    headers: { cookie: `asc_auth_key=${userToken}`, accept: 'text/html', ...(init.headers || {}) },
  });
}

function form(fields) {
  return { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams(fields) };
}

// What a person does in the browser: open the complete link, check the code, continue, then approve or deny.
async function answer(started, decision) {
  const link = await browse(started.verification_uri_complete);
  assert.equal(link.status, 200, 'the link opens the code form for a signed-in person');
  assert.ok((await link.text()).includes(`value="${started.user_code}"`), 'the link fills the code in');
  const confirmation = await browse(started.verification_uri, form({ user_code: started.user_code.toLowerCase() }));
  assert.equal(confirmation.status, 200);
  const page = await confirmation.text();
  assert.ok(page.includes(started.user_code), 'the confirmation shows the code to compare with the device');
  const ticket = page.match(/name="ticket" value="([^"]+)"/)[1].replaceAll('&amp;', '&');
  const outcome = await browse(started.verification_uri, form({ ticket, decision }));
  assert.equal(outcome.status, 200);
}

function claimsOf(jwt) {
  return JSON.parse(Buffer.from(jwt.split('.')[1], 'base64url').toString());
}

test('openid-client signs a device in with the device authorization grant', async () => {
  const config = await client.discovery(new URL(issuer), clientId, undefined, client.None(), insecure);
  client.allowInsecureRequests(config);
  assert.equal(config.serverMetadata().device_authorization_endpoint, `${issuer}/oauth2/device_authorization`);
  assert.ok(config.serverMetadata().grant_types_supported.includes(DEVICE_CODE));

  const started = await client.initiateDeviceAuthorization(config, { scope: 'openid files:read' });
  assert.match(started.user_code, /^[BCDFGHJKLMNPQRSTVWXZ]{4}-[BCDFGHJKLMNPQRSTVWXZ]{4}$/);
  assert.equal(started.verification_uri, `${issuer}/oauth2/device`);

  // The library polls (authorization_pending until the person answers) while the person approves in the browser
  const polling = client.pollDeviceAuthorizationGrant(config, started);
  await answer(started, 'approve');
  const tokens = await polling;

  assert.equal(tokens.token_type.toLowerCase(), 'bearer');
  assert.ok(tokens.refresh_token, 'a refresh token for the device');
  const idClaims = tokens.claims();
  assert.equal(idClaims.aud, clientId);
  assert.equal(claimsOf(tokens.access_token).sub, idClaims.sub);
  const userInfo = await client.fetchUserInfo(config, tokens.access_token, idClaims.sub);
  assert.equal(userInfo.sub, idClaims.sub);
  const refreshed = await client.refreshTokenGrant(config, tokens.refresh_token);
  assert.ok(refreshed.access_token);
});

test('openid-client hears access_denied when the person denies the device', async () => {
  const config = await client.discovery(new URL(issuer), clientId, undefined, client.None(), insecure);
  client.allowInsecureRequests(config);
  const started = await client.initiateDeviceAuthorization(config, { scope: 'files:read' });

  const polling = client.pollDeviceAuthorizationGrant(config, started);
  await answer(started, 'deny');

  await assert.rejects(polling, (error) => {
    assert.equal(error.error, 'access_denied');
    return true;
  });
});
