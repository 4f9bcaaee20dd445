// The Hermes login page (the sandbox's stand-in for the URL a backend turns into a QR code), used in
// headless Chromium as a person at a desk would, with a small backend that does what a real ZealID
// integration does on its redirect: get_token, then get_data, both HMAC-signed as ZealID's
// "Hermes interface" page describes (the same signing code README shows).
//
//   SANDBOX=http://127.0.0.1:NNNN node login.mjs      (run by scripts/sdk-hermes.sh)
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import http from 'node:http';
import jsQR from 'jsqr';
import { chromium } from 'playwright-core';
import { finish, launch, step } from '../lib/browser-steps.mjs';

const SANDBOX = process.env.SANDBOX;
assert.ok(SANDBOX, 'set SANDBOX to the sandbox base URL');
const HERMES = `${SANDBOX}/hermes`;

async function hermes(path, body, client = 'demo-client', secret = 'demo-secret') {
  const payload = JSON.stringify(body), ts = String(Math.floor(Date.now() / 1000));
  const nonce = crypto.randomBytes(24).toString('base64url');
  const signed = new URL(HERMES + path).pathname;
  const sig = crypto.createHmac('sha512', secret).update(client + nonce + ts + 'POST ' + signed + payload).digest('base64');
  const auth = `HMAC client_id="${client}",ts="${ts}",nonce="${nonce}",signature="${sig}"`;
  const res = await fetch(HERMES + path, { method: 'POST', headers: { Authorization: auth, 'Content-Type': 'application/json' }, body: payload });
  return { status: res.status, body: await res.json() };
}

// The client's backend: its redirect_uri exchanges the code and greets the person by name.
const backend = http.createServer(async (req, res) => {
  const url = new URL(req.url, 'http://127.0.0.1');
  const redirectUri = `http://127.0.0.1:${backend.address().port}/callback`;
  let html;
  if (url.pathname !== '/callback') {
    res.writeHead(404).end();
    return;
  }
  if (url.searchParams.get('error')) {
    html = `<p id="outcome">declined: ${url.searchParams.get('error')} (state ${url.searchParams.get('state')})</p>`;
  } else {
    const token = await hermes('/mediator/api/get_token', { grant_type: 'authorization_code', code: url.searchParams.get('code'), redirect_uri: redirectUri });
    const data = await hermes('/mediator/api/get_data', { token: token.body.access_token });
    if (data.status !== 200) {
      res.writeHead(502, { 'content-type': 'text/html' }).end(`<p id="outcome">${JSON.stringify([token, data])}</p>`);
      return;
    }
    const doc = data.body.kyc_data?.document;
    html = `<p id="outcome">welcome ${data.body.data.first_name} ${data.body.data.last_name}</p>` +
      `<p id="document">${doc?.type} ${doc?.issuance_country} ${doc?.expires}</p>` +
      `<p id="state">${url.searchParams.get('state')}</p><img id="av" src="${doc?.pictures?.av?.url}">`;
  }
  res.writeHead(200, { 'content-type': 'text/html' }).end(html);
});
await new Promise(resolve => backend.listen(0, '127.0.0.1', resolve));
const callback = `http://127.0.0.1:${backend.address().port}/callback`;
const loginUrl = (params = '') =>
  `${HERMES}/authorize?client_id=demo-client&redirect_uri=${encodeURIComponent(callback)}&state=st-42${params}`;

/** The QR code on the page, drawn onto a canvas and decoded from its pixels. */
async function readQr(page) {
  const { width, height, pixels } = await page.evaluate(async () => {
    const svg = document.querySelector('#qr svg');
    const image = new Image();
    image.src = 'data:image/svg+xml;charset=utf-8,' + encodeURIComponent(new XMLSerializer().serializeToString(svg));
    await image.decode();
    const canvas = Object.assign(document.createElement('canvas'), { width: image.width * 2, height: image.height * 2 });
    const context = canvas.getContext('2d');
    context.fillStyle = '#fff';
    context.fillRect(0, 0, canvas.width, canvas.height);
    context.drawImage(image, 0, 0, canvas.width, canvas.height);
    return { width: canvas.width, height: canvas.height, pixels: Array.from(context.getImageData(0, 0, canvas.width, canvas.height).data) };
  });
  const code = jsQR(Uint8ClampedArray.from(pixels), width, height);
  assert.ok(code, 'the QR code decodes');
  return code.data;
}

const browser = await launch(chromium);
try {
  const page = await browser.newPage();

  await step('the page shows who asks, its QR code reads back as its own URL, and approving logs in', async () => {
    const opened = await page.goto(loginUrl('&kyc_data=true'));
    assert.equal(opened.status(), 200);
    assert.equal(await page.textContent('#client'), 'demo-client');
    assert.match(await page.textContent('main'), /KYC data/);
    assert.equal(await readQr(page), page.url(), 'the QR code holds the page URL');
    assert.ok(await page.locator('#identities svg.photo').count() >= 3, 'each identity has a photo');
    await Promise.all([page.waitForURL(url => url.href.startsWith(callback)), page.click('#approve-ee-passport')]);
    assert.equal(await page.textContent('#outcome'), 'welcome MARI TAMM');
    assert.equal(await page.textContent('#document'), 'PASSPORT EE 30-11-2029');
    assert.equal(await page.textContent('#state'), 'st-42');
    const loaded = await page.$eval('#av', img => img.complete && img.naturalWidth > 0);
    assert.ok(loaded, 'the document picture link opens in the browser');
  });

  await step('declining returns to the site with error=access_denied', async () => {
    await page.goto(loginUrl());
    await Promise.all([page.waitForURL(url => url.href.startsWith(callback)), page.click('#decline')]);
    assert.equal(await page.textContent('#outcome'), 'declined: access_denied (state st-42)');
  });

  await step('a redirect_uri outside the registered URLs shows an error and goes nowhere', async () => {
    const opened = await page.goto(`${HERMES}/authorize?client_id=demo-client&redirect_uri=https://evil.example/cb`);
    assert.equal(opened.status(), 400);
    assert.match(await page.textContent('#error'), /redirect_uri/);
    assert.ok(page.url().startsWith(HERMES));
  });
} finally {
  await browser.close();
  backend.close();
}
finish('hermes login page');
