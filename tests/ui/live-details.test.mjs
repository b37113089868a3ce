// Live details: a page that said "Redis is unreachable" comes back by itself, the overview's
// "Oldest queued" and "Queues N" follow rq without a reload.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { launch, newContext, url, waitLive, enqueue, deleteJobs, deleteQueue, LIVE_TIMEOUT } from './lib.mjs';

const BIN = fileURLToPath(new URL('../../target/debug/rqdash', import.meta.url));

let browser;
const queues = [];
before(async () => {
  browser = await launch();
});
after(async () => {
  await browser?.close();
  for (const q of queues) await deleteQueue(q);
});

function freePort() {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

/** Polls `check` until it holds (no sleeps as assertions: only a deadline for giving up). */
async function until(what, check, timeout = 20_000) {
  const end = Date.now() + timeout;
  for (;;) {
    if (await check().catch(() => false)) return;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** A redis-server of this test's own, on `port`, that the test may stop and start again. */
function startRedis(port, dir) {
  const p = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir], { stdio: 'ignore' });
  return p;
}
function redisUp(port) {
  try {
    return execFileSync('redis-cli', ['-p', String(port), 'ping'], { encoding: 'utf8' }).trim() === 'PONG';
  } catch {
    return false;
  }
}

test('a page that showed "Redis is unreachable" recovers by itself when Redis is back', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'rqdash-ui-b-'));
  const [redisPort, webPort] = [await freePort(), await freePort()];
  let redis = startRedis(redisPort, dir);
  const web = spawn(BIN, ['--redis-url', `redis://127.0.0.1:${redisPort}/0`, '--port', String(webPort), '--poll-interval', '500ms'], { stdio: 'ignore' });
  const base = `http://127.0.0.1:${webPort}`;
  try {
    await until('redis', async () => redisUp(redisPort));
    await until('rqdash', async () => (await fetch(`${base}/healthz`)).ok);
    redis.kill('SIGTERM');
    await until('redis to stop', async () => !redisUp(redisPort));

    const context = await newContext(browser);
    const page = await context.newPage();
    const resp = await page.goto(`${base}/workers`);
    assert.equal(resp.status(), 503);
    assert.match(await page.textContent('main'), /Redis is unreachable/);
    await page.evaluate(() => { window.__same = true; });

    redis = startRedis(redisPort, dir);
    await until('redis back', async () => redisUp(redisPort));
    // The page asks no one: it loads the real page as soon as the live stream hears Redis again.
    await page.waitForFunction(() => document.title === 'Workers · rqdash', null, { timeout: LIVE_TIMEOUT * 2 });
    assert.doesNotMatch(await page.textContent('main'), /Redis is unreachable/);
    await context.close();
  } finally {
    web.kill('SIGTERM');
    redis.kill('SIGTERM');
    rmSync(dir, { recursive: true, force: true });
  }
});

test('the overview\'s "Oldest queued" clears when its queue empties', async () => {
  const queue = `ui-b-oldest-${process.pid}`;
  queues.push(queue);
  const id = await enqueue(queue, 'ui-b');
  const context = await newContext(browser);
  const page = await context.newPage();
  await page.goto(url('/'));
  await waitLive(page);
  const col = await page.$$eval('#queues thead th', (ths) => ths.findIndex((th) => /oldest/i.test(th.textContent)));
  assert.ok(col >= 0, 'the table has an "Oldest queued" column');
  const cell = () => page.$eval(`#queues tr[data-queue="${queue}"]`, (tr, i) => ({ time: !!tr.cells[i].querySelector('time'), text: tr.cells[i].textContent.trim() }), col);
  assert.equal((await cell()).time, true, 'a queued job has an age');
  await deleteJobs([id]);
  await until('the oldest cell to clear', async () => !(await cell()).time, LIVE_TIMEOUT);
  assert.equal((await cell()).text, '–');
  await context.close();
});

test('the overview\'s "Queues N" follows a queue rq creates, without a reload', async () => {
  const context = await newContext(browser);
  const page = await context.newPage();
  await page.goto(url('/'));
  await waitLive(page);
  await page.evaluate(() => { window.__same = true; });
  const heading = async () => Number((await page.textContent('#queues-h .num')).replace(/,/g, ''));
  const before = await heading();
  const queue = `ui-b-new-${process.pid}`;
  queues.push(queue);
  await enqueue(queue, 'ui-b');
  await until('the heading to count the new queue', async () => (await heading()) === before + 1, LIVE_TIMEOUT);
  const panel = await page.$$eval('.panel dt', (dts) => dts.find((dt) => dt.textContent.trim() === 'Queues')?.nextElementSibling.textContent.trim());
  assert.equal(Number(panel.replace(/,/g, '')), before + 1, 'the RQ keys panel too');
  assert.equal(await page.evaluate(() => window.__same), true, 'not reloaded');
  await context.close();
});
