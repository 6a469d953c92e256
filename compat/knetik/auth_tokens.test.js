// The Knetik JavaScript SDK (@knetik/knetikcloud-sdk, AuthTokensApi) against the local runner: all three
// operations, as an SDK user calls them. compat/knetik/test_knetik_sdk.py starts it with the runner's URL,
// an access token with tokens:admin, the admin's client id and the usage plan's API key in the environment.
'use strict';
const test = require('node:test');
const assert = require('node:assert/strict');
const KnetikCloud = require('@knetik/knetikcloud-sdk');

const url = process.env.TOKEN_SERVICE_URL;
const adminToken = process.env.TOKEN_SERVICE_ADMIN_TOKEN;
const adminClientId = process.env.TOKEN_SERVICE_ADMIN_CLIENT_ID;
const apiKey = process.env.TOKEN_SERVICE_API_KEY;
const run = `${Date.now()}`;

function sdk(token) {
  const client = new KnetikCloud.ApiClient();
  client.basePath = url;
  client.authentications['oauth2_client_credentials_grant'].accessToken = token;
  client.defaultHeaders = {'x-api-key': apiKey};
  return new KnetikCloud.AuthTokensApi(client);
}

// Tokens for a user at the admin's client, made through the Agilicus create endpoint of the same service.
async function tokenFor(username) {
  const response = await fetch(`${url}/v1/tokens`, {
    method: 'POST',
    headers: {'Authorization': `Bearer ${adminToken}`, 'x-api-key': apiKey, 'Content-Type': 'application/json'},
    // The user's token is meant for an app and for this service (its issuer URL), so it may call the service.
    body: JSON.stringify({sub: username, org: 'o-knetik', audiences: ['https://api.example.com', url],
      time_validity: {duration: 600}, scopes: ['files:read']}),
  });
  assert.equal(response.status, 201, await response.clone().text());
  return (await response.json()).token;
}

async function introspectStatus(token) {
  const response = await fetch(`${url}/v1/tokens/introspect`, {
    method: 'POST', headers: {'Content-Type': 'application/json'}, body: JSON.stringify({token}),
  });
  return response.status;
}

async function rejection(promise) {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  assert.fail('the SDK call succeeded');
}

test('get_tokens lists users and clients without token values, paged from 1 and ordered', async () => {
  const users = [`b-${run}@example.com`, `a-${run}@example.com`, `c-${run}@example.com`];
  for (const user of users) {
    await tokenFor(user);
  }
  const api = sdk(adminToken);
  const page = await api.getTokens({filterClientId: adminClientId, size: 2, page: 1, order: 'username:DESC'});

  assert.ok(page instanceof KnetikCloud.PageResourceOauthAccessTokenResource);
  assert.equal(page.size, 2);
  assert.equal(page.number, 0);
  assert.equal(page.number_of_elements, 2);
  assert.equal(page.first, true);
  assert.ok(page.total_elements >= 4, 'three users and the admin itself');
  assert.equal(page.total_pages, Math.ceil(page.total_elements / 2));
  assert.equal(page.sort[0].property, 'username');
  assert.equal(page.sort[0].direction, 'DESC');
  for (const row of page.content) {
    assert.ok(row instanceof KnetikCloud.OauthAccessTokenResource);
    assert.equal(row.client_id, adminClientId);
    assert.equal(row.token, undefined, 'a list never shows token values');
  }
  const names = page.content.map((row) => row.username);
  assert.deepEqual(names, [...names].sort().reverse());

  const mine = await api.getTokens({filterUsername: users[1]});
  assert.deepEqual(mine.content.map((row) => [row.username, row.client_id]), [[users[1], adminClientId]]);
  assert.equal(mine.size, 25);
});

test('get_token returns the most recent live token of the user at the client', async () => {
  const user = `d-${run}@example.com`;
  await tokenFor(user);
  const newest = await tokenFor(user);

  const resource = await sdk(adminToken).getToken(user, adminClientId);

  assert.ok(resource instanceof KnetikCloud.OauthAccessTokenResource);
  assert.equal(resource.username, user);
  assert.equal(resource.client_id, adminClientId);
  assert.equal(resource.token, newest);
  assert.equal(await introspectStatus(resource.token), 200);
});

test('delete_tokens by username and client stops their tokens at once; neither given is a 400', async () => {
  const user = `e-${run}@example.com`;
  const token = await tokenFor(user);
  const bystander = await tokenFor(`f-${run}@example.com`);
  const api = sdk(adminToken);
  assert.equal((await api.getToken(user, adminClientId)).token, token);

  const deleted = await api.deleteTokensWithHttpInfo({username: user, clientId: adminClientId});

  assert.equal(deleted.response.status, 204);
  assert.equal(await introspectStatus(token), 410);
  assert.equal(await introspectStatus(bystander), 200);
  assert.equal((await rejection(api.getToken(user, adminClientId))).status, 404);
  assert.equal((await api.getTokens({filterUsername: user})).total_elements, 0);

  const neither = await rejection(api.deleteTokens({}));
  assert.equal(neither.status, 400);
  assert.equal(neither.response.body.result[0].field, 'username');

  const byUser = `g-${run}@example.com`;
  const theirs = await tokenFor(byUser);
  await api.deleteTokens({username: byUser});
  assert.equal(await introspectStatus(theirs), 410);
});

test('every operation needs tokens:admin', async () => {
  const plain = await tokenFor(`h-${run}@example.com`);
  const api = sdk(plain);
  assert.equal((await rejection(api.getTokens({}))).status, 403);
  assert.equal((await rejection(api.getToken('anyone', adminClientId))).status, 403);
  assert.equal((await rejection(api.deleteTokens({username: 'anyone'}))).status, 403);
});
