// Drives the sandbox dashboard (GET /__admin/) in headless Chromium, as a person running a demo
// would: one KYCAID and one Rebilly flow go through the APIs, then the dashboard shows them live,
// a click approves the KYCAID verification and declines the Rebilly document, the webhook the
// approval sent is listed, and the clock moves from its page. A fault rule is added, edited and
// deleted from the Faults page (KYCAID answers 503 while it holds), and the state is downloaded and
// restored from the Snapshot page. Every page is loaded; screenshots go to $SCREENSHOTS.
//
//   SANDBOX=http://127.0.0.1:NNNN SCREENSHOTS=dir node dashboard.mjs   (run by scripts/sdk-dashboard.sh)
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { finish, launch, step } from '../lib/browser-steps.mjs';

const SANDBOX = process.env.SANDBOX;
assert.ok(SANDBOX, 'set SANDBOX to the sandbox base URL');
const SCREENSHOTS = process.env.SCREENSHOTS || 'dashboard-screenshots';
await mkdir(SCREENSHOTS, { recursive: true });
const IMAGE = await readFile(fileURLToPath(new URL('../../fixtures/images/document.png', import.meta.url)));

const KYCAID = { base: `${SANDBOX}/kycaid`, headers: { Authorization: 'Token dashboard-demo-token' } };
const REBILLY = {
  base: `${SANDBOX}/rebilly/organizations/org-dashboard`,
  headers: { 'REB-APIKEY': 'sk_sandbox_dashboard' },
};

async function call(api, method, path, body) {
  const headers = { ...api.headers };
  let payload = body;
  if (body && !(body instanceof FormData)) {
    headers['Content-Type'] = 'application/json';
    payload = JSON.stringify(body);
  }
  const response = await fetch(`${api.base}${path}`, { method, headers, body: payload });
  const text = await response.text();
  assert.ok(response.ok, `${method} ${path} -> ${response.status} ${text}`);
  return text ? JSON.parse(text) : null;
}

function upload(name) {
  const form = new FormData();
  form.append('file', new Blob([IMAGE], { type: 'image/png' }), name);
  return form;
}

const admin = async path => (await fetch(`${SANDBOX}/__admin${path}`)).json();
const tenantOf = async provider =>
  (await admin('/tenants')).tenants.find(t => t.provider === provider).tenant;
const shot = (page, name) => page.screenshot({ path: `${SCREENSHOTS}/${name}.png` });

// A KYCAID applicant with a passport, submitted for manual review ("+manual" in the email), its
// callbacks sent to the sandbox's own webhook sink.
const applicant = await call(KYCAID, 'POST', '/applicants', {
  type: 'PERSON', first_name: 'Jane', last_name: 'Roe', email: 'jane+manual@example.com',
});
const file = await call(KYCAID, 'POST', '/files', upload('passport.png'));
await call(KYCAID, 'POST', '/documents', {
  applicant_id: applicant.applicant_id, type: 'PASSPORT', document_number: 'AB123456', front_side_id: file.file_id,
});
const verification = await call(KYCAID, 'POST', '/verifications', {
  applicant_id: applicant.applicant_id, callback_url: `${SANDBOX}/__admin/webhook-sink/kycaid`,
});
// A Rebilly customer with an identity proof left for a human ("manual*" file name).
await call(REBILLY, 'PUT', '/customers/cus_jane', { primaryAddress: { firstName: 'Jane', lastName: 'Roe' } });
const rebillyFile = await call(REBILLY, 'POST', '/files', upload('manual-passport.png'));
const document = await call(REBILLY, 'POST', '/kyc-documents', {
  customerId: 'cus_jane', documentType: 'identity-proof', fileIds: [rebillyFile.id],
});
const kycaidTenant = await tenantOf('kycaid');
const rebillyTenant = await tenantOf('rebilly');

const browser = await launch(chromium);
try {
  const page = await browser.newPage({ viewport: { width: 1100, height: 720 } });

  await step('the overview lists both tenants and goes live', async () => {
    const opened = await page.goto(`${SANDBOX}/__admin/`);
    assert.equal(opened.status(), 200);
    await page.waitForSelector('#live.on');
    assert.equal(await page.textContent('#live'), 'live');
    for (const tenant of [kycaidTenant, rebillyTenant]) {
      await page.waitForSelector(`a[href="/__admin/ui/tenants/${tenant}"]`);
    }
    await shot(page, 'overview');
  });

  await step('a click approves the pending KYCAID verification', async () => {
    await page.goto(`${SANDBOX}/__admin/ui/tenants/${kycaidTenant}`);
    await page.waitForSelector('#live.on');
    const row = `#c-verifications tr[data-id="${verification.verification_id}"]`;
    assert.equal(await page.textContent(`${row} .badge`), 'pending');
    await shot(page, 'tenant');
    await page.click(`${row} button:text-is("Approve")`);
    await page.waitForSelector(`${row} .badge:text-is("completed")`);
    const after = await call(KYCAID, 'GET', `/verifications/${verification.verification_id}`);
    assert.equal(after.status, 'completed');
    assert.equal(after.verified, true);
  });

  await step('the approval\'s webhook is listed, delivered, with its signature', async () => {
    const deliveries = (await admin('/webhooks?provider=kycaid')).deliveries;
    assert.equal(deliveries.length, 1, JSON.stringify(deliveries));
    await page.goto(`${SANDBOX}/__admin/ui/webhooks?provider=kycaid`);
    const entry = page.locator('details.entry', { hasText: 'VERIFICATION_COMPLETED' });
    await entry.locator('summary .num').click(); // not the tenant link it also holds
    await entry.locator('.badge:text-is("delivered")').waitFor();
    await entry.locator('tr.signature th:text-is("x-data-integrity")').waitFor();
    await shot(page, 'webhooks');
    await entry.locator('button:text-is("Redeliver")').click();
    await page.waitForSelector('#toast:text("Redeliver: done")');
  });

  await step('a click declines the Rebilly document', async () => {
    await page.goto(`${SANDBOX}/__admin/ui/tenants/${rebillyTenant}/documents/${document.id}`);
    assert.equal(await page.textContent('.meta .badge'), 'pending');
    await page.click('button:text-is("Decline")');
    await page.waitForSelector('.meta .badge:text-is("rejected")');
    const after = await call(REBILLY, 'GET', `/kyc-documents/${document.id}`);
    assert.equal(after.status, 'rejected');
    await page.waitForSelector('ol.timeline li.past');
    await shot(page, 'resource');
  });

  await step('new requests appear on the journal without a reload', async () => {
    await page.goto(`${SANDBOX}/__admin/ui/requests`);
    await page.waitForSelector('#live.on');
    const path = `/kycaid/applicants/${applicant.applicant_id}`;
    assert.equal(await page.locator(`code.path:text-is("${path}")`).count(), 0);
    let reloaded = false;
    page.once('load', () => { reloaded = true; });
    await call(KYCAID, 'GET', `/applicants/${applicant.applicant_id}`);
    await page.waitForSelector(`code.path:text-is("${path}")`);
    assert.equal(reloaded, false, 'the page was not reloaded');
    await page.locator('details.entry', { hasText: path }).locator('summary .num').click();
    await page.waitForSelector('details.entry[open] pre.json');
    await shot(page, 'requests');
  });

  await step('the clock page moves the sandbox clock', async () => {
    await page.goto(`${SANDBOX}/__admin/ui/clock`);
    const before = (await admin('/clock')).clock.now;
    await page.click('button:text-is("+1 h")');
    await page.waitForSelector('#toast:text("+1 h: done")');
    const after = (await admin('/clock')).clock.now;
    assert.equal(Date.parse(after) - Date.parse(before), 3600 * 1000);
    await page.fill('form.advance input[name=duration]', '2d');
    await page.click('form.advance button');
    await page.waitForSelector('#toast:text("Advanced by 2d")');
    await page.fill('form.advance input[name=duration]', 'soon');
    await page.click('form.advance button');
    await page.waitForSelector('#toast.error:text("invalid duration")');
    await shot(page, 'clock');
  });

  await step('the scenarios page lists the scenarios in force', async () => {
    await page.goto(`${SANDBOX}/__admin/ui/scenarios`);
    await page.waitForSelector('code:text-is("kycaid-manual-review")');
    await shot(page, 'scenarios');
  });

  await step('a 503 rule added from the Faults page fails KYCAID calls until deleted there', async () => {
    const read = () => fetch(`${KYCAID.base}/applicants/${applicant.applicant_id}`, { headers: KYCAID.headers });
    await page.goto(`${SANDBOX}/__admin/ui/faults`);
    await page.waitForSelector('#live.on');
    await page.waitForSelector('.empty:text("No fault rules")');
    const form = 'form.fault';
    await page.selectOption(`${form} select[name=provider]`, 'kycaid');
    await page.fill(`${form} input[name=method]`, 'get');
    await page.fill(`${form} input[name=path]`, '/applicants/*');
    await page.selectOption(`${form} select[name=effect]`, 'error');
    assert.equal(await page.isVisible(`${form} [data-effect=latency]`), false, 'only the chosen effect\'s fields show');
    await page.selectOption(`${form} select[name=error_status]`, '503');
    await page.fill(`${form} input[name=error_retry_after]`, '7');
    // The admin API judges the rule; its message shows in the form.
    await page.fill(`${form} input[name=probability]`, '2');
    await page.click(`${form} button[type=submit]`);
    await page.waitForSelector(`${form} .form-error:text("between 0 and 1")`);
    assert.deepEqual((await admin('/faults')).faults, []);
    await page.fill(`${form} input[name=probability]`, '1');
    await page.click(`${form} button[type=submit]`);
    await page.waitForSelector('#toast:text("Added flt_1")');
    assert.equal(await page.isVisible(`${form} .form-error`), false);
    const row = '#faults tr[data-id="flt_1"]';
    await page.waitForSelector(`${row} td.effect:text-is("error 503, Retry-After 7 s")`);
    const [rule] = (await admin('/faults')).faults;
    assert.equal(rule.method, 'GET');
    assert.deepEqual(rule.effect, { type: 'error', status: 503, retry_after: 7 });

    // Edit: the form takes the rule, and saves it with PUT.
    await page.click(`${row} button:text-is("Edit")`);
    assert.equal(await page.inputValue(`${form} input[name=path]`), '/applicants/*');
    await page.fill(`${form} input[name=times]`, '5');
    await page.click(`${form} button:text-is("Save rule")`);
    await page.waitForSelector('#toast:text("Saved flt_1")');
    await page.waitForSelector(`${row} td:text-is("5 (5 left)")`);
    assert.equal((await admin('/faults/flt_1')).times, 5);

    const failed = await read();
    assert.equal(failed.status, 503);
    assert.equal(failed.headers.get('retry-after'), '7');
    assert.equal(failed.headers.get('x-sandbox-fault'), 'flt_1');
    const envelope = await failed.json();
    assert.equal(envelope.type, 'internal_error', JSON.stringify(envelope));
    assert.ok(Array.isArray(envelope.errors) && envelope.errors[0].message, JSON.stringify(envelope));
    await page.waitForSelector(`${row} td.hits:text-is("1 / 1")`); // live, from the request event
    await shot(page, 'faults');

    page.once('dialog', dialog => dialog.accept());
    await page.click(`${row} button:text-is("Delete")`);
    await page.waitForSelector('.empty:text("No fault rules")');
    assert.equal((await read()).status, 200);

    // A rule added through the API shows up live; "Remove all rules" clears the list.
    const added = await fetch(`${SANDBOX}/__admin/faults`, {
      method: 'POST', headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ provider: 'rebilly', probability: 0.25, effect: { type: 'latency', ms: 100, max_ms: 400 } }),
    });
    assert.equal(added.status, 201);
    await page.waitForSelector('#faults tr[data-id="flt_2"] td.effect:text-is("latency 100–400 ms")');
    page.once('dialog', dialog => dialog.accept());
    await page.click('button:text-is("Remove all rules")');
    await page.waitForSelector('.empty:text("No fault rules")');
    assert.deepEqual((await admin('/faults')).faults, []);
  });

  await step('the Snapshot page downloads the state and restores it from a file', async () => {
    await page.goto(`${SANDBOX}/__admin/ui/snapshot`);
    assert.equal(await page.getAttribute('#snapshot-download', 'href'), '/__admin/snapshot');
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('#snapshot-download')]);
    assert.equal(download.suggestedFilename(), 'kyc-sandbox-state.json');
    const file = join(await mkdtemp(join(tmpdir(), 'dashboard-snapshot-')), download.suggestedFilename());
    await download.saveAs(file);
    const saved = JSON.parse(await readFile(file, 'utf8'));
    assert.equal(saved.format, 'kyc-sandbox-state');

    await page.click('button:text-is("Write state file now")');
    await page.waitForSelector('#toast.error:text("no state file")');

    await fetch(`${SANDBOX}/__admin/reset`, { method: 'POST' });
    await page.waitForSelector('#snapshot-tenants:text-is("0")');
    const input = '#restore-form input[type=file]';
    await page.setInputFiles(input, { name: 'bad.json', mimeType: 'application/json', buffer: Buffer.from('{"format": "nope"}') });
    await page.click('#restore-form button');
    await page.waitForSelector('#restore-form .form-result.form-error:text("Restore failed")');
    await page.setInputFiles(input, file);
    await page.click('#restore-form button');
    await page.waitForSelector('#restore-form .form-result:text("Restored kyc-sandbox-state.json: 2 tenants")');
    assert.equal(await page.isVisible('#restore-form .form-error'), false);
    await page.waitForSelector('#snapshot-tenants:text-is("2")');
    const tenants = (await admin('/tenants')).tenants.map(t => t.tenant).sort();
    assert.deepEqual(tenants, [kycaidTenant, rebillyTenant].sort());
    await shot(page, 'snapshot');
    await rm(dirname(file), { recursive: true });
  });

  await step('the tenant page is readable on a phone', async () => {
    const phone = await browser.newPage({ viewport: { width: 390, height: 844 }, isMobile: true });
    await phone.goto(`${SANDBOX}/__admin/ui/tenants/${kycaidTenant}`);
    const width = await phone.evaluate(() => document.documentElement.scrollWidth);
    assert.ok(width <= 390, `no sideways scrolling of the page (scrollWidth ${width})`);
    await shot(phone, 'phone-tenant');
    await phone.close();
  });

  await step('a reset from the overview empties the sandbox', async () => {
    await page.goto(`${SANDBOX}/__admin/`);
    page.once('dialog', dialog => dialog.accept());
    await page.click('button:text-is("Reset everything")');
    await page.waitForSelector('#provider-kycaid .empty');
    assert.deepEqual((await admin('/tenants')).tenants, []);
  });
} finally {
  await browser.close();
}
finish('dashboard');
