// Issue 16, points 1-4, in Chromium on the fixture's real RQ data: failures first (/failed
// filters, the job page leading with the exception, a long traceback folded on a phone), what
// runs now (the workers page), 1,000 queues (the overview's table paged, sorted and filtered in
// place, headings in view) and big values folded with what was cut.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ORACLE, label, launch, newContext, url, watch, py, num, LIVE_TIMEOUT } from './lib.mjs';

let browser;
const MANY = 1000;
const PREFIX = `ui-a-${process.pid}-q`;
const deep = { queue: `ui-a-deep-${process.pid}`, dir: mkdtempSync(join(tmpdir(), 'ui-a-tasks-')) };
const SELECT_QUEUE = `ui-a-select-${process.pid}`;
// Failing tasks for this file: two functions calling each other, so that Python does not collapse
// the frames of a deep traceback.
writeFileSync(join(deep.dir, 'ui_a_tasks.py'), [
  'def ping(n):', '    return pong(n - 1) if n else int("deep failure")',
  'def pong(n):', '    return ping(n - 1) if n else int("deep failure")', '',
].join('\n'));

/** `n` real rq failures of ui_a_tasks.ping(depth) on `queue`, run by a SimpleWorker; their ids. */
async function fail(queue, n, depth = 0) {
  const code = `${PRELUDE}sys.path.insert(0, sys.argv[3])\nimport json\nfrom rq import SimpleWorker\nq = Queue(sys.argv[2], connection=r)\n` +
    `ids = [q.enqueue('ui_a_tasks.ping', ${depth}).id for _ in range(${n})]\nSimpleWorker([q], connection=r).work(burst=True)\nprint(json.dumps(ids))`;
  return JSON.parse((await py(code, queue, deep.dir)).split('\n').pop());
}
const PRELUDE = 'import sys\nfrom redis import Redis\nfrom rq import Queue\nr = Redis.from_url(sys.argv[1])\n';

before(async () => {
  browser = await launch();
});
after(async () => {
  await browser?.close();
  // Leave the shared Redis as the fixture made it, for the other test files.
  await py(`${PRELUDE}for i in range(${MANY}):\n    Queue(sys.argv[2] + '%04d' % i, connection=r).delete(delete_jobs=True)`, PREFIX);
  for (const q of [deep.queue, SELECT_QUEUE]) await py(`${PRELUDE}Queue(sys.argv[2], connection=r).delete(delete_jobs=True)`, q);
  rmSync(deep.dir, { recursive: true, force: true });
});

async function open(context, path) {
  const page = await context.newPage();
  const w = watch(page);
  const resp = await page.goto(url(path));
  assert.equal(resp.status(), 200, `${path}: HTTP ${resp.status()}`);
  return { page, w };
}

test('/failed filters by queue, function and exception, and each row matches', async () => {
  const context = await newContext(browser);
  const { page, w } = await open(context, '/failed');
  await page.fill('input[name="exception"]', 'ZeroDivision');
  await Promise.all([page.waitForURL(/exception=ZeroDivision/), page.click('.failed-filters button[type="submit"]')]);
  const excs = await page.$$eval('table.jobs tbody tr td.exc', (tds) => tds.map((t) => t.textContent));
  assert.ok(excs.length > 0, 'the fixture has ZeroDivisionErrors');
  for (const e of excs) assert.match(e, /ZeroDivisionError/);
  await page.selectOption('select[name="queue"]', 'default');
  await page.waitForURL(/queue=default/);
  const queues = await page.$$eval('table.jobs tbody tr td.queue', (tds) => tds.map((t) => t.textContent.trim()));
  assert.ok(queues.length > 0 && queues.every((q) => q === 'default'), `only default: ${queues}`);
  await page.fill('input[name="function"]', 'no.such.function');
  await Promise.all([page.waitForURL(/function=no/), page.press('input[name="function"]', 'Enter')]);
  assert.match(await page.textContent('[data-no-match]'), /No failed job matches these filters/);
  await page.click('[data-clear-filters]');
  await page.waitForURL((u) => u.pathname === '/failed' && !u.search.includes('exception'));
  assert.equal(await page.locator('table.jobs tbody tr.orphan a[href*="/jobs/"]').count(), 0, 'orphan ids are not links');
  await w.check('/failed filters');
  await context.close();
});

test('failures selected on /failed are requeued across queues, each into its own queue', async () => {
  const ids = await fail(SELECT_QUEUE, 2);
  const context = await newContext(browser);
  const { page, w } = await open(context, `/failed?queue=${SELECT_QUEUE}`);
  await page.waitForSelector('input[data-select-page]:not([hidden])');
  await page.check('input[data-select-page]');
  assert.equal((await page.textContent('[data-selected]')).trim(), '2');
  await page.click('[data-bulk="requeue"]');
  await page.waitForSelector('#action-dialog[open]');
  assert.match(await page.textContent('#action-text'), /^Requeue these 2 selected failed jobs across queues\?/);
  await page.click('#action-ok');
  await page.waitForFunction(() => /^Requeued 2\b/.test(document.querySelector('#action-result')?.textContent.trim() ?? ''), null, { timeout: LIVE_TIMEOUT });
  const queued = JSON.parse(await py(`${PRELUDE}import json\nprint(json.dumps([x.decode() for x in r.lrange('rq:queue:' + sys.argv[2], 0, -1)]))`, SELECT_QUEUE));
  assert.deepEqual([...queued].sort(), [...ids].sort(), 'both are back in their queue');
  await w.check('/failed selection');
  await context.close();
});

test("a failed queue tab opens on the newest failure", async () => {
  const context = await newContext(browser);
  const { page, w } = await open(context, '/queues/default?state=failed&per_page=100');
  assert.equal((await page.textContent('.seg [aria-current="true"]')).trim(), 'Newest first');
  const ended = await page.$$eval('table.jobs tbody tr:not(.orphan)', (trs) =>
    trs.map((tr) => tr.querySelectorAll('time')[2]?.getAttribute('datetime')).filter(Boolean));
  assert.ok(ended.length > 1);
  const sorted = [...ended].sort().reverse();
  assert.deepEqual(ended, sorted, 'ended_at descending');
  await w.check('failed tab');
  await context.close();
});

test('on a phone, a failed job page leads with the exception and folds its traceback after 30 lines', async () => {
  // A real rq failure 40 frames deep, run by a real SimpleWorker.
  const [id] = await fail(deep.queue, 1, 40);
  const context = await newContext(browser, { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });
  const { page, w } = await open(context, `/jobs/${id}`);
  const lead = page.locator('[data-exc-lead]');
  assert.equal((await lead.locator('.exc-type').textContent()).trim(), 'ValueError');
  assert.match(await lead.textContent(), /invalid literal for int\(\) with base 10: 'deep failure'/);
  const leadBox = await lead.boundingBox(), callBox = await page.locator('section.call').boundingBox();
  assert.ok(leadBox.y < callBox.y, 'the exception is above the call');
  assert.ok(leadBox.y + leadBox.height <= 844, 'and in the first screen');
  const tb = page.locator('section.traceback-block pre.traceback');
  const shown = async () => (await tb.innerText()).trimEnd().split('\n').length;
  assert.equal(await shown(), 30, 'the first 30 lines');
  const more = page.locator('[data-tb-more]');
  assert.match(await more.textContent(), /^Show \d+ more lines$/);
  await more.click();
  assert.ok((await shown()) > 30, 'the rest, on request');
  assert.match(await tb.innerText(), /ValueError: invalid literal/);
  await w.check('job page on a phone');
  // On a desktop the whole traceback shows at once.
  const desk = await newContext(browser);
  const d = await open(desk, `/jobs/${id}`);
  assert.ok((await d.page.locator('section.traceback-block pre.traceback').innerText()).split('\n').length > 30);
  assert.equal(await d.page.locator('[data-tb-more]').isVisible(), false);
  await desk.close();
  await context.close();
});

test("the workers page shows the busy worker's function, arguments, queue and a run time that ticks", async () => {
  const context = await newContext(browser);
  const { page, w } = await open(context, '/workers');
  const row = page.locator(`tr#w-${ORACLE.busy_worker_name}`);
  assert.equal((await row.locator('[data-running-job] code.fn').textContent()).trim(), 'tasks.sleep');
  assert.equal((await row.locator('td.running code.args').textContent()).trim(), '3600');
  assert.equal((await row.locator('[data-running-queue]').textContent()).trim(), 'long');
  const since = row.locator('[data-running-since]');
  const first = (await since.textContent()).trim();
  await page.waitForFunction(([sel, was]) => document.querySelector(sel).textContent.trim() !== was,
    [`tr#w-${ORACLE.busy_worker_name} [data-running-since]`, first], { timeout: 5_000 });
  await w.check('workers page');
  await context.close();
});

test('a value over the cap is folded with its size, and "show all" says how much was cut', async () => {
  const context = await newContext(browser);
  for (const l of ['big_args', 'finished_big_string']) {
    const { page, w } = await open(context, `/jobs/${label(l)}`);
    const fold = page.locator('details.folded').first();
    assert.equal(await fold.getAttribute('open'), null, `${l}: closed`);
    assert.match(await fold.locator('summary').textContent(), /^[\d.]+ [KM]B (in all|stored); the first [\d.]+ KB shown here$/);
    assert.equal(await fold.locator('pre').isVisible(), false, `${l}: the 64 KB are not inline`);
    const links = await page.$$eval('a.more', (as) => as.map((a) => a.textContent.trim()));
    const said = /^show all \([\d.]+ [KM]B\) · ([\d.]+ [KM]B cut|first [\d.]+ KB shown)$/;
    assert.ok(links.length > 0 && links.every((t) => said.test(t)), `${l}: ${links}`);
    await fold.locator('summary').click();
    assert.equal(await fold.locator('pre').isVisible(), true, `${l}: opens`);
    await w.check(`/jobs ${l}`);
  }
  await context.close();
});

test('with 1,000 more queues the overview sends one page of them, and sorts, filters and pages in place', async () => {
  await py(`${PRELUDE}for i in range(${MANY}):\n    Queue(sys.argv[2] + '%04d' % i, connection=r).enqueue('tasks.add', 1, i)`, PREFIX);
  const context = await newContext(browser);
  const { page, w } = await open(context, '/');
  const all = num(await page.textContent('#queue-count'));
  assert.ok(all >= Object.keys(ORACLE.queues).length + MANY, `${all} queues`);
  const size = await page.evaluate(async () => (await (await fetch('/')).text()).length);
  console.log(`overview with ${all} queues: ${size} bytes of HTML`);
  assert.ok(size < 150_000, `one page of rows, not ${all}: ${size} bytes`);
  assert.equal(await page.locator('#queues tbody tr').count(), 50);
  const box = await page.locator('#queue-section').boundingBox();
  assert.ok(box.y < 800, `the table starts in the first screen (y=${box.y})`);
  await page.evaluate(() => { window.__noReload = true; });

  // Headings stay in view while the table scrolls.
  const win = page.locator('.queue-window');
  await win.evaluate((el) => { el.scrollTop = 600; });
  const th = await page.locator('#queues thead th').first().boundingBox(), wb = await win.boundingBox();
  assert.ok(Math.abs(th.y - wb.y) <= 2, `heading at the top of the window (${th.y} vs ${wb.y})`);

  await page.fill('#queue-filter', `${PREFIX}09`);
  await page.waitForFunction(() => document.querySelector('#queue-count').textContent.trim().startsWith('100 of'));
  assert.equal((await page.textContent('#queue-count')).trim(), `100 of ${all.toLocaleString('en-US')}`);
  assert.equal(await page.locator('#queues tbody tr').count(), 50);
  assert.ok(page.url().includes('q=ui-a-'), 'the address follows the filter');
  await page.click('#queues thead th:first-child a');
  await page.waitForFunction(() => document.querySelector('#queues thead th').getAttribute('aria-sort') === 'descending');
  assert.equal(await page.locator('#queues tbody tr').first().getAttribute('data-queue'), `${PREFIX}0999`);
  await page.click('.pager a[rel="next"]');
  await page.waitForFunction(() => /queues 51–100 of 100/.test(document.querySelector('.pager [data-range]')?.textContent));
  assert.equal(await page.locator('#queues tbody tr').first().getAttribute('data-queue'), `${PREFIX}0949`);
  await page.fill('#queue-filter', 'no-queue-is-called-this');
  await page.waitForSelector('[data-no-match]');
  assert.equal((await page.textContent('[data-no-match]')).trim(), 'No queue matches “no-queue-is-called-this”.');
  assert.equal((await page.textContent('#queue-count')).trim(), `0 of ${all.toLocaleString('en-US')}`);
  assert.equal(await page.evaluate(() => window.__noReload), true, 'no reload happened');
  await w.check('overview with 1,000 queues');
  await context.close();
});
