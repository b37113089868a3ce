// Row selection on queue pages across live refreshes (static/select.js): the boxes stay ticked by
// job id, a selected row that leaves the view is unselected and said to be, and the action sends
// exactly the ids still selected. Also: queues named "." and ".." are reachable from the overview.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { launch, newContext, url, watch, waitLive, waitText, enqueue, deleteQueue, llen, py, rowIds, LIVE_TIMEOUT } from './lib.mjs';

const FIXTURES = fileURLToPath(new URL('../fixtures/', import.meta.url));
let browser;
const queues = [];
before(async () => {
  browser = await launch();
});
after(async () => {
  await browser?.close();
  for (const q of queues) await deleteQueue(q);
});

/** `n` jobs of tasks.always_fail on `queue`, run by a real rq SimpleWorker; returns their ids. */
async function fail(queue, n) {
  const code = [
    'import sys, json',
    `sys.path.insert(0, ${JSON.stringify(FIXTURES)})`,
    'from redis import Redis',
    'from rq import Queue, SimpleWorker',
    'r = Redis.from_url(sys.argv[1])',
    'q = Queue(sys.argv[2], connection=r)',
    'ids = [q.enqueue("tasks.always_fail").id for _ in range(int(sys.argv[3]))]',
    'SimpleWorker([q], connection=r).work(burst=True)',
    'print(json.dumps(ids))',
  ].join('\n');
  // The worker logs to stdout too: the ids are the last line.
  return JSON.parse((await py(code, queue, String(n))).split('\n').pop());
}

/** The job ids whose boxes are ticked (and shown), in row order. */
async function ticked(page) {
  return page.$$eval('input.row-sel', (boxes) => boxes.filter((b) => b.checked && !b.hidden).map((b) => b.value));
}

async function waitRows(page, n) {
  await page.waitForFunction((k) => document.querySelectorAll('table.jobs tbody tr').length === k, n, { timeout: LIVE_TIMEOUT });
}

test('a live refresh keeps the selected rows ticked, and a selected row that leaves is unselected and not acted on', async () => {
  const queue = `ui-select-${process.pid}`;
  queues.push(queue);
  const ids = await fail(queue, 4);
  const context = await newContext(browser);
  const page = await context.newPage();
  const w = watch(page);
  await page.goto(url(`/queues/${encodeURIComponent(queue)}?state=failed&order=desc`));
  await waitLive(page);
  await page.evaluate(() => { window.__noReload = true; });

  const picked = [ids[0], ids[2], ids[3]];
  for (const id of picked) await page.check(`input.row-sel[value="${id}"]`);
  assert.equal((await page.textContent('[data-selected]')).trim(), '3');

  // One more failure: the table is re-rendered live, the three boxes are ticked again.
  const [extra] = await fail(queue, 1);
  await waitText(page, '.tabs .count[data-count="failed"]', '5');
  await waitRows(page, 5);
  assert.ok((await rowIds(page)).includes(extra));
  assert.equal(await page.evaluate(() => window.__noReload), true, 'the page was reloaded');
  assert.deepEqual((await ticked(page)).sort(), [...picked].sort());
  assert.equal((await page.textContent('[data-selected]')).trim(), '3');
  assert.equal(await page.isVisible('[data-dropped]'), false);

  // A selected job leaves the registry: it is unselected, and the toolbar says so.
  const gone = picked[1];
  const left = picked.filter((id) => id !== gone);
  await py('import sys\nfrom redis import Redis\nRedis.from_url(sys.argv[1]).zrem("rq:failed:" + sys.argv[2], sys.argv[3])', queue, gone);
  await waitText(page, '.tabs .count[data-count="failed"]', '4');
  await waitRows(page, 4);
  assert.deepEqual((await ticked(page)).sort(), [...left].sort());
  await waitText(page, '.selection .muted', '2 selected · 1 left the view and was unselected');

  // The confirmation lists what will be requeued; the request sends exactly that.
  await page.click('[data-bulk="requeue"]');
  await page.waitForSelector('#action-dialog[open]');
  const listed = await page.$$eval('#action-items li code', (cs) => cs.map((c) => c.textContent));
  assert.deepEqual([...listed].sort(), [...left].sort());
  assert.match(await page.textContent('#action-items'), /tasks\.always_fail/);
  assert.match(await page.textContent('#action-text'), /these 2 selected failed jobs.*1 selected job left the view and is not included/);
  const sent = page.waitForRequest((r) => r.method() === 'POST' && r.url().includes('/api/v1/jobs/bulk'));
  await page.click('#action-ok');
  const body = (await sent).postDataJSON();
  assert.equal(body.action, 'requeue');
  assert.deepEqual([...body.ids].sort(), [...left].sort());
  await waitText(page, '#action-result', 'Requeued 2');
  // RQ agrees: two jobs back in the queue, the one that left untouched.
  assert.equal(await llen(queue), 2);
  const status = await py('import sys\nfrom redis import Redis\nfrom rq.job import Job\nprint(Job.fetch(sys.argv[2], connection=Redis.from_url(sys.argv[1])).get_status())', gone);
  assert.match(status, /failed/i);
  await w.check('queue page with a selection across refreshes');
  await context.close();
});

test('"select all N" stays on across a live refresh, with the count as of now in the toolbar and the confirmation', async () => {
  const queue = `ui-select-all-${process.pid}`;
  queues.push(queue);
  await fail(queue, 13);
  const context = await newContext(browser);
  const page = await context.newPage();
  const w = watch(page);
  await page.goto(url(`/queues/${encodeURIComponent(queue)}?state=failed&per_page=12`));
  await waitLive(page);

  // The page's 12 rows: the confirmation names the first 10 and counts the rest.
  await page.check('input[data-select-page]');
  assert.equal((await page.textContent('[data-selected]')).trim(), '12');
  await page.click('[data-bulk="requeue"]');
  await page.waitForSelector('#action-dialog[open]');
  assert.equal(await page.locator('#action-items li code').count(), 10);
  assert.equal((await page.textContent('#action-items li:last-child')).trim(), 'and 2 more');
  await page.click('#action-cancel');

  await page.click('.selection button.ghost');
  assert.equal((await page.textContent('[data-selected]')).trim(), '13 (all)');
  await fail(queue, 1);
  await waitText(page, '[data-selected]', '14 (all)');
  assert.equal((await ticked(page)).length, 12, 'every row of the refreshed page is ticked');
  await page.click('[data-bulk="requeue"]');
  await page.waitForSelector('#action-dialog[open]');
  assert.match(await page.textContent('#action-text'), /^Requeue 14 failed jobs of queue/);
  await page.click('#action-cancel');
  assert.equal(await llen(queue), 0, 'nothing was requeued');
  await w.check('queue page in select-all mode');
  await context.close();
});

test('queues named "." and ".." open from their overview links', async () => {
  for (const name of ['.', '..']) {
    queues.push(name);
    await enqueue(name, 'ui-dots');
  }
  const context = await newContext(browser);
  for (const name of ['.', '..']) {
    const page = await context.newPage();
    const w = watch(page);
    await page.goto(url('/'));
    await page.click(`#queues tr[data-queue="${name}"] th a`);
    await page.waitForLoadState('load');
    assert.equal(await page.title(), `${name} · queued · rqdash`);
    assert.equal((await page.textContent('.qname')).trim(), name);
    assert.equal((await rowIds(page)).length, 1);
    await page.click('.tabs a.state-failed');
    await page.waitForLoadState('load');
    assert.equal(await page.title(), `${name} · failed · rqdash`);
    await w.check(`queue ${name}`);
    await page.close();
  }
  await context.close();
});
