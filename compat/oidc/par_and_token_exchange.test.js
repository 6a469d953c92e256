// openid-client 6 (panva) against the local runner for two standards it implements itself: pushed authorization
// requests (RFC 9126, buildAuthorizationUrlWithPAR) and token exchange (RFC 8693, through genericGrantRequest).
// The relying party is registered to require pushed requests and may ask for one resource besides this service.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as client from 'openid-client';

const issuer = process.env.TOKEN_SERVICE_URL;
const clientId = process.env.OIDC_CLIENT_ID;
const clientSecret = process.env.OIDC_CLIENT_SECRET;
const userToken = process.env.OIDC_USER_TOKEN;
const redirectUri = process.env.OIDC_REDIRECT_URI;
const resource = process.env.OIDC_RESOURCE;

const TOKEN_EXCHANGE = 'urn:ietf:params:oauth:grant-type:token-exchange';
const ACCESS_TOKEN = 'urn:ietf:params:oauth:token-type:access_token';
const insecure = { execute: [client.allowInsecureRequests] };

async function browse(url, init = {}) {
  return fetch(url, {
    redirect: 'manual',
    ...init,
    headers: { cookie: `asc_auth_key=${userToken}`, accept: 'text/html', ...(init.headers || {}) },
  });
}

async function signIn(url) {
  let response = await browse(url);
  if (response.status === 200) {
    const page = await response.text();
    const ticket = page.match(/name="ticket" value="([^"]+)"/)[1].replaceAll('&amp;', '&');
    response = await browse(new URL('/oauth2/authorize', issuer), {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ ticket, decision: 'approve' }),
    });
  }
  assert.equal(response.status, 302, `expected a redirect to the client, got ${response.status}`);
  return new URL(response.headers.get('location'));
}

function claimsOf(jwt) {
  return JSON.parse(Buffer.from(jwt.split('.')[1], 'base64url').toString());
}

test('openid-client pushes its authorization request, then exchanges the access token for a narrower one', async () => {
  const config = await client.discovery(new URL(issuer), clientId, clientSecret, undefined, insecure);
  client.allowInsecureRequests(config);
  assert.equal(config.serverMetadata().pushed_authorization_request_endpoint, `${issuer}/oauth2/par`);
  assert.ok(config.serverMetadata().grant_types_supported.includes(TOKEN_EXCHANGE));

  const codeVerifier = client.randomPKCECodeVerifier();
  const state = client.randomState();
  const parameters = {
    redirect_uri: redirectUri,
    scope: 'openid files:read',
    code_challenge: await client.calculatePKCECodeChallenge(codeVerifier),
    code_challenge_method: 'S256',
    state,
    resource,
  };

  // The client is registered to require pushed requests: the same request in the URL is refused
  const plain = await browse(client.buildAuthorizationUrl(config, parameters));
  assert.equal(plain.status, 302);
  assert.equal(new URL(plain.headers.get('location')).searchParams.get('error'), 'invalid_request');

  // Pushed: the browser's URL carries only client_id and request_uri
  const pushedUrl = await client.buildAuthorizationUrlWithPAR(config, parameters);
  assert.deepEqual([...pushedUrl.searchParams.keys()].sort(), ['client_id', 'request_uri']);
  const callback = await signIn(pushedUrl);
  const tokens = await client.authorizationCodeGrant(config, callback, {
    pkceCodeVerifier: codeVerifier,
    expectedState: state,
    idTokenExpected: true,
  });
  // The pushed resource became the access token's audience (with this issuer, for userinfo)
  assert.deepEqual(claimsOf(tokens.access_token).aud, [resource, issuer]);
  // A request_uri works once
  assert.equal((await browse(pushedUrl)).status, 400);

  // Token exchange: the user's token becomes one for the resource alone, with one scope
  const exchanged = await client.genericGrantRequest(config, TOKEN_EXCHANGE, {
    subject_token: tokens.access_token,
    subject_token_type: ACCESS_TOKEN,
    audience: resource,
    scope: 'files:read',
  });
  assert.equal(exchanged.issued_token_type, ACCESS_TOKEN);
  assert.equal(exchanged.token_type, 'bearer');
  const exchangedClaims = claimsOf(exchanged.access_token);
  const subjectClaims = claimsOf(tokens.access_token);
  assert.equal(exchangedClaims.sub, subjectClaims.sub);
  assert.equal(exchangedClaims.aud, resource);
  assert.equal(exchangedClaims.scope, 'files:read');
  assert.ok(exchangedClaims.exp <= subjectClaims.exp);

  // A wider scope than the subject token's is refused
  await assert.rejects(client.genericGrantRequest(config, TOKEN_EXCHANGE, {
    subject_token: tokens.access_token,
    subject_token_type: ACCESS_TOKEN,
    scope: 'openid files:read files:write',
  }), (error) => error.error === 'invalid_scope');
});

test('openid-client pushes its request with a DPoP proof, and only that key redeems the code (RFC 9449 §10.1)', async () => {
  const config = await client.discovery(new URL(issuer), clientId, clientSecret, undefined, insecure);
  client.allowInsecureRequests(config);
  const DPoP = client.getDPoPHandle(config, await client.randomDPoPKeyPair('ES256'));
  const codeVerifier = client.randomPKCECodeVerifier();
  const state = client.randomState();
  const parameters = {
    redirect_uri: redirectUri,
    scope: 'openid files:read',
    code_challenge: await client.calculatePKCECodeChallenge(codeVerifier),
    code_challenge_method: 'S256',
    state,
  };

  // The push carries the library's DPoP proof: the code it leads to is bound to that key
  const callback = await signIn(await client.buildAuthorizationUrlWithPAR(config, parameters, { DPoP }));
  const checks = { pkceCodeVerifier: codeVerifier, expectedState: state, idTokenExpected: true };
  await assert.rejects(client.authorizationCodeGrant(config, callback, checks),
    (error) => error.error === 'invalid_dpop_proof');
  const tokens = await client.authorizationCodeGrant(config, callback, checks, undefined, { DPoP });
  assert.equal(tokens.token_type.toLowerCase(), 'dpop');
  assert.ok(claimsOf(tokens.access_token).cnf.jkt);
});
