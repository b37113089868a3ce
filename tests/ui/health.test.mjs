// Health verdicts in the browser: a queue with jobs and no worker shows a critical badge with its
// reason in words on the overview (row and card) and on its queue page, axe-clean light and dark.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { launch, newContext, url, enqueue, deleteQueue, watch } from './lib.mjs';

const AXE = createRequire(import.meta.url).resolve('axe-core/axe.min.js');
const queue = `health-ui-${process.pid}`;
let browser;
before(async () => {
  browser = await launch();
  await enqueue(queue, 'health');
});
after(async () => {
  await browser?.close();
  await deleteQueue(queue);
});

/** Reload `path` until `selector` is there. The health task judges at the sampler's period (60 s
 * by default, as here) and pages reuse its report until the next tick: a queue made just after a
 * tick has its verdict one period later. */
async function until(page, path, selector) {
  const deadline = Date.now() + 75_000;
  for (;;) {
    await page.goto(url(path));
    if ((await page.locator(selector).count()) > 0) return;
    assert.ok(Date.now() < deadline, `${selector} never showed on ${path}`);
    await page.waitForTimeout(500);
  }
}

async function axe(page, include) {
  await page.addScriptTag({ path: AXE });
  return page.evaluate(async (sel) => {
    const r = await window.axe.run({ include: sel.map((s) => [s]) });
    return r.violations.flatMap((v) => v.nodes.map((n) => `${v.id}: ${n.target.join(' ')}`));
  }, include);
}

for (const scheme of ['light', 'dark']) {
  test(`the overview shows a critical health badge with its reason (${scheme})`, async () => {
    const context = await newContext(browser, { colorScheme: scheme, bypassCSP: true });
    const page = await context.newPage();
    const problems = watch(page);
    const row = `tr[data-queue="${queue}"] [data-health="critical"]`;
    await until(page, `/?q=${queue}`, row);
    const tr = page.locator(`tr[data-queue="${queue}"]`);
    assert.equal((await tr.locator('.badge[data-health]').textContent()).trim(), 'critical');
    assert.equal((await tr.locator('[data-health-why]').textContent()).trim(), '1 job queued and no worker listens');
    assert.ok(await tr.locator('[data-health-why]').isVisible(), 'the reason is shown in words, not only as a title');
    const card = page.locator('[data-health-card]');
    assert.equal((await card.locator('[data-health]').getAttribute('data-health')), 'critical');
    assert.match(await card.textContent(), /[1-9]\d* critical/);
    assert.deepEqual(await axe(page, [`tr[data-queue="${queue}"]`, '[data-health-card]']), []);

    await until(page, `/queues/${queue}`, 'h1 [data-health="critical"]');
    assert.match(await page.locator('[data-health-reason="no-worker"]').textContent(), /1 job queued and no worker listens/);
    assert.deepEqual(await axe(page, ['h1', '.health-reasons']), []);
    await problems.check();
    await context.close();
  });
}
