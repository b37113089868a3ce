// Live tabs cost Redis what one tab costs: 1 vs 20 real Chromium tabs on a queue page while a
// producer enqueues through real rq (issue 12, point 8). Each tab has its own browser context,
// so that Chromium's 6 connections per host do not hold back event streams.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { spawn } from 'node:child_process';
import { launch, newContext, url, watch, waitLive, deleteQueue, llen, REDIS_URL, RQ_PYTHON } from './lib.mjs';

const QUEUE = `ui-tabs-${process.pid}`;
const RATE = 5; // jobs/s
const WARMUP_MS = 4_000; // the first page loads fall in here
const WINDOW_MS = 10_000;

let browser;
let producer;
before(async () => {
  browser = await launch();
  // Enqueues through rq, RATE jobs a second, until killed.
  const code = [
    'import sys, time',
    'from redis import Redis',
    'from rq import Queue',
    'q = Queue(sys.argv[2], connection=Redis.from_url(sys.argv[1]))',
    'n, start = 0, time.monotonic()',
    'while True:',
    "    q.enqueue('tasks.add', 1, 2)",
    '    n += 1',
    `    time.sleep(max(0, start + n / ${RATE} - time.monotonic()))`,
  ].join('\n');
  producer = spawn(RQ_PYTHON, ['-c', code, REDIS_URL, QUEUE], { stdio: 'ignore' });
  // The queue page exists once the first job is in.
  const end = Date.now() + 30_000;
  while ((await llen(QUEUE)) === 0) {
    assert.ok(Date.now() < end, 'the producer enqueued nothing within 30 s');
    await new Promise((r) => setTimeout(r, 200));
  }
});
after(async () => {
  producer?.kill();
  await browser?.close();
  await deleteQueue(QUEUE);
});

/** INFO stats total_commands_processed, over a raw RESP connection (no client library). */
function commandsProcessed() {
  const u = new URL(REDIS_URL);
  return new Promise((resolve, reject) => {
    const sock = net.connect(Number(u.port || 6379), u.hostname, () => sock.write('*2\r\n$4\r\nINFO\r\n$5\r\nstats\r\n'));
    let buf = '';
    sock.setTimeout(10_000, () => sock.destroy(new Error('INFO timed out')));
    sock.on('data', (d) => {
      buf += d.toString('latin1');
      const m = buf.match(/^\$(\d+)\r\n/);
      if (m && buf.length >= m[0].length + Number(m[1])) {
        sock.end();
        const v = buf.match(/total_commands_processed:(\d+)/);
        v ? resolve(Number(v[1])) : reject(new Error('no total_commands_processed'));
      }
    });
    sock.on('error', reject);
  });
}

/** Redis commands/s while `n` live tabs show the queue page. */
async function rateWith(n) {
  const contexts = [];
  const pages = [];
  for (let i = 0; i < n; i++) {
    const context = await newContext(browser);
    const page = await context.newPage();
    watch(page);
    contexts.push(context);
    pages.push(page);
  }
  // One after the other: twenty renderers starting at once are slow on a small machine.
  for (const p of pages) {
    await p.goto(url(`/queues/${encodeURIComponent(QUEUE)}`), { waitUntil: 'domcontentloaded', timeout: 60_000 });
    await p.waitForSelector('.tabs [data-count="queued"]');
    await waitLive(p, 'live', 30_000);
  }
  await new Promise((r) => setTimeout(r, WARMUP_MS));
  const c0 = await commandsProcessed();
  const t0 = Date.now();
  await new Promise((r) => setTimeout(r, WINDOW_MS));
  const c1 = await commandsProcessed();
  const secs = (Date.now() - t0) / 1000;
  // Every tab is still live and has followed the producer (the page is not frozen).
  for (const p of pages) await waitLive(p, 'live', 30_000);
  const shown = await pages[n - 1].textContent('.tabs [data-count="queued"]');
  assert.ok(Number(shown.replace(/[,\s]/g, '')) > RATE, `the last tab shows ${shown} queued jobs`);
  for (const c of contexts) await c.close();
  // Let the streams close before the next measurement.
  await new Promise((r) => setTimeout(r, 2_000));
  return (c1 - c0 - 1) / secs;
}

test('twenty live tabs on a queue page under a producer cost Redis what one tab costs', async () => {
  const one = await rateWith(1);
  const twenty = await rateWith(20);
  console.log(`Redis commands/s: 1 tab ${one.toFixed(1)}, 20 tabs ${twenty.toFixed(1)}`);
  assert.ok(twenty <= one * 1.2, `1 tab: ${one.toFixed(1)} commands/s, 20 tabs: ${twenty.toFixed(1)} (more than 1.2x)`);
});
