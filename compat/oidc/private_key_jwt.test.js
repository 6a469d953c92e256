// openid-client 6 (panva) as a machine client that holds a key instead of a secret: it registers its public key
// through the DocSpace API (token_endpoint_auth_method private_key_jwt, jwks inline), then authenticates with
// client.PrivateKeyJwt for client_credentials, introspection and revocation, from the issuer URL alone.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as client from 'openid-client';

const issuer = process.env.TOKEN_SERVICE_URL;
const registrarToken = process.env.REGISTRAR_TOKEN;
const apiKey = process.env.API_KEY;
const insecure = { execute: [client.allowInsecureRequests] };

async function registerKeyClient(publicJwk) {
  const response = await fetch(`${issuer}/api/2.0/clients`, {
    method: 'POST',
    headers: { authorization: `Bearer ${registrarToken}`, 'x-api-key': apiKey, 'content-type': 'application/json' },
    body: JSON.stringify({
      name: 'openid-client key client', description: 'private_key_jwt', logo: 'data:image/png;base64,iVBORw0KGgo=',
      website_url: 'https://m2m.example.com', terms_url: 'https://m2m.example.com/terms',
      policy_url: 'https://m2m.example.com/privacy', redirect_uris: ['https://m2m.example.com/cb'],
      allowed_origins: ['https://m2m.example.com'], logout_redirect_uri: 'https://m2m.example.com/bye',
      scopes: ['files:read'], allow_pkce: false,
      token_endpoint_auth_method: 'private_key_jwt', jwks: { keys: [publicJwk] },
    }),
  });
  const body = await response.json();
  assert.equal(response.status, 201, JSON.stringify(body));
  assert.equal(body.client_secret, undefined, 'a key client has no secret');
  return body.client_id;
}

for (const [alg, parameters] of [
  ['RS256', { name: 'RSASSA-PKCS1-v1_5', modulusLength: 2048, publicExponent: new Uint8Array([1, 0, 1]), hash: 'SHA-256' }],
  ['ES256', { name: 'ECDSA', namedCurve: 'P-256' }],
]) {
  test(`openid-client authenticates with PrivateKeyJwt (${alg}) for client_credentials, introspection and revocation`, async () => {
    const keys = await crypto.subtle.generateKey(parameters, true, ['sign', 'verify']);
    const kid = `openid-client-${alg}`;
    const publicJwk = { ...(await crypto.subtle.exportKey('jwk', keys.publicKey)), kid, use: 'sig' };
    delete publicJwk.key_ops;
    delete publicJwk.ext;
    const clientId = await registerKeyClient(publicJwk);

    const config = await client.discovery(new URL(issuer), clientId, undefined,
      client.PrivateKeyJwt({ key: keys.privateKey, kid }), insecure);
    client.allowInsecureRequests(config);
    assert.ok(config.serverMetadata().token_endpoint_auth_methods_supported.includes('private_key_jwt'));

    const tokens = await client.clientCredentialsGrant(config, { scope: 'files:read' });
    assert.equal(tokens.token_type.toLowerCase(), 'bearer');
    assert.ok(tokens.access_token);

    const introspected = await client.tokenIntrospection(config, tokens.access_token);
    assert.equal(introspected.active, true);
    assert.equal(introspected.client_id, clientId);

    await client.tokenRevocation(config, tokens.access_token);
    assert.equal((await client.tokenIntrospection(config, tokens.access_token)).active, false);
  });
}
