// What the headless-browser suites share: Debian's Chromium launched the same way, named steps that
// print `ok`/`FAIL` and go on, and the summary line and exit code. Each suite passes its own
// `chromium` (from its own pinned playwright-core), so nothing here resolves packages.

const results = [];

/** Runs one named check; a failure is printed with its stack and the run goes on. */
export async function step(name, fn) {
  try {
    await fn();
    results.push(true);
    console.log(`ok   ${name}`);
  } catch (error) {
    results.push(false);
    console.log(`FAIL ${name}: ${error.stack || error}`);
  }
}

/** Headless Chromium at $CHROMIUM (default /usr/bin/chromium). */
export function launch(chromium) {
  return chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--disable-background-networking'],
  });
}

/** Prints `<suite>: N passed, M failed` and exits 1 if any step failed. */
export function finish(suite) {
  const failed = results.filter(ok => !ok).length;
  console.log(`${suite}: ${results.length - failed} passed, ${failed} failed`);
  process.exit(failed ? 1 : 0);
}
