// twilio-node through the README's recipe, against a real numberpool server (tests/e2e/test_node_sdk.py
// starts one and runs this file with NUMBERPOOL_URL, TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN set).
// Every request the SDK makes is logged twice: as the SDK asked for it and as it was sent; nothing
// may be sent anywhere but NUMBERPOOL_URL.
const assert = require("node:assert/strict");
const { test } = require("node:test");
const twilio = require("twilio");
const { Local, localClient } = require("./recipe");

const BASE = process.env.NUMBERPOOL_URL;
const SID = process.env.TWILIO_ACCOUNT_SID;
const TOKEN = process.env.TWILIO_AUTH_TOKEN;
for (const name of ["NUMBERPOOL_URL", "TWILIO_ACCOUNT_SID", "TWILIO_AUTH_TOKEN"]) {
  if (!process.env[name]) throw new Error(`${name} is not set: run this through tests/e2e/test_node_sdk.py`);
}

const asked = [];  // opts.uri as the SDK handed it to the recipe
const refused = [];  // those the recipe refused
const sent = [];  // the URIs the recipe handed on to the SDK's own RequestClient, which sends them
const recipeRequest = Local.prototype.request;
Local.prototype.request = function (opts) {
  asked.push(opts.uri);
  return recipeRequest.call(this, opts).catch((err) => {
    if (err.message.startsWith("numberpool does not serve")) refused.push(opts.uri);
    throw err;
  });
};
const sendRequest = twilio.RequestClient.prototype.request;
twilio.RequestClient.prototype.request = function (opts) {
  sent.push(opts.uri);
  if (!opts.uri.startsWith(`${BASE}/`)) {  // never let it out, whatever the recipe did
    return Promise.reject(new Error(`the recipe let ${opts.uri} through`));
  }
  return sendRequest.call(this, opts);
};

function clearLogs() {
  for (const log of [asked, refused, sent]) log.length = 0;
}

function checkLogs() {
  assert.equal(sent.length + refused.length, asked.length, "every request was either sent once or refused");
  for (const uri of sent) {
    assert.ok(uri.startsWith(`${BASE}/`), `${uri} went to numberpool`);
    assert.doesNotMatch(uri, /twilio\.com/);
  }
  for (const uri of asked.filter((u) => !refused.includes(u))) {  // Twilio's hosts, or numberpool's next pages
    assert.ok(/^https:\/\/[a-z0-9.-]+\.twilio\.com\//.test(uri) || uri.startsWith(`${BASE}/`), uri);
  }
}

// A test whose requests are logged afresh and checked when it has passed.
function checked(name, fn) {
  test(name, async () => {
    clearLogs();
    await fn();
    checkLogs();
  });
}

// A subaccount of its own per test, so lists hold only what the test made.
async function freshClient(options = {}) {
  const sub = await localClient(BASE, SID, TOKEN).api.v2010.accounts.create({ friendlyName: "node recipe test" });
  clearLogs();
  return localClient(BASE, sub.sid, sub.authToken, options);
}

async function buy(client, count) {
  const numbers = [];
  for (let i = 0; i < count; i += 1) numbers.push(await client.incomingPhoneNumbers.create({ areaCode: "415" }));
  return numbers;
}

checked("buy a number and update it", async () => {
  const client = await freshClient();
  const [number] = await buy(client, 1);
  assert.match(number.sid, /^PN[0-9a-f]{32}$/);
  assert.match(number.phoneNumber, /^\+1415\d{7}$/);
  const updated = await client.incomingPhoneNumbers(number.sid)
    .update({ friendlyName: "front desk", smsUrl: "https://myapp.test/sms" });
  assert.equal(updated.friendlyName, "front desk");
  assert.equal(updated.smsUrl, "https://myapp.test/sms");
  const fetched = await client.incomingPhoneNumbers(number.sid).fetch();
  assert.equal(fetched.friendlyName, "front desk");
  assert.equal(fetched.phoneNumber, number.phoneNumber);
  assert.deepEqual(asked.map((u) => new URL(u).host), ["api.twilio.com", "api.twilio.com", "api.twilio.com"]);
});

checked("lists page across pages: list with a limit, page() and nextPage()", async () => {
  const client = await freshClient();
  const numbers = await buy(client, 5);
  const bought = numbers.map((n) => n.sid).sort();

  const listed = await client.incomingPhoneNumbers.list({ pageSize: 2, limit: 5 });
  assert.deepEqual(listed.map((n) => n.sid).sort(), bought);
  assert.equal((await client.incomingPhoneNumbers.list({ pageSize: 2, limit: 3 })).length, 3);

  const seen = [];
  let page = await client.incomingPhoneNumbers.page({ pageSize: 2 });
  let pages = 0;
  while (page) {
    pages += 1;
    assert.ok(page.instances.length <= 2);
    seen.push(...page.instances.map((n) => n.sid));
    page = await page.nextPage();
  }
  assert.equal(pages, 3);
  assert.deepEqual(seen.sort(), bought);

  const eached = [];
  await client.incomingPhoneNumbers.each({ pageSize: 2 }, (n) => eached.push(n.sid));
  assert.deepEqual(eached.sort(), bought);

  // The v1 products page by absolute URLs in meta.next_page_url, which lead back to numberpool.
  for (let i = 0; i < 3; i += 1) await client.messaging.v1.services.create({ friendlyName: `pool ${i}` });
  const services = await client.messaging.v1.services.list({ pageSize: 2 });
  assert.deepEqual(services.map((s) => s.friendlyName).sort(), ["pool 0", "pool 1", "pool 2"]);
  let servicePage = await client.messaging.v1.services.page({ pageSize: 2 });
  assert.equal(servicePage.instances.length, 2);
  servicePage = await servicePage.nextPage();
  assert.equal(servicePage.instances.length, 1);
  assert.equal(await servicePage.nextPage(), undefined);
});

checked("a Messaging Service with a number in its pool; Twilio's error codes as RestException", async () => {
  const client = await freshClient();
  const [number] = await buy(client, 1);
  const service = await client.messaging.v1.services.create({ friendlyName: "alerts" });
  assert.match(service.sid, /^MG[0-9a-f]{32}$/);
  const added = await client.messaging.v1.services(service.sid).phoneNumbers.create({ phoneNumberSid: number.sid });
  assert.equal(added.sid, number.sid);
  assert.equal(added.phoneNumber, number.phoneNumber);
  const pool = await client.messaging.v1.services(service.sid).phoneNumbers.list();
  assert.deepEqual(pool.map((p) => p.sid), [number.sid]);

  const other = await client.messaging.v1.services.create({ friendlyName: "other" });
  await assert.rejects(other.phoneNumbers().create({ phoneNumberSid: number.sid }), (err) => {
    assert.ok(err instanceof twilio.RestException, `${err} is a RestException`);
    assert.equal(err.code, 21712);
    assert.equal(err.status, 409);
    return true;
  });
  await assert.rejects(client.incomingPhoneNumbers(`PN${"0".repeat(32)}`).fetch(), (err) => {
    assert.ok(err instanceof twilio.RestException, `${err} is a RestException`);
    assert.equal(err.code, 20404);
    assert.equal(err.status, 404);
    return true;
  });
  assert.ok(asked.some((u) => u.startsWith("https://messaging.twilio.com/v1/Services/")));
});

checked("the region and edge go into Twilio's hosts only, never into numberpool's", () => {
  const client = localClient(BASE, SID, TOKEN);
  assert.equal(client.getHostname("api.twilio.com", "dublin", "ie1"), "api.dublin.ie1.twilio.com");
  assert.equal(client.getHostname("messaging.twilio.com", "dublin", undefined), "messaging.dublin.us1.twilio.com");
  assert.equal(client.getHostname("proxy.ie1.twilio.com", undefined, undefined), "proxy.ie1.twilio.com");
  for (const host of ["localhost", "np.test", "np.example.test", "a.b.c.d.example.test", "127.0.0.1"]) {
    assert.equal(client.getHostname(host, "dublin", "ie1"), host);
    assert.equal(client.getHostname(host, undefined, undefined), host);
  }
});

// Each of these makes the SDK build regional or edge hosts, {product}.{suffix}; the recipe rewrites them all.
const REGIONAL = [
  ["the region option", { region: "ie1" }, {}, "ie1.twilio.com"],
  ["the edge option", { edge: "dublin" }, {}, "dublin.us1.twilio.com"],
  ["both options", { region: "au1", edge: "sydney" }, {}, "sydney.au1.twilio.com"],
  ["TWILIO_REGION", {}, { TWILIO_REGION: "ie1" }, "ie1.twilio.com"],
  ["TWILIO_EDGE", {}, { TWILIO_EDGE: "dublin" }, "dublin.us1.twilio.com"],
  ["TWILIO_REGION and TWILIO_EDGE", {}, { TWILIO_REGION: "jp1", TWILIO_EDGE: "tokyo" }, "tokyo.jp1.twilio.com"],
];

for (const [name, options, env, suffix] of REGIONAL) {
  checked(`every request reaches numberpool with ${name}`, async () => {
    const saved = { TWILIO_REGION: process.env.TWILIO_REGION, TWILIO_EDGE: process.env.TWILIO_EDGE };
    Object.assign(process.env, env);
    try {
      const client = await freshClient(options);  // the SDK reads the environment here
      const numbers = await buy(client, 3);
      assert.equal((await client.incomingPhoneNumbers(numbers[0].sid).fetch()).sid, numbers[0].sid);
      assert.equal((await client.incomingPhoneNumbers.list({ pageSize: 2, limit: 3 })).length, 3);
      for (let i = 0; i < 3; i += 1) await client.messaging.v1.services.create({ friendlyName: `pool ${i}` });
      assert.equal((await client.messaging.v1.services.list({ pageSize: 2 })).length, 3);  // 2 pages
      assert.ok(asked.some((u) => u.startsWith(`${BASE}/messaging/v1/Services?`)), "numberpool's next-page URL");
      assert.deepEqual(await client.trunking.v1.trunks.list(), []);
      assert.deepEqual(await client.proxy.v1.services.list(), []);
      await assert.rejects(client.incomingPhoneNumbers(`PN${"0".repeat(32)}`).fetch(), { code: 20404 });
      await assert.rejects(client.verify.v2.services.list(), { message: /^numberpool does not serve verify\./ });

      const hosts = new Set(asked.map((u) => new URL(u).host));
      for (const product of ["api", "messaging", "trunking", "proxy", "verify"]) {
        assert.ok(hosts.has(`${product}.${suffix}`), `${[...hosts]} has ${product}.${suffix}`);
      }
      assert.ok(![...hosts].includes("api.twilio.com"), `${[...hosts]}: the SDK used the region or edge`);
    } finally {
      for (const [key, value] of Object.entries(saved)) {
        if (value === undefined) delete process.env[key];
        else process.env[key] = value;
      }
    }
    assert.deepEqual(refused, [`https://verify.${suffix}/v2/Services`]);
  });
}

checked("a product numberpool does not serve rejects with the recipe's error, and nothing is sent", async () => {
  const client = await freshClient();
  await assert.rejects(client.verify.v2.services.list(),
    { message: "numberpool does not serve verify.twilio.com; nothing was sent to Twilio" });
  await assert.rejects(localClient(BASE, SID, TOKEN, { region: "ie1" }).lookups.v2.phoneNumbers("+14155550123").fetch(),
    { message: "numberpool does not serve lookups.ie1.twilio.com; nothing was sent to Twilio" });
  await assert.rejects(new Local(BASE).request({ method: "get", uri: "https://example.com/2010-04-01/Accounts.json" }),
    { message: "numberpool does not serve example.com; nothing was sent to Twilio" });
  await assert.rejects(new Local(BASE).request({ method: "get", uri: "https://api.twilio.com.example.com/x" }),
    { message: /^numberpool does not serve api\.twilio\.com\.example\.com;/ });
  await assert.rejects(client.validateSslCert(), { message: /^numberpool does not serve tls-test\.twilio\.com;/ });
  assert.equal(refused.length, 5);
  assert.equal(sent.length, 0);
});

checked("send messages: with From, through a Messaging Service, a Twilio error, then list and fetch", async () => {
  const client = await freshClient();
  const [from, pooled] = await buy(client, 2);
  const sent = await client.messages.create({ to: "+14155550100", from: from.phoneNumber, body: "hello from node" });
  assert.match(sent.sid, /^SM[0-9a-f]{32}$/);
  assert.equal(sent.status, "queued");
  assert.equal(sent.numSegments, "1");
  const service = await client.messaging.v1.services.create({ friendlyName: "senders" });
  await client.messaging.v1.services(service.sid).phoneNumbers.create({ phoneNumberSid: pooled.sid });
  const viaService = await client.messages.create({ to: "+14155550101", messagingServiceSid: service.sid, body: "hi" });
  assert.equal(viaService.status, "accepted");
  assert.equal(viaService.from, null);
  await assert.rejects(client.messages.create({ to: "+14155550100", from: from.phoneNumber }),
    (err) => err.status === 400 && err.code === 21619);
  const listed = await client.messages.list({ to: "+14155550100" });
  assert.deepEqual(listed.map((m) => m.sid), [sent.sid]);
  const again = await client.messages(viaService.sid).fetch();
  assert.equal(again.messagingServiceSid, service.sid);
});

checked("place a call: TwiML run to its end, a Twilio error, then list and fetch", async () => {
  const client = await freshClient();
  const [from] = await buy(client, 1);
  const call = await client.calls.create({ to: "+14155550100", from: from.phoneNumber,
    twiml: "<Response><Say>hello from node</Say></Response>", statusCallbackEvent: ["initiated", "completed"] });
  assert.match(call.sid, /^CA[0-9a-f]{32}$/);
  assert.equal(call.status, "queued");
  assert.equal(call.toFormatted, "(415) 555-0100");
  await assert.rejects(client.calls.create({ to: "+14155550100", from: "+14155550199", url: "https://example.com/t" }),
    (err) => err.status === 400 && err.code === 21210);
  const auth = Buffer.from(`${client.username}:${client.password}`).toString("base64");
  const settled = await fetch(`${BASE}/numberpool/v1/Settle`, { method: "POST", headers: { Authorization: `Basic ${auth}` } });
  assert.equal(settled.status, 200);
  const listed = await client.calls.list({ to: "+14155550100" });
  assert.deepEqual(listed.map((c) => c.sid), [call.sid]);
  const ended = await client.calls(call.sid).fetch();
  assert.equal(ended.status, "completed");
  assert.equal(ended.duration, "0");
  assert.equal(ended.direction, "outbound-api");
});
