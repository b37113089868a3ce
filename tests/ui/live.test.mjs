// Live updates over SSE: counts change without a reload when real rq enqueues jobs; pause stops them.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, newContext, url, watch, waitLive, waitText, count, enqueue as rqEnqueue, deleteJobs, deleteQueue, llen, py, rowIds, LIVE_TIMEOUT } from './lib.mjs';

let browser;
// Every job and queue made here is removed again, so that the other files see the fixture as made.
const created = [];
const queues = [];
async function enqueue(queue, prefix) {
  const id = await rqEnqueue(queue, prefix);
  created.push(id);
  return id;
}
before(async () => {
  browser = await launch();
});
after(async () => {
  await browser?.close();
  await deleteJobs(created);
  for (const q of queues) await deleteQueue(q);
});

const CELL = 'tr[data-queue="default"] [data-count="queued"]';

/** Marks the document so that a reload (which would drop the mark) can be detected. */
async function mark(page) {
  await page.evaluate(() => {
    window.__noReload = 'still the same document';
  });
}
async function assertNotReloaded(page) {
  assert.equal(await page.evaluate(() => window.__noReload), 'still the same document', 'the page was reloaded');
}

test('the overview counts follow an rq enqueue live, and pause stops and resume catches up', async () => {
  const context = await newContext(browser);
  const page = await context.newPage();
  const w = watch(page);
  await page.goto(url('/'));
  await waitLive(page);
  await mark(page);

  const before = await count(page, CELL);
  assert.equal(before, await llen('default'), 'the cell shows what Redis holds');
  const totalBefore = await count(page, '[data-total="queued"]');

  await enqueue('default');
  await waitText(page, CELL, before + 1);
  await waitText(page, '[data-total="queued"]', totalBefore + 1);
  await waitLive(page);
  await assertNotReloaded(page);

  // Pause: the indicator says so and a new job does not change the count.
  await page.click('#live-toggle');
  await waitLive(page, 'paused');
  assert.equal((await page.textContent('#live-toggle')).trim(), 'Resume');
  assert.equal(await page.getAttribute('#live-toggle', 'aria-pressed'), 'true');

  await enqueue('default');
  // Wait until another live page has seen the job, so the paused one has had every chance to.
  const witness = await context.newPage();
  await witness.goto(url('/'));
  await waitLive(witness);
  await waitText(witness, CELL, before + 2);
  // ... and one more snapshot after it, sent to every open page.
  const ticks = await witness.evaluate(
    (timeout) =>
      new Promise((resolve, reject) => {
        const es = new EventSource(document.body.dataset.live);
        let n = 0;
        const t = setTimeout(() => reject(new Error('no snapshot')), timeout);
        es.addEventListener('snapshot', () => {
          if (++n === 2) {
            clearTimeout(t);
            es.close();
            resolve(n);
          }
        });
      }),
    LIVE_TIMEOUT,
  );
  assert.equal(ticks, 2);
  assert.equal(await count(page, CELL), before + 1, 'the count changed while paused');
  await waitLive(page, 'paused');
  await witness.close();

  // Resume: it reconnects and catches up.
  await page.click('#live-toggle');
  assert.equal((await page.textContent('#live-toggle')).trim(), 'Pause');
  await waitText(page, CELL, before + 2);
  await waitLive(page, 'live');
  await assertNotReloaded(page);
  await w.check('overview (live)');
  await context.close();
});

test('the pause survives a reload of the same tab and does not leak to a new tab', async () => {
  const context = await newContext(browser);
  const page = await context.newPage();
  await page.goto(url('/'));
  await waitLive(page);
  await page.click('#live-toggle');
  await waitLive(page, 'paused');
  await page.reload();
  await waitLive(page, 'paused');
  const other = await context.newPage();
  await other.goto(url('/'));
  await waitLive(other, 'live');
  await page.click('#live-toggle');
  await waitLive(page, 'live');
  await context.close();
});

test('a queue page updates its tab count and job table live', async () => {
  const context = await newContext(browser);
  const page = await context.newPage();
  const w = watch(page);
  // Newest first, so that the new job is on the first page.
  await page.goto(url('/queues/default?state=queued&order=desc'));
  await waitLive(page);
  await mark(page);
  const tab = '.tabs .count[data-count="queued"]';
  const before = await count(page, tab);
  assert.equal(await count(page, '[data-total-list]'), before);
  const rowsBefore = await rowIds(page);

  const id = await enqueue('default', 'ui-queue-page');
  assert.ok(!rowsBefore.includes(id));
  await waitText(page, tab, before + 1);
  await waitText(page, '[data-total-list]', before + 1);
  await page.waitForFunction(
    (jid) => [...document.querySelectorAll('table.jobs tbody code')].some((c) => c.textContent.trim() === jid),
    id,
    { timeout: LIVE_TIMEOUT },
  );
  const rowsAfter = await rowIds(page);
  assert.equal(rowsAfter[0], id, 'the new job heads the newest-first list');
  // Its link works.
  assert.equal(decodeURIComponent(await page.getAttribute('table.jobs tbody tr:first-child a.id', 'href')), `/jobs/${id}`);
  await assertNotReloaded(page);
  // The refreshed table still has working relative times.
  assert.match(await page.getAttribute('table.jobs tbody tr:first-child time', 'title'), / (UTC|local)$/);
  await w.check('queue page (live)');
  await context.close();
});

test('the live indicator says "disconnected" while the event stream fails and goes live again when it is back', async () => {
  const context = await newContext(browser);
  const page = await context.newPage();
  // Every connection to the stream fails; EventSource keeps retrying by itself.
  await page.route('**/events?**', (route) => route.abort('connectionreset'));
  await page.goto(url('/'));
  await waitLive(page, 'disconnected');
  await page.unroute('**/events?**');
  await waitLive(page, 'live', 30_000);
  await context.close();
});

// swap() also removes regions the fresh page no longer has (the last job left, no more pages).
test('a queue page whose last job leaves drops its job table live', async () => {
  const queue = `ui-drain-${process.pid}`;
  queues.push(queue);
  await enqueue(queue, 'ui-drain');
  const context = await newContext(browser);
  const page = await context.newPage();
  await page.goto(url(`/queues/${encodeURIComponent(queue)}`));
  await waitLive(page);
  assert.equal((await rowIds(page)).length, 1);
  await py('import sys\nfrom redis import Redis\nfrom rq import Queue\nQueue(sys.argv[2], connection=Redis.from_url(sys.argv[1])).empty()', queue);
  await waitText(page, '.tabs .count[data-count="queued"]', '0');
  await waitText(page, '[data-range]', 'No queued jobs.');
  try {
    await page.waitForFunction(() => !document.querySelector('table.jobs'), null, { timeout: 3_000 });
  } finally {
    await context.close();
  }
});
