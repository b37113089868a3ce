// Stopping a background bulk action early (static/actions.js): the dialog says it was cancelled
// before the end, the queue keeps the jobs not reached, and the reloaded page counts what Redis holds.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, newContext, url, watch, waitLive, deleteQueue, llen, py, num, LIVE_TIMEOUT } from './lib.mjs';

const JOBS = 20_000;
let browser;
const queue = `ui-stop-${process.pid}`;
before(async () => {
  browser = await launch();
  // rq's own enqueue_many in one pipeline: fast enough for 20,000 jobs.
  const code = [
    'import sys',
    'from redis import Redis',
    'from rq import Queue',
    'r = Redis.from_url(sys.argv[1])',
    'q = Queue(sys.argv[2], connection=r)',
    'n = int(sys.argv[3])',
    'for s in range(0, n, 2000):',
    '    with r.pipeline() as p:',
    '        q.enqueue_many([Queue.prepare_data("tasks.add", (1, 2)) for _ in range(min(2000, n - s))], pipeline=p)',
    '        p.execute()',
    'print(r.llen("rq:queue:" + sys.argv[2]))',
  ].join('\n');
  assert.equal(Number(await py(code, queue, String(JOBS))), JOBS);
});
after(async () => {
  await browser?.close();
  await deleteQueue(queue);
});

test('stopping "Empty queue" early shows a cancelled result, and the reloaded page counts what the queue still holds', async () => {
  const context = await newContext(browser);
  const page = await context.newPage();
  const problems = watch(page);
  await page.goto(url(`/queues/${encodeURIComponent(queue)}`));
  await waitLive(page);
  await page.click('.toolbar [data-action]:text-is("Empty queue")');
  // Hold every write of Redis for a few seconds (reads go on): the first chunk waits, so Stop is
  // pressed while the action runs however fast this machine empties 20,000 jobs.
  await py('import sys\nfrom redis import Redis\nRedis.from_url(sys.argv[1]).execute_command("CLIENT", "PAUSE", "5000", "WRITE")');
  await page.click('#action-ok');
  await page.waitForFunction(() => !document.querySelector('#action-progress').hidden, null, { timeout: LIVE_TIMEOUT });
  await page.click('#action-cancel');
  await page.waitForFunction(() => !document.querySelector('#action-result').hidden, null, { timeout: LIVE_TIMEOUT });
  const result = await page.textContent('#action-result');
  assert.match(result, /cancelled before the end/);
  assert.match(result, /\d/);
  const left = await llen(queue);
  assert.ok(left > 0, `Stop stopped nothing: the queue was emptied (${result})`);
  await Promise.all([page.waitForEvent('load'), page.click('#action-cancel')]);
  const shown = num(await page.textContent('.tabs .count[data-count="queued"]'));
  assert.equal(shown, left);
  assert.equal(await llen(queue), left);
  await problems.check();
  await context.close();
});
