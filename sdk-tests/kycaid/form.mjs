// Completes the sandbox's hosted KYCAID verification form in headless Chromium, as a person would:
// creates a form link through the API, opens form_url, fills the steps in, picks the pictures,
// submits, follows the redirect, then checks the outcome through the API while moving the sandbox
// clock.
//
//   SANDBOX=http://127.0.0.1:NNNN node form.mjs      (run by scripts/sdk-kycaid.sh)
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { finish, launch, step } from '../lib/browser-steps.mjs';

const SANDBOX = process.env.SANDBOX;
assert.ok(SANDBOX, 'set SANDBOX to the sandbox base URL');
const API = `${SANDBOX}/kycaid`;
const HEADERS = { Authorization: 'Token kycaid-form-browser', 'Content-Type': 'application/json' };
/// The fixtures' default form: profile, document and facial checks.
const FORM_ID = '55d5a731790f81cf26637083168ff266b603';
const IMAGE = fileURLToPath(new URL('../../fixtures/images/document.png', import.meta.url));

async function api(method, url, body) {
  const response = await fetch(url, { method, headers: HEADERS, body: body && JSON.stringify(body) });
  const text = await response.text();
  assert.ok(response.ok, `${method} ${url} -> ${response.status} ${text}`);
  return text ? JSON.parse(text) : null;
}

const advance = seconds => api('POST', `${SANDBOX}/__admin/clock/advance`, { seconds });
const verification = id => api('GET', `${API}/verifications/${id}`);

async function newLink(body = {}) {
  const link = await api('POST', `${API}/forms/${FORM_ID}/urls`, body);
  assert.match(link.form_url, /\/kycaid\/form\/[0-9a-f]{36}$/);
  assert.equal((await verification(link.verification_id)).status, 'unused');
  return link;
}

/// Fills every step of the default form in, as a person would.
async function fillIn(page, { firstName, lastName, dob, email }) {
  await page.fill('#first_name', firstName);
  await page.fill('#last_name', lastName);
  await page.fill('#dob', dob);
  await page.fill('#email', email);
  await page.selectOption('#residence_country', 'GB');
  await page.selectOption('#document_type', 'PASSPORT');
  await page.fill('#document_number', 'P1234567');
  await page.setInputFiles('#front_side', IMAGE);
  await page.setInputFiles('#selfie', IMAGE);
}

const browser = await launch(chromium);
try {
  const page = await browser.newPage();

  await step('a completed form returns to redirect_url; the review approves it', async () => {
    const redirect = `${SANDBOX}/__admin/health?from=kycaid-form`;
    const link = await newLink({ redirect_url: redirect, external_applicant_id: 'browser-1' });
    const opened = await page.goto(link.form_url);
    assert.equal(opened.status(), 200);
    assert.match(await page.title(), /Verify your identity/);
    assert.equal(await page.locator('fieldset.step').count(), 3, 'profile, document, selfie');
    await fillIn(page, { firstName: 'Jane', lastName: 'Roe', dob: '1990-04-01', email: 'jane@example.com' });
    await page.click('#submit');
    await page.waitForURL(redirect, { timeout: 10_000 });

    const pending = await verification(link.verification_id);
    assert.equal(pending.status, 'pending');
    await advance(11);
    const done = await verification(link.verification_id);
    assert.equal(done.status, 'completed');
    assert.equal(done.verified, true);
    const applicant = await api('GET', `${API}/applicants/${done.applicant_id}`);
    assert.equal(applicant.first_name, 'Jane');
    assert.equal(applicant.last_name, 'Roe');
    assert.equal(applicant.external_applicant_id, 'browser-1');
    const passport = applicant.documents.find(d => d.type === 'PASSPORT');
    assert.ok(passport, 'a PASSPORT document');
    assert.equal(passport.document_number, 'P1234567');
    assert.equal(passport.status, 'valid');
    assert.ok(applicant.documents.some(d => d.type === 'SELFIE_IMAGE'), 'a SELFIE_IMAGE document');
    const image = await fetch(passport.front_side);
    assert.equal(image.status, 200);
    assert.equal(image.headers.get('content-type'), 'image/png');
    assert.deepEqual(Buffer.from(await image.arrayBuffer()), await readFile(IMAGE));

    const again = await page.goto(link.form_url);
    assert.equal(again.status(), 410);
    assert.match(await page.locator('#message').innerText(), /already completed/);
    assert.equal(await page.locator('#redirect').getAttribute('href'), redirect);
  });

  await step('a bad date is shown next to the field; once fixed the form thanks the person', async () => {
    const link = await newLink();
    await page.goto(link.form_url);
    await fillIn(page, { firstName: 'John', lastName: 'Snow', dob: '1990-13-45', email: 'john@example.com' });
    await page.click('#submit');
    await page.locator('#dob-error:not([hidden])').waitFor({ timeout: 10_000 });
    assert.equal(await page.locator('#dob-error').innerText(), 'Day of birth is not valid');
    assert.equal(await page.locator('#dob').getAttribute('aria-invalid'), 'true');
    assert.ok(await page.locator('#errors').isVisible());
    assert.equal(page.url(), link.form_url);
    assert.equal((await verification(link.verification_id)).status, 'unused');

    await page.fill('#dob', '1990-04-01');
    await page.click('#submit');
    await page.locator('#done:not([hidden])').waitFor({ timeout: 10_000 });
    assert.match(await page.locator('#done').innerText(), /Thank you/);
    assert.ok(await page.locator('#kycaid-form').isHidden());
    assert.ok(await page.locator('#dob-error').isHidden());
    assert.equal((await verification(link.verification_id)).status, 'pending');
  });

  await step('an email tagged +facial-mismatch ends verified false', async () => {
    const redirect = `${SANDBOX}/__admin/health?from=kycaid-mismatch`;
    const link = await newLink({ redirect_url: redirect });
    await page.goto(link.form_url);
    await fillIn(page, { firstName: 'Jane', lastName: 'Doe-Smith', dob: '1985-02-03', email: 'jane+facial-mismatch@example.com' });
    await page.click('#submit');
    await page.waitForURL(redirect, { timeout: 10_000 });
    assert.equal((await verification(link.verification_id)).status, 'pending');
    await advance(11);
    const done = await verification(link.verification_id);
    assert.equal(done.status, 'completed');
    assert.equal(done.verified, false);
    assert.equal(done.verifications.facial.verified, false);
    assert.deepEqual(done.verifications.facial.decline_reasons, ['DIFFERENT_FACES']);
    assert.equal(done.verifications.document.verified, true);
  });

  await step('an unknown link shows a not-found page', async () => {
    const response = await page.goto(`${SANDBOX}/kycaid/form/0123456789abcdef0123456789abcdef0123`);
    assert.equal(response.status(), 404);
    assert.match(await page.locator('h1').innerText(), /not found/);
  });
} finally {
  await browser.close();
}

finish('kycaid form');
