// Completes the sandbox's KYC gatherer page in headless Chromium, as a customer would: opens a
// kyc-request's kycGatherer link, picks files, submits, waits for the review (by moving the sandbox
// clock), and follows "Continue" back to redirectUrl with the right `info`.
//
//   SANDBOX=http://127.0.0.1:NNNN node gatherer.mjs      (run by scripts/sdk-rebilly.sh)
import assert from 'node:assert/strict';
import { chromium } from 'playwright-core';
import { finish, launch, step } from '../lib/browser-steps.mjs';

const SANDBOX = process.env.SANDBOX;
assert.ok(SANDBOX, 'set SANDBOX to the sandbox base URL');
const CORE = `${SANDBOX}/rebilly/organizations/org-gatherer`;
const HEADERS = { 'REB-APIKEY': 'sk_sandbox_gatherer', 'Content-Type': 'application/json' };
const PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==',
  'base64',
);

async function api(method, url, body) {
  const response = await fetch(url, { method, headers: HEADERS, body: body && JSON.stringify(body) });
  const text = await response.text();
  assert.ok(response.ok, `${method} ${url} -> ${response.status} ${text}`);
  return text ? JSON.parse(text) : null;
}

const advance = seconds => api('POST', `${SANDBOX}/__admin/clock/advance`, { seconds });

async function newRequest(customerId, documents) {
  // The customer first, as Rebilly's KYC guide has it (PUT creates it with that id).
  await api('PUT', `${CORE}/customers/${customerId}`, {});
  const request = await api('POST', `${CORE}/kyc-requests`, {
    customerId,
    documents,
    redirectUrl: `${SANDBOX}/__admin/health?from=gatherer`,
  });
  const link = request._links.find(l => l.rel === 'kycGatherer');
  assert.ok(link, 'the request has a kycGatherer link');
  return { request, link: link.href };
}

const file = name => ({ name, mimeType: 'image/png', buffer: PNG });
const browser = await launch(chromium);
try {
  const page = await browser.newPage();

  await step('identity (with selfie) and address are accepted: info=success', async () => {
    const { request, link } = await newRequest('cus_browser_1', [
      { type: 'identity-proof', faceProofRequired: true },
      { type: 'address-proof' },
    ]);
    await page.goto(link);
    assert.match(await page.title(), /Verify your identity/);
    assert.equal(await page.locator('fieldset').count(), 2);
    assert.equal(await page.getByRole('link', { name: 'Back to website' }).getAttribute('href'),
      `${SANDBOX}/__admin/health?from=gatherer&info=back`);
    await page.getByLabel('Kind of document').first().selectOption('passport');
    await page.setInputFiles('#file-identity-proof', file('passport.png'));
    await page.setInputFiles('#selfie-identity-proof', file('selfie.png'));
    await page.setInputFiles('#file-address-proof', file('utility-bill.png'));
    await page.getByRole('button', { name: 'Submit documents' }).click();
    await page.locator('#result:not([hidden])').waitFor({ timeout: 10_000 });
    assert.deepEqual(await page.locator('#outcome li').allTextContents(),
      ['identity-proof: in-progress', 'address-proof: in-progress']);
    await advance(10);
    await page.getByRole('button', { name: 'Refresh status' }).click();
    await page.waitForSelector('#result[data-info="success"]', { timeout: 10_000 });
    await page.getByRole('button', { name: 'Continue' }).click();
    await page.waitForURL(/info=success$/, { timeout: 10_000 });
    assert.equal(page.url(), `${SANDBOX}/__admin/health?from=gatherer&info=success`);

    const done = await api('GET', `${CORE}/kyc-requests/${request.id}?expand=documents`);
    assert.equal(done.status, 'fulfilled');
    const identity = done._embedded.documents.find(d => d.documentType === 'identity-proof');
    assert.equal(identity.documentSubtype, 'passport');
    assert.equal(identity.fileIds.length, 2, 'document and selfie');
    assert.equal(identity.requestId, request.id);
  });

  await step('a rejected document sends the customer back with info=manual', async () => {
    const { link } = await newRequest('cus_browser_2', [{ type: 'identity-proof' }]);
    await page.goto(link);
    await page.setInputFiles('#file-identity-proof', file('reject-document-expired.png'));
    await page.getByRole('button', { name: 'Submit documents' }).click();
    await page.locator('#result:not([hidden])').waitFor({ timeout: 10_000 });
    await advance(10);
    await page.getByRole('button', { name: 'Refresh status' }).click();
    await page.waitForSelector('#result[data-info="manual"]', { timeout: 10_000 });
    assert.match(await page.locator('#outcome').innerText(), /rejected \(document-expired\)/);
    await page.getByRole('button', { name: 'Continue' }).click();
    await page.waitForURL(/info=manual$/, { timeout: 10_000 });
  });

  await step('an error from the API is shown, and nothing is submitted without a file', async () => {
    const { link } = await newRequest('cus_browser_3', [{ type: 'address-proof' }]);
    await page.goto(link);
    await page.getByRole('button', { name: 'Submit documents' }).click();
    assert.equal(await page.getByRole('status').innerText(), 'Choose at least one document.');
    await page.setInputFiles('#file-address-proof', { name: 'notes.txt', mimeType: 'text/plain', buffer: Buffer.from('hello') });
    await page.getByRole('button', { name: 'Submit documents' }).click();
    await page.waitForSelector('#progress.error', { timeout: 10_000 });
    assert.match(await page.getByRole('status').innerText(), /Could not submit/);
  });

  await step('an expired link returns to the site with info=token_expired', async () => {
    const { link } = await newRequest('cus_browser_4', [{ type: 'identity-proof' }]);
    await advance(3601);
    await page.goto(link);
    assert.equal(page.url(), `${SANDBOX}/__admin/health?from=gatherer&info=token_expired`);
  });
} finally {
  await browser.close();
}

finish('gatherer');
