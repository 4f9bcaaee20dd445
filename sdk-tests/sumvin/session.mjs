// The page a Sumvin session's `url` opens (the sandbox's stand-in for Sumvin's web app), used in
// headless Chromium as a person would: the CLI mints a session, the browser opens the link, uploads
// a passport and a selfie, and sees the review start and, after a clock advance, the approval that
// the CLI also sees.
//
//   SANDBOX=http://127.0.0.1:NNNN node session.mjs      (run by scripts/sdk-sumvin.sh)
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { finish, launch, step } from '../lib/browser-steps.mjs';

const SANDBOX = process.env.SANDBOX;
assert.ok(SANDBOX, 'set SANDBOX to the sandbox base URL');
const API = `${SANDBOX}/sumvin`;
const IMAGE = fileURLToPath(new URL('../../fixtures/images/document.png', import.meta.url));

async function api(method, url, headers, body) {
  const response = await fetch(url, { method, headers, body: body && JSON.stringify(body) });
  const text = await response.text();
  assert.ok(response.ok, `${method} ${url} -> ${response.status} ${text}`);
  return text ? JSON.parse(text) : null;
}
const cli = (method, path) => api(method, `${API}${path}`, { 'x-sumvin-pat': 'pat_browser_suite' });
const advance = seconds =>
  api('POST', `${SANDBOX}/__admin/clock/advance`, { 'Content-Type': 'application/json' }, { seconds });

const browser = await launch(chromium);
try {
  const page = await browser.newPage();

  await step('the browser takes over the CLI user, uploads, and both see the approval', async () => {
    await cli('POST', '/v0/kyc/applicant');
    const session = await cli('POST', '/v0/kyc/sessions');
    const opened = await page.goto(session.url);
    assert.equal(opened.status(), 200);
    await page.waitForSelector('#verify:not([hidden])');
    assert.equal((await page.textContent('#status')).trim(), 'pending');

    await page.selectOption('#document_type', 'PASSPORT');
    await page.setInputFiles('#file', IMAGE);
    // The preview appears once the change event has run and the blob has loaded: wait, don't sample.
    await page.waitForSelector('#preview', { state: 'visible', timeout: 5000 });
    await page.click('#upload');
    await page.waitForFunction(() => document.querySelector('#steps').textContent.includes('IDENTITY: uploaded'));

    await page.selectOption('#document_type', 'SELFIE');
    await page.selectOption('#side', '');
    await page.setInputFiles('#file', IMAGE);
    await page.click('#upload');
    await page.waitForFunction(() => document.querySelector('#status').textContent === 'in progress');
    assert.equal((await cli('GET', '/v0/kyc/status')).status, 'in_progress', 'the CLI sees what the browser did');

    await advance(30);
    await page.click('#refresh');
    await page.waitForFunction(() => document.querySelector('#status').textContent === 'approved');
    assert.equal((await cli('GET', '/v0/kyc/status')).status, 'approved');
  });

  await step('an upload the API refuses shows its message on the page', async () => {
    await page.setInputFiles('#file', IMAGE);
    await page.click('#upload');
    await page.waitForFunction(() => document.querySelector('#error').textContent.length > 0);
    assert.match(await page.textContent('#error'), /already verified/i);
  });

  await step('an unknown link shows a not-found page', async () => {
    const opened = await page.goto(`${API}/cli/kyc?ticket=nope`);
    assert.equal(opened.status(), 404);
    assert.match(await page.textContent('#message'), /not known/);
  });
} finally {
  await browser.close();
}
finish('sumvin session page');
