// Drives the status page at /ui/ in Debian's headless Chromium with playwright-core.
//
//   node status_page.js <base-url> <admin-password> <artifacts-dir>
//
// Protocol with the Rust test (tests/src/ui): protocol lines go to stdout, diagnostics to stderr.
//   script → `READY`         signed in, the overview shows web1/HTTP as OK and the stream is live
//   test   → `POSTED`        (stdin) the test posted a critical result for web1/HTTP
//   script → `ACKNOWLEDGED`  the problem appeared without a reload and was acknowledged through the UI
//   script → `DONE`          signed out again; exit code 0 means every check passed
'use strict';

const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const readline = require('node:readline');
const { chromium } = require('playwright-core');

const [base, password, artifacts] = process.argv.slice(2);
if (!base || !password || !artifacts) {
  console.error('usage: node status_page.js <base-url> <admin-password> <artifacts-dir>');
  process.exit(2);
}

const CHROMIUM_ARGS = [
  '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
];
const STEP_TIMEOUT_MS = 15000;

const pending = [];
let waiting = null;
readline.createInterface({ input: process.stdin }).on('line', (line) => {
  if (waiting) {
    const resolve = waiting;
    waiting = null;
    resolve(line.trim());
  } else {
    pending.push(line.trim());
  }
});

function nextLine(timeoutMs) {
  if (pending.length) return Promise.resolve(pending.shift());
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no line on stdin within ${timeoutMs} ms`)), timeoutMs);
    waiting = (line) => { clearTimeout(timer); resolve(line); };
  });
}

function log(message) {
  console.error(`[ui] ${message}`);
}

function check(condition, message) {
  if (!condition) throw new Error(`check failed: ${message}`);
}

async function main() {
  fs.mkdirSync(artifacts, { recursive: true });
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'rosetta-ui-profile-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: '/usr/bin/chromium',
    headless: true,
    args: CHROMIUM_ARGS,
    viewport: { width: 1280, height: 800 },
    locale: 'en-GB',
    timezoneId: 'UTC',
  });
  try {
    await drive(context);
  } finally {
    await context.close();
    fs.rmSync(profile, { recursive: true, force: true });
  }
}

// The native API answers 401 with `WWW-Authenticate: Basic`, so Chromium would open its Basic-auth
// prompt for the page's failed sign-in, which headless has no one to answer. Cancel it, as a person
// would, so the page receives the 401 and shows the API's message.
async function cancelBasicAuthPrompts(context, page) {
  const cdp = await context.newCDPSession(page);
  cdp.on('Fetch.requestPaused', (event) => {
    cdp.send('Fetch.continueRequest', { requestId: event.requestId }).catch(() => {});
  });
  cdp.on('Fetch.authRequired', (event) => {
    log(`cancelling the browser's Basic-auth prompt for ${event.request.url}`);
    cdp.send('Fetch.continueWithAuth', { requestId: event.requestId, authChallengeResponse: { response: 'CancelAuth' } })
      .catch(() => {});
  });
  await cdp.send('Fetch.enable', { handleAuthRequests: true, patterns: [{ urlPattern: '*' }] });
}

async function drive(context) {
  const page = context.pages()[0] || await context.newPage();
  page.setDefaultTimeout(STEP_TIMEOUT_MS);
  const problems = [];
  page.on('pageerror', (err) => problems.push(`uncaught error in the page: ${err.message}`));
  page.on('console', (message) => {
    log(`console ${message.type()}: ${message.text()}`);
    // The deliberately wrong password answers 401, which Chromium logs as a failed resource load.
    if (message.type() === 'error' && !/status of 401/.test(message.text())) {
      problems.push(`console error: ${message.text()}`);
    }
  });
  page.on('request', (request) => log(`→ ${request.method()} ${request.url()}`));
  page.on('response', (response) => log(`${response.request().method()} ${response.url()} → ${response.status()}`));
  page.on('requestfailed', (request) => log(`${request.method()} ${request.url()} failed: ${request.failure() && request.failure().errorText}`));
  let navigations = 0;
  page.on('framenavigated', (frame) => { if (frame === page.mainFrame()) navigations += 1; });
  const byId = (id) => page.getByTestId(id);
  await cancelBasicAuthPrompts(context, page);

  log(`opening ${base}/ui/`);
  await page.goto(`${base}/ui/`);
  await byId('login-form').waitFor();

  log('a wrong password shows the gateway\'s error message');
  await byId('login-name').fill('admin');
  await byId('login-password').fill('not-the-password');
  await byId('login-submit').click();
  await byId('login-error').waitFor();
  const loginError = (await byId('login-error').textContent()).trim();
  log(`login error: ${loginError}`);
  check(loginError.length > 0 && !/^\d{3} /.test(loginError), `the error message comes from the API body: "${loginError}"`);
  check(await byId('overview').isHidden(), 'the overview stays hidden after a failed sign-in');

  log('signing in through the form');
  await byId('login-password').fill(password);
  await byId('login-submit').click();
  await byId('overview').waitFor();
  await page.locator('[data-testid="whoami"]', { hasText: 'admin' }).waitFor();
  const httpRow = () => page.locator('[data-testid="row:web1/HTTP"]');
  await page.locator('[data-testid="others"] [data-testid="row:web1/HTTP"][data-state="ok"]').waitFor();
  await page.locator('[data-testid="problems"] [data-testid="row:db1/PostgreSQL"][data-handled="true"]').waitFor();
  await page.locator('[data-testid="live-indicator"][data-state="live"]').waitFor();
  check((await byId('count-services-ok').locator('.count-value').textContent()) === '2', 'two services are OK');
  check((await byId('count-hosts-up').locator('.count-value').textContent()) === '3', 'three hosts are up');
  const smtpOutput = page.locator('[data-testid="row:mail1/SMTP"] [data-testid="output"]');
  check((await smtpOutput.textContent()).includes('<b>mail1</b>'), 'markup in check output is shown as text');
  check(await smtpOutput.locator('b').count() === 0, 'markup in check output is not interpreted');
  await page.evaluate(() => { window.rosettaNoReload = 'still the same document'; });
  const navigationsBefore = navigations;

  console.log('READY');
  const line = await nextLine(60000);
  check(line === 'POSTED', `expected POSTED on stdin, got "${line}"`);

  log('waiting for the live update from the stream');
  const started = Date.now();
  await page.locator('[data-testid="problems"] [data-testid="row:web1/HTTP"][data-state="critical"][data-acknowledged="false"]').waitFor();
  log(`the problem appeared after ${Date.now() - started} ms`);
  check(await page.evaluate(() => window.rosettaNoReload) === 'still the same document', 'the page was not reloaded');
  check(navigations === navigationsBefore, 'no navigation happened');
  check((await httpRow().getByTestId('output').textContent()).includes('HTTP CRITICAL - timeout'), 'the output is shown');
  check((await byId('count-services-critical').locator('.count-value').textContent()) === '1', 'one service is critical');
  check((await byId('count-problems-unhandled').locator('.count-value').textContent()) === '1', 'one unhandled problem');
  const order = await page.locator('[data-testid="problems"] tr').evaluateAll(
    (rows) => rows.map((row) => row.getAttribute('data-testid')));
  log(`problem rows: ${order.join(', ')}`);
  check(order[0] === 'row:web1/HTTP' && order.includes('row:db1/PostgreSQL')
    && order.indexOf('row:web1/HTTP') < order.indexOf('row:db1/PostgreSQL'), 'unhandled problems come before handled ones');
  await page.screenshot({ path: path.join(artifacts, 'overview-problem.png'), animations: 'disabled' });

  log('acknowledging through the UI');
  await byId('ack:web1/HTTP').click();
  await byId('action-dialog').waitFor();
  await byId('action-submit').click();
  await byId('action-error').waitFor();
  check((await byId('action-error').textContent()).includes('comment'), 'an empty comment is refused');
  await byId('action-comment').fill('Investigating the timeout');
  await page.screenshot({ path: path.join(artifacts, 'acknowledge-dialog.png'), animations: 'disabled' });
  await byId('action-submit').click();
  await byId('action-dialog').waitFor({ state: 'hidden' });
  await page.locator('[data-testid="problems"] [data-testid="row:web1/HTTP"][data-acknowledged="true"]').waitFor();
  await httpRow().getByTestId('badge-ack').waitFor();
  check((await byId('count-problems-unhandled').locator('.count-value').textContent()) === '0', 'no unhandled problem is left');
  check((await byId('count-problems-handled').locator('.count-value').textContent()) === '2', 'two handled problems');
  await byId('unack:web1/HTTP').waitFor();
  await page.screenshot({ path: path.join(artifacts, 'acknowledged.png'), animations: 'disabled' });
  console.log('ACKNOWLEDGED');

  log('signing out');
  await byId('logout').click();
  await byId('login-form').waitFor();
  check(await byId('overview').isHidden(), 'the overview is hidden after signing out');
  check(navigations === navigationsBefore, 'the whole run happened in one document');

  if (problems.length) throw new Error(`the page reported problems:\n${problems.join('\n')}`);
  console.log('DONE');
}

main().then(() => process.exit(0), (err) => {
  console.error(err && err.stack ? err.stack : String(err));
  process.exit(1);
});
