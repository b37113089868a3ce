// Stopping a background bulk action early (static/actions.js): the dialog says it was cancelled
// before the end, the queue keeps the jobs not reached, and the reloaded tab counts what Redis holds,
// for a whole-list action and for a selection ("select all N" on a failed tab).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { launch, newContext, url, watch, waitLive, deleteQueue, llen, py, num, LIVE_TIMEOUT, RQ_PYTHON, REDIS_URL } from './lib.mjs';

const JOBS = 20_000;
const FAILED = 3_000;
let browser;
const queue = `ui-stop-${process.pid}`;
const failedQueue = `ui-stop-failed-${process.pid}`;
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
  // Failed jobs made by rq's enqueue_many, then marked failed and moved to the failed registry as
  // RQ's FailedJobRegistry.add does (status, ZADD with the expiry as score), in bulk.
  const failed = [
    'import sys, time',
    'from redis import Redis',
    'from rq import Queue',
    'r = Redis.from_url(sys.argv[1])',
    'q = Queue(sys.argv[2], connection=r)',
    'n = int(sys.argv[3])',
    'for s in range(0, n, 2000):',
    '    with r.pipeline() as p:',
    '        jobs = q.enqueue_many([Queue.prepare_data("tasks.add", (1, 2)) for _ in range(min(2000, n - s))], pipeline=p)',
    '        p.execute()',
    '    with r.pipeline() as p:',
    '        for j in jobs:',
    '            p.hset(j.key, mapping={"status": "failed", "ended_at": "2026-01-01T00:00:00.000000Z"})',
    '        p.zadd(q.failed_job_registry.key, {j.id: time.time() + 3600 for j in jobs})',
    '        p.execute()',
    'r.delete(q.key)',
    'print(q.failed_job_registry.count)',
  ].join('\n');
  assert.equal(Number(await py(failed, failedQueue, String(FAILED))), FAILED);
});
after(async () => {
  await browser?.close();
  await deleteQueue(queue);
  await deleteQueue(failedQueue);
});

/** Jobs in `queue`'s failed registry (ZCARD, through redis-py). */
async function failedCount(q) {
  return Number(await py('import sys\nfrom redis import Redis\nprint(Redis.from_url(sys.argv[1]).zcard("rq:failed:" + sys.argv[2]))', q));
}

/** Holds every write of Redis for 5 s (reads go on) from the moment the action's audit intent
 * is written, which is right before its first chunk: Stop is then pressed while the action runs,
 * however fast this machine works through the jobs. (Pausing before the click held the intent
 * itself, so the whole action ran after the pause, too fast to stop for a few thousand jobs.)
 * Resolves once the watcher has read the newest entry, so the click may follow; `paused` is a
 * promise of the watcher's end. */
async function pauseAfterIntent() {
  const code = [
    'import sys, time',
    'from redis import Redis',
    'r = Redis.from_url(sys.argv[1])',
    'last = r.xrevrange("rqdash:audit", count=1)',
    'print("ready", flush=True)',
    'end = time.time() + 60',
    'while time.time() < end:',
    '    e = r.xrevrange("rqdash:audit", count=1)',
    '    if e and e != last:',
    '        r.execute_command("CLIENT", "PAUSE", "5000", "WRITE")',
    '        print("paused", flush=True)',
    '        break',
  ].join('\n');
  const child = spawn(RQ_PYTHON, ['-c', code, REDIS_URL], { stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  const paused = new Promise((resolve) => child.on('close', () => resolve(out)));
  await new Promise((resolve, reject) => {
    child.stdout.on('data', (d) => { out += d; if (out.includes('ready')) resolve(); });
    child.on('error', reject);
    child.on('close', () => resolve());
  });
  return { paused };
}

test('stopping "Empty queue" early shows a cancelled result, and the reloaded page counts what the queue still holds', async () => {
  const context = await newContext(browser);
  const page = await context.newPage();
  const problems = watch(page);
  await page.goto(url(`/queues/${encodeURIComponent(queue)}`));
  await waitLive(page);
  await page.click('.toolbar [data-action]:text-is("Empty queue")');
  const watcher = await pauseAfterIntent();
  await page.click('#action-ok');
  await page.waitForFunction(() => !document.querySelector('#action-progress').hidden, null, { timeout: LIVE_TIMEOUT });
  await page.click('#action-cancel');
  await page.waitForFunction(() => !document.querySelector('#action-result').hidden, null, { timeout: LIVE_TIMEOUT });
  const result = await page.textContent('#action-result');
  assert.match(await watcher.paused, /paused/, 'the watcher saw the intent');
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

test('stopping a requeue of "select all" on a failed tab early, the reloaded tab counts what the registry still holds', async () => {
  const context = await newContext(browser);
  const page = await context.newPage();
  const problems = watch(page);
  await page.goto(url(`/queues/${encodeURIComponent(failedQueue)}?state=failed`));
  await waitLive(page);
  await page.check('input[data-select-page]');
  await page.click(`.selection button:text-is("Select all ${FAILED.toLocaleString('en-US')} failed jobs")`);
  await page.click('.selection [data-bulk="requeue"]');
  const watcher = await pauseAfterIntent();
  await page.click('#action-ok');
  await page.waitForFunction(() => !document.querySelector('#action-progress').hidden, null, { timeout: LIVE_TIMEOUT });
  await page.click('#action-cancel');
  await page.waitForFunction(() => !document.querySelector('#action-result').hidden, null, { timeout: LIVE_TIMEOUT });
  const result = await page.textContent('#action-result');
  assert.match(await watcher.paused, /paused/, 'the watcher saw the intent');
  assert.match(result, /cancelled before the end/);
  const left = await failedCount(failedQueue);
  assert.ok(left > 0 && left <= FAILED, `Stop stopped nothing: ${left} of ${FAILED} left (${result})`);
  await Promise.all([page.waitForEvent('load'), page.click('#action-cancel')]);
  assert.equal(num(await page.textContent('.tabs .count[data-count="failed"]')), left, 'the failed tab');
  assert.equal(num(await page.textContent('.tabs .count[data-count="queued"]')), await llen(failedQueue), 'the queued tab');
  assert.equal(await failedCount(failedQueue), left);
  await problems.check();
  await context.close();
});
