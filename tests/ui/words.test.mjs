// Words: plurals, confirmations that state exact counts without Markdown, results that say what
// happened, disabled buttons that look disabled, and where a deleted job's page leads.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { ORACLE, launch, newContext, url, watch, enqueue, deleteJobs, deleteQueue, llen, py } from './lib.mjs';

let browser;
const queues = [];
before(async () => {
  browser = await launch();
});
after(async () => {
  await browser?.close();
  for (const q of queues) await deleteQueue(q);
});

function queueName(what) {
  const q = `ui-b-${what}-${process.pid}`;
  queues.push(q);
  return q;
}

/** Clicks the action button `name`, checks the dialog opened on Cancel, and returns its text. */
async function openDialog(page, name) {
  await page.getByRole('button', { name, exact: true }).first().click();
  await page.waitForSelector('#action-dialog[open]');
  assert.equal(await page.evaluate(() => document.activeElement?.id), 'action-cancel', `${name}: the dialog opens focused on Cancel`);
  return (await page.textContent('#action-text')).trim();
}

async function confirm(page) {
  await page.click('#action-ok');
  await page.waitForSelector('#action-result:not([hidden])');
  return (await page.textContent('#action-result')).trim();
}

test('one job is "1 job" in the list and the confirmation, which names the queue without backticks', async () => {
  const queue = queueName('one');
  await enqueue(queue, 'ui-b');
  const context = await newContext(browser);
  const page = await context.newPage();
  await page.goto(url(`/queues/${queue}?state=queued`));
  assert.match(await page.textContent('[data-range]'), /of 1 queued job(?!s)/);
  const text = await openDialog(page, 'Empty queue');
  assert.equal(text, `Delete all 1 queued job of queue “${queue}”, with their job data? This cannot be undone.`);
  await page.click('#action-cancel');
  // The selection's confirmation too: one selected job, the queue in quotes.
  await page.check('input.row-sel');
  await page.click('[data-bulk="delete"]');
  await page.waitForSelector('#action-dialog[open]');
  assert.match(await page.textContent('#action-text'), new RegExp(`^Delete these 1 selected queued job of queue “${queue}”\\?`));
  await page.click('#action-cancel');
  await context.close();
});

test('no confirmation on any queue tab or job page holds a literal backtick', async () => {
  const context = await newContext(browser);
  const page = await context.newPage();
  const seen = [];
  const paths = ['queued', 'failed', 'finished', 'deferred', 'scheduled', 'canceled'].map((s) => `/queues/default?state=${s}`);
  for (const id of Object.values(ORACLE.labels).slice(0, 12)) paths.push(`/jobs/${encodeURIComponent(id)}`);
  paths.push('/workers', '/doctor');
  for (const p of paths) {
    await page.goto(url(p));
    seen.push(...(await page.$$eval('[data-confirm]', (bs) => bs.map((b) => b.getAttribute('data-confirm')))));
  }
  assert.ok(seen.length > 10, `confirmations found: ${seen.length}`);
  assert.deepEqual(seen.filter((t) => t.includes('`')), []);
  await context.close();
});

test('compact states the exact number of ids and reports the orphan it removed, not "Nothing to do"', async () => {
  const queue = queueName('compact');
  for (let i = 0; i < 9; i++) await enqueue(queue, 'ui-b');
  await py(`import sys\nfrom redis import Redis\nRedis.from_url(sys.argv[1]).rpush('rq:queue:' + sys.argv[2], 'ui-b-orphan')`, queue);
  assert.equal(await llen(queue), 10);
  const context = await newContext(browser);
  const page = await context.newPage();
  await page.goto(url(`/queues/${queue}?state=queued`));
  const text = await openDialog(page, 'Compact');
  assert.match(text, /It lists 10 ids; the jobs among them keep their order\.$/);
  assert.equal(await confirm(page), 'Removed 1 orphaned id');
  assert.equal(await llen(queue), 9);
  await context.close();
});

test('suspend and resume say what they did', async () => {
  const context = await newContext(browser);
  const page = await context.newPage();
  const w = watch(page);
  const wasSuspended = ORACLE.suspended;
  await page.goto(url('/workers'));
  if (wasSuspended) {
    await openDialog(page, 'Resume workers');
    assert.equal(await confirm(page), 'Workers resumed');
    await page.click('#action-cancel');
    await page.waitForLoadState('load');
  }
  await page.goto(url('/workers'));
  await openDialog(page, 'Suspend workers');
  assert.equal(await confirm(page), 'Workers suspended until resumed');
  await page.goto(url('/workers'));
  await openDialog(page, 'Resume workers');
  assert.equal(await confirm(page), 'Workers resumed');
  if (wasSuspended) await py(`import sys\nfrom redis import Redis\nRedis.from_url(sys.argv[1]).set('rq:suspended', 1)`);
  await w.check();
  await context.close();
});

test('a disabled button looks disabled: muted, dashed, a not-allowed cursor', async () => {
  const context = await newContext(browser);
  const page = await context.newPage();
  await page.goto(url('/'));
  const [on, off] = await page.evaluate(() => {
    const style = (disabled) => {
      const b = document.createElement('button');
      b.className = 'btn primary';
      b.textContent = 'Confirm';
      b.disabled = disabled;
      document.querySelector('main').appendChild(b);
      const s = getComputedStyle(b);
      return { cursor: s.cursor, border: s.borderTopStyle, color: s.color, bg: s.backgroundColor };
    };
    return [style(false), style(true)];
  });
  assert.equal(off.cursor, 'not-allowed');
  assert.equal(off.border, 'dashed');
  assert.notEqual(off.color, on.color);
  assert.notEqual(off.bg, on.bg);
  await context.close();
});

test('deleting a job from its own page leads to its queue with a notice, not to a 404', async () => {
  const queue = queueName('delete');
  const id = await enqueue(queue, 'ui-b');
  const other = await enqueue(queue, 'ui-b');
  const context = await newContext(browser);
  const page = await context.newPage();
  const w = watch(page);
  await page.goto(url(`/jobs/${id}`));
  const text = await openDialog(page, 'Delete');
  assert.match(text, /^Delete job /);
  await page.click('#action-ok');
  await page.waitForURL((u) => u.pathname === `/queues/${encodeURIComponent(queue)}`);
  assert.equal((await page.textContent('#notice')).trim(), `Job ${id} was deleted.`);
  assert.equal(await page.title(), `${queue} · queued · rqdash`);
  assert.equal(await page.locator(`text=${other}`).count(), 1, 'the queue page lists the job left');
  await w.check();
  await deleteJobs([other]);
  await context.close();
});
