// Drives the sandbox dashboard (GET /__admin/) in headless Chromium, as a person running a demo
// would: one KYCAID and one Rebilly flow go through the APIs, then the dashboard shows them live,
// a click approves the KYCAID verification and declines the Rebilly document, the webhook the
// approval sent is listed, and the clock moves from its page. Every page is loaded; screenshots go
// to $SCREENSHOTS.
//
//   SANDBOX=http://127.0.0.1:NNNN SCREENSHOTS=dir node dashboard.mjs   (run by scripts/sdk-dashboard.sh)
import assert from 'node:assert/strict';
import { mkdir, readFile } from 'node:fs/promises';
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
