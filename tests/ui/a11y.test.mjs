// Every page, light and dark, desktop and phone (390 px): axe-core finds nothing and nothing is
// wider than the phone. axe-core is a test-only dependency (tests/ui/package.json), injected from
// node_modules; rqdash never serves it.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { ORACLE, label, launch, newContext, url, enqueue, deleteQueue } from './lib.mjs';

const AXE = createRequire(import.meta.url).resolve('axe-core/axe.min.js');
const PHONE = { width: 390, height: 844 };

let browser;
const queues = [];
before(async () => {
  browser = await launch();
});
after(async () => {
  await browser?.close();
  for (const q of queues) await deleteQueue(q);
});

/** The HTML pages of the route table (src/web/mod.rs), each with real RQ data behind it. */
function pages() {
  const states = ['queued', 'started', 'finished', 'failed', 'deferred', 'scheduled', 'canceled'];
  const list = [
    '/',
    ...states.map((s) => `/queues/default?state=${s}`),
    `/jobs/${encodeURIComponent(label('failed_nonascii'))}`,
    `/jobs/${encodeURIComponent(label('finished_dict'))}`,
    `/jobs/${encodeURIComponent(label('deferred'))}`,
    '/workers',
    `/workers/${encodeURIComponent(ORACLE.busy_worker_name)}`,
    '/failed',
    '/failed/groups',
    '/search',
    '/search?q=state%3Afailed',
    '/schedulers',
    '/rate-limits',
    '/functions',
    '/functions?range=1h&sort=p95&dir=desc',
    `/functions/${encodeURIComponent('tasks.sleep')}`,
    '/doctor',
    '/audit',
    '/no-such-page',
  ];
  if (ORACLE.labels.group_job) list.push('/groups/grp-1');
  return list;
}

/** axe-core's violations on the page as "rule: target" lines. */
async function axe(page) {
  await page.addScriptTag({ path: AXE });
  return page.evaluate(async () => {
    const r = await window.axe.run(document);
    return r.violations.flatMap((v) => v.nodes.map((n) => `${v.id}: ${n.target.join(' ')} ${n.failureSummary?.split('\n')[1] ?? ''}`.trim()));
  });
}

for (const scheme of ['light', 'dark']) {
  for (const [name, viewport] of [['desktop', { width: 1280, height: 800 }], ['phone', PHONE]]) {
    test(`every page is axe-core clean in ${scheme} mode on a ${name}${name === 'phone' ? ' and no wider than 390 px' : ''}`, async () => {
      // The test's own script tag needs CSP bypassed; the pages' own scripts are unchanged.
      const context = await newContext(browser, { viewport, colorScheme: scheme, bypassCSP: true });
      const problems = [];
      for (const path of pages()) {
        const page = await context.newPage();
        await page.goto(url(path));
        await page.waitForLoadState('load');
        for (const v of await axe(page)) problems.push(`${path}: ${v}`);
        if (name === 'phone') {
          const width = await page.evaluate(() => document.documentElement.scrollWidth);
          if (width > 390) problems.push(`${path}: ${width} px wide`);
        }
        await page.close();
      }
      await context.close();
      assert.deepEqual(problems, []);
    });
  }
}

test('on a phone the navigation fits the screen, every link in view', async () => {
  const context = await newContext(browser, { viewport: PHONE });
  const page = await context.newPage();
  await page.goto(url('/'));
  const links = await page.$$eval('nav.nav a', (as) => as.map((a) => ({ text: a.textContent.trim(), r: a.getBoundingClientRect() })));
  assert.ok(links.length >= 5, 'the nav has its links');
  for (const l of links) assert.ok(l.r.left >= 0 && l.r.right <= 390 && l.r.width > 0, `${l.text} at ${l.r.left}–${l.r.right}`);
  await context.close();
});

test('on a phone a queue table shows each job with its function and state in view', async () => {
  const queue = `ui-b-phone-${process.pid}`;
  queues.push(queue);
  await enqueue(queue, 'ui-b');
  const context = await newContext(browser, { viewport: PHONE });
  const page = await context.newPage();
  await page.goto(url(`/queues/${queue}?state=queued`));
  const row = page.locator('table.jobs tbody tr').first();
  for (const [sel, want] of [['a.id code', /^ui-b-/], ['code.fn', /^tasks\.add$/], ['.badge.phone-only', /^queued$/]]) {
    const el = row.locator(sel);
    assert.ok(await el.isVisible(), `${sel} is visible`);
    assert.match((await el.textContent()).trim(), want);
    const box = await el.boundingBox();
    assert.ok(box.x >= 0 && box.x + box.width <= 390, `${sel} within the screen: ${box.x}+${box.width}`);
  }
  await context.close();
});

test('the header job-id box is not a second search landmark: the search page has exactly one', async () => {
  const context = await newContext(browser);
  const page = await context.newPage();
  await page.goto(url('/search'));
  assert.equal(await page.locator('[role="search"], search').count(), 1);
  await page.goto(url('/workers'));
  assert.ok((await page.locator('[role="search"], search').count()) <= 1);
  await context.close();
});

test('failure groups keep links out of <summary>: the example job link sits next to its traceback', async () => {
  const context = await newContext(browser);
  const page = await context.newPage();
  await page.goto(url('/failed/groups'));
  await page.waitForSelector('article.group');
  assert.equal(await page.locator('summary a, summary button, summary input').count(), 0);
  assert.ok((await page.locator('details.group-tb p a[href*="/jobs/"]').count()) > 0, 'the example job is still linked');
  await context.close();
});
