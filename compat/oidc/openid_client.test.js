// A relying party built on openid-client 6 (panva), knowing only the issuer URL, signs a user in against the
// local runner: discovery → authorization code + PKCE + nonce → ID token validated by the library → userinfo →
// refresh (a new ID token) → RP-initiated logout. The browser's part (the cookie that says who is signed in,
// the consent form) is played with fetch, as a browser would send it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as client from 'openid-client';

const issuer = process.env.TOKEN_SERVICE_URL;
const clientId = process.env.OIDC_CLIENT_ID;
const clientSecret = process.env.OIDC_CLIENT_SECRET;
const userToken = process.env.OIDC_USER_TOKEN;
// The first test signs its session out at the end; the second signs in with a session of its own.
const secondUserToken = process.env.OIDC_SECOND_USER_TOKEN;
const thirdUserToken = process.env.OIDC_THIRD_USER_TOKEN;
const redirectUri = process.env.OIDC_REDIRECT_URI;
const logoutUri = process.env.OIDC_LOGOUT_URI;

// The local runner serves plain HTTP on loopback; openid-client refuses http:// unless told.
const insecure = { execute: [client.allowInsecureRequests] };

/** The user's browser: their session token in the asc_auth_key cookie, redirects not followed. */
async function browse(url, init = {}, session = userToken) {
  return fetch(url, {
    redirect: 'manual',
    ...init,
    headers: { cookie: `asc_auth_key=${session}`, accept: 'text/html', ...(init.headers || {}) },
  });
}

/** Opens the authorization URL and approves the consent page if it is shown; returns the callback URL. */
async function signIn(url, session = userToken) {
  let response = await browse(url, {}, session);
  if (response.status === 200) {
    const page = await response.text();
    const ticket = page.match(/name="ticket" value="([^"]+)"/)[1].replaceAll('&amp;', '&');
    response = await browse(url, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ ticket, decision: 'approve' }),
    }, session);
  }
  assert.equal(response.status, 302, `expected a redirect to the client, got ${response.status}`);
  const location = response.headers.get('location');
  assert.ok(location.startsWith(`${redirectUri}?`), `expected a redirect to the client, got ${location}`);
  return new URL(location);
}

test('openid-client signs a user in, reads userinfo, refreshes and signs out, from the issuer URL alone', async () => {
  // Discovery from the issuer URL alone
  const config = await client.discovery(new URL(issuer), clientId, clientSecret, undefined, insecure);
  client.allowInsecureRequests(config);
  const metadata = config.serverMetadata();
  assert.equal(metadata.issuer, issuer);
  assert.ok(metadata.userinfo_endpoint && metadata.end_session_endpoint);

  // Authorization code + PKCE + nonce
  const codeVerifier = client.randomPKCECodeVerifier();
  const nonce = client.randomNonce();
  const state = client.randomState();
  const authorizationUrl = client.buildAuthorizationUrl(config, {
    redirect_uri: redirectUri,
    scope: 'openid files:read',
    code_challenge: await client.calculatePKCECodeChallenge(codeVerifier),
    code_challenge_method: 'S256',
    nonce,
    state,
    max_age: '3600', // the library then checks auth_time too
  });
  const callback = await signIn(authorizationUrl);
  assert.equal(callback.origin + callback.pathname, redirectUri);

  // The library exchanges the code and validates the ID token (signature by the JWKS, iss, aud, exp, nonce)
  const tokens = await client.authorizationCodeGrant(config, callback, {
    pkceCodeVerifier: codeVerifier,
    expectedNonce: nonce,
    expectedState: state,
    idTokenExpected: true,
    maxAge: 3600,
  });
  const claims = tokens.claims();
  assert.equal(claims.iss, issuer);
  assert.equal(claims.aud, clientId);
  assert.equal(claims.nonce, nonce);
  assert.ok(claims.sid && claims.auth_time && claims.at_hash);

  // UserInfo for the same subject
  const userinfo = await client.fetchUserInfo(config, tokens.access_token, claims.sub);
  assert.equal(userinfo.sub, claims.sub);
  assert.equal(userinfo.cid, clientId);

  // A refresh buys a new ID token for the same sign-in, without a nonce
  const refreshed = await client.refreshTokenGrant(config, tokens.refresh_token);
  const renewed = refreshed.claims();
  assert.ok(renewed, 'an ID token came with the refresh');
  assert.equal(renewed.sub, claims.sub);
  assert.equal(renewed.sid, claims.sid);
  assert.equal(renewed.auth_time, claims.auth_time);
  assert.equal(renewed.nonce, undefined);
  assert.notEqual(refreshed.refresh_token, tokens.refresh_token);

  // RP-initiated logout: back to the registered URI with the state, and the session's tokens stop
  const logoutState = client.randomState();
  const logoutUrl = client.buildEndSessionUrl(config, {
    id_token_hint: refreshed.id_token,
    post_logout_redirect_uri: logoutUri,
    state: logoutState,
  });
  const loggedOut = await fetch(logoutUrl, { redirect: 'manual' });
  assert.equal(loggedOut.status, 302);
  assert.equal(loggedOut.headers.get('location'), `${logoutUri}?state=${logoutState}`);
  await assert.rejects(client.fetchUserInfo(config, refreshed.access_token, claims.sub),
    (error) => error.status === 401 || /invalid_token/.test(String(error.cause?.get?.('error') ?? error.message)));
  await assert.rejects(client.refreshTokenGrant(config, refreshed.refresh_token),
    (error) => error.error === 'invalid_grant');
});

test('openid-client refuses an ID token whose nonce is not the one it sent', async () => {
  const config = await client.discovery(new URL(issuer), clientId, clientSecret, undefined, insecure);
  client.allowInsecureRequests(config);
  const codeVerifier = client.randomPKCECodeVerifier();
  const callback = await signIn(client.buildAuthorizationUrl(config, {
    redirect_uri: redirectUri,
    scope: 'openid',
    code_challenge: await client.calculatePKCECodeChallenge(codeVerifier),
    code_challenge_method: 'S256',
    nonce: client.randomNonce(),
  }), secondUserToken);

  await assert.rejects(client.authorizationCodeGrant(config, callback, {
    pkceCodeVerifier: codeVerifier,
    expectedNonce: client.randomNonce(),
    idTokenExpected: true,
  }), (error) => error.code === 'OAUTH_JWT_CLAIM_COMPARISON_FAILED' && error.cause?.cause?.claim === 'nonce');
});

test('openid-client binds its tokens to a DPoP key: the code exchange, userinfo and refresh carry its proofs', async () => {
  const config = await client.discovery(new URL(issuer), clientId, clientSecret, undefined, insecure);
  client.allowInsecureRequests(config);
  assert.ok(config.serverMetadata().dpop_signing_alg_values_supported.includes('ES256'));
  const DPoP = client.getDPoPHandle(config, await client.randomDPoPKeyPair('ES256'));
  const codeVerifier = client.randomPKCECodeVerifier();
  const nonce = client.randomNonce();
  const callback = await signIn(client.buildAuthorizationUrl(config, {
    redirect_uri: redirectUri,
    scope: 'openid files:read',
    code_challenge: await client.calculatePKCECodeChallenge(codeVerifier),
    code_challenge_method: 'S256',
    nonce,
  }), thirdUserToken);

  // The exchange carries a proof: the access token comes back as a DPoP token bound to the key
  const tokens = await client.authorizationCodeGrant(config, callback, {
    pkceCodeVerifier: codeVerifier,
    expectedNonce: nonce,
    idTokenExpected: true,
  }, undefined, { DPoP });
  assert.equal(tokens.token_type, 'dpop');
  const sub = tokens.claims().sub;

  // Userinfo with a proof of the key answers; the same token without one is refused
  const userinfo = await client.fetchUserInfo(config, tokens.access_token, sub, { DPoP });
  assert.equal(userinfo.sub, sub);
  await assert.rejects(client.fetchUserInfo(config, tokens.access_token, sub),
    (error) => error.status === 401 || /invalid_token|DPoP/.test(String(error.message)));

  // A refresh with a proof buys new bound tokens that work the same way
  const refreshed = await client.refreshTokenGrant(config, tokens.refresh_token, undefined, { DPoP });
  assert.equal(refreshed.token_type, 'dpop');
  assert.equal((await client.fetchUserInfo(config, refreshed.access_token, sub, { DPoP })).sub, sub);
});
