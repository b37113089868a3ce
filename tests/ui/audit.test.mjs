// The audit page lists what the test just did: an "Empty queue" in the browser appears on /audit
// as an intent and its outcome, with the exact count, found again through the queue filter.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, newContext, url, watch, waitLive, deleteQueue, enqueue, llen, LIVE_TIMEOUT } from './lib.mjs';

let browser;
const queue = `ui-audit-${process.pid}`;
before(async () => {
  browser = await launch();
  for (let i = 0; i < 3; i++) await enqueue(queue, 'audit');
  assert.equal(await llen(queue), 3);
});
after(async () => {
  await browser?.close();
  await deleteQueue(queue);
});

test('the audit page lists the action the test just took, intent and outcome, with its count', async () => {
  const context = await newContext(browser);
  const page = await context.newPage();
  const problems = watch(page);
  await page.goto(url(`/queues/${encodeURIComponent(queue)}`));
  await waitLive(page);
  await page.click('.toolbar [data-action]:text-is("Empty queue")');
  await page.click('#action-ok');
  await page.waitForFunction(() => !document.querySelector('#action-result').hidden, null, { timeout: LIVE_TIMEOUT });
  assert.equal(await llen(queue), 0);

  await page.goto(url('/audit'));
  await page.fill('#audit-queue', queue);
  await Promise.all([page.waitForEvent('load'), page.click('.audit-filters button[type=submit]')]);
  const rows = await page.$$eval('#audit tbody tr', (trs) => trs.map((tr) => ({
    action: tr.dataset.action,
    phase: tr.dataset.phase,
    text: tr.textContent.replace(/\s+/g, ' '),
  })));
  assert.equal(rows.length, 2, JSON.stringify(rows));
  assert.deepEqual(rows.map((r) => [r.action, r.phase]), [['queue.empty', 'done'], ['queue.empty', 'intent']]);
  assert.match(rows[0].text, /deleted=3/);
  assert.match(rows[0].text, new RegExp(`${queue}/queued`));
  assert.equal((await page.textContent('nav.nav a[aria-current="page"]')).trim(), 'Audit');
  await problems.check();
  await context.close();
});
