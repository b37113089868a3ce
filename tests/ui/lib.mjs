// Shared helpers for the rqdash browser tests. Run the tests through scripts/ui-test.sh, which
// starts a private Redis filled by tests/fixtures/make_states.py and an rqdash in front of it,
// and exports RQDASH_URL, REDIS_URL, ORACLE and RQ_PYTHON.
import { chromium } from 'playwright-core';
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { promisify } from 'node:util';
import assert from 'node:assert/strict';

const run = promisify(execFile);

function required(name) {
  const v = process.env[name];
  if (!v) throw new Error(`${name} is not set: run the UI tests through scripts/ui-test.sh`);
  return v;
}

export const BASE = required('RQDASH_URL').replace(/\/$/, '');
export const REDIS_URL = required('REDIS_URL');
export const RQ_PYTHON = required('RQ_PYTHON');
export const ORACLE = JSON.parse(readFileSync(required('ORACLE'), 'utf8'));
export const UPDATE_SCREENSHOTS = process.env.UPDATE_SCREENSHOTS === '1';

/** Timeout for anything that waits on a live update (a few poll ticks of 500 ms, with margin). */
export const LIVE_TIMEOUT = 15_000;

export function url(path) {
  return BASE + path;
}

export function label(name) {
  const id = ORACLE.labels[name];
  assert.ok(id, `label ${name} missing from the oracle`);
  return id;
}

export async function launch() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

/** A new context with sane defaults; options are passed on to browser.newContext. */
export async function newContext(browser, options = {}) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, ...options });
  context.setDefaultTimeout(15_000);
  context.setDefaultNavigationTimeout(20_000);
  // CSP violations are reported as DOM events; collect them where the test can read them.
  await context.addInitScript(() => {
    window.__csp = [];
    document.addEventListener('securitypolicyviolation', (e) => {
      window.__csp.push(`${e.violatedDirective} blocked ${e.blockedURI || '(inline)'}`);
    });
  });
  return context;
}

/**
 * Watches a page for console errors, uncaught exceptions, failed or >= 400 requests, dialogs
 * and CSP violations. `allow` is a list of regexps matched against each problem's text.
 */
export function watch(page, { allow = [] } = {}) {
  const problems = [];
  const add = (text) => {
    if (!allow.some((re) => re.test(text))) problems.push(text);
  };
  page.on('console', (m) => {
    if (m.type() === 'error') add(`console error: ${m.text()}`);
  });
  page.on('pageerror', (e) => add(`page error: ${e.message}`));
  page.on('requestfailed', (r) => {
    const err = r.failure()?.errorText || '';
    // Leaving a page aborts its EventSource, any refresh fetch still in flight and the favicon,
    // which the browser asks for after the load; that is fine.
    const leftBehind = /\/events\b|\/static\/favicon\.svg/.test(r.url()) || r.resourceType() === 'fetch';
    if (/ERR_ABORTED/.test(err) && (page.isClosed() || leftBehind)) return;
    add(`request failed: ${r.method()} ${r.url()} ${err}`);
  });
  page.on('response', (r) => {
    if (r.status() >= 400) add(`HTTP ${r.status()}: ${r.request().method()} ${r.url()}`);
  });
  page.on('dialog', (d) => {
    add(`dialog opened: ${d.type()} ${d.message()}`);
    d.dismiss().catch(() => {});
  });
  return {
    problems,
    /** Fails the test if anything was seen so far (CSP violations included). */
    async check(what = page.url()) {
      const csp = page.isClosed() ? [] : await page.evaluate(() => window.__csp || []);
      const all = [...problems, ...csp.map((c) => `CSP violation: ${c}`)];
      assert.deepEqual(all, [], `problems on ${what}:\n  ${all.join('\n  ')}`);
    },
  };
}

/** Waits until the header's live indicator is in `state`. */
export async function waitLive(page, state = 'live', timeout = LIVE_TIMEOUT) {
  await page.waitForSelector(`#live-status[data-state="${state}"]`, { timeout });
  assert.equal((await page.textContent('#live-status .live-text')).trim(), state);
}

/** Waits until the text of the first element matching `selector` is `expected`. */
export async function waitText(page, selector, expected, timeout = LIVE_TIMEOUT) {
  try {
    await page.waitForFunction(
      ([sel, want]) => {
        const el = document.querySelector(sel);
        return !!el && el.textContent.trim() === want;
      },
      [selector, String(expected)],
      { timeout, polling: 100 },
    );
  } catch (e) {
    const now = await page.textContent(selector).catch(() => '(no element)');
    throw new Error(`${selector}: expected "${expected}", still "${now?.trim()}" after ${timeout} ms`, { cause: e });
  }
}

/** Parses a count as rendered ("1,234"). */
export function num(text) {
  const n = Number(String(text).replace(/[,\s]/g, ''));
  assert.ok(Number.isInteger(n), `not a count: ${JSON.stringify(text)}`);
  return n;
}

export async function count(page, selector) {
  return num(await page.textContent(selector));
}

/** Runs Python `code` with the rq venv; sys.argv[1] is the Redis URL, then `args`. Returns stdout. */
export async function py(code, ...args) {
  // Generous: filling 20,000 jobs takes over 30 s when the machine is busy building.
  const { stdout } = await run(RQ_PYTHON, ['-c', code, REDIS_URL, ...args], { timeout: 120_000 });
  return stdout.trim();
}

const PRELUDE = 'import sys\nfrom redis import Redis\nfrom rq import Queue\nfrom rq.job import Job\nr = Redis.from_url(sys.argv[1])\n';

let seq = 0;
/** Enqueues tasks.add(1, 2) on `queue` with the real Python rq; returns the job id. */
export async function enqueue(queue = 'default', prefix = 'ui') {
  const id = `${prefix}-${process.pid}-${Date.now()}-${++seq}`;
  const out = await py(`${PRELUDE}print(Queue(sys.argv[2], connection=r).enqueue('tasks.add', 1, 2, job_id=sys.argv[3]).id)`, queue, id);
  assert.equal(out, id);
  return id;
}

/** Deletes jobs (and removes them from their queue) with rq's Job.delete. */
export async function deleteJobs(ids) {
  if (ids.length === 0) return;
  const code = [
    'from rq.exceptions import NoSuchJobError',
    'for i in sys.argv[2:]:',
    '    try:',
    '        Job.fetch(i, connection=r).delete()',
    '    except NoSuchJobError:',
    '        pass',
  ].join('\n');
  await py(PRELUDE + code, ...ids);
}

/** Deletes a queue and its jobs with rq's Queue.delete (also drops it from rq:queues). */
export async function deleteQueue(queue) {
  await py(`${PRELUDE}Queue(sys.argv[2], connection=r).delete(delete_jobs=True)`, queue);
}

/** Number of jobs RQ itself sees in `queue` (LLEN, through redis-py). */
export async function llen(queue) {
  return Number(await py(`${PRELUDE}print(r.llen('rq:queue:' + sys.argv[2]))`, queue));
}

/** Ids of the job rows in the page's job table, in order. */
export async function rowIds(page) {
  // A row's id is `a.id > code`, or `code.id` for a row whose job data is missing. (A selection
  // checkbox column may come first.)
  return page.$$eval('table.jobs tbody tr', (trs) =>
    trs.map((tr) => tr.querySelector('a.id code, code.id')?.textContent.trim() ?? '(no id)'),
  );
}
