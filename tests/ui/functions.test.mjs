// The /functions table in the browser: clicking each column header sorts the rows by it, first
// one way then the other, swapping the table in place (no reload), and the page is axe-clean
// light and dark. The rows are the jobs make_states.py ran (several functions, some failing),
// recorded by rqdash's first sampler tick at startup; one previous-period row written here gives
// the trend column a value besides "new".
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { launch, newContext, url, py, watch } from './lib.mjs';

const AXE = createRequire(import.meta.url).resolve('axe-core/axe.min.js');

// A row of ('default', 'tasks.add') 30 hours ago, in the previous 24 h period of the table:
// 5 calls of 10–25 ms (see src/store/functions/layout.rs and hist.rs for the format).
const PREV = `import sys, time
from redis import Redis
r = Redis.from_url(sys.argv[1])
t = time.gmtime(time.time() - 30 * 3600)
day = time.strftime('%Y%m%d', t)
row = 'rqdash:history:fn:h:%s:q:7:default:tasks.add' % day
names = 'rqdash:history:fn:n:h:%s:q:default' % day
if sys.argv[2] == 'add':
    r.hset(row, str(t.tm_hour), '5,0,4:5,')
    r.sadd(names, 'tasks.add')
    r.expire(row, 3 * 86400)
    r.expire(names, 3 * 86400)
else:
    r.hdel(row, str(t.tm_hour))
    r.srem(names, 'tasks.add')
`;

let browser;
before(async () => {
  browser = await launch();
  await py(PREV, 'add');
});
after(async () => {
  await browser?.close();
  await py(PREV, 'remove');
});

/** A cell's text as the number the server sorted by ("–", "new": none, sorted lowest). */
function value(text) {
  const t = text.trim();
  let m;
  if ((m = /^([\d.]+) ms$/.exec(t))) return Number(m[1]) / 1000;
  if ((m = /^([\d.]+) s$/.exec(t))) return Number(m[1]);
  if ((m = /^(\d+) min (\d+) s$/.exec(t))) return m[1] * 60 + Number(m[2]);
  if ((m = /^(\d+) h (\d+) min$/.exec(t))) return m[1] * 3600 + m[2] * 60;
  if ((m = /^(\d+) d (\d+) h$/.exec(t))) return m[1] * 86400 + m[2] * 3600;
  if ((m = /^([\d.]+)%$/.exec(t))) return Number(m[1]);
  if ((m = /^×([\d.]+)$/.exec(t))) return Number(m[1]);
  if (/^[\d,]+$/.test(t)) return Number(t.replace(/,/g, ''));
  assert.ok(t === '–' || t === 'new', `not a value: ${JSON.stringify(t)}`);
  return -1;
}

// Header label, the cell it sorts (a data attribute, or the row's names), and the way a first
// click sorts it (numbers largest first, names A–Z).
const COLUMNS = [
  ['Function', 'function', 'ascending'],
  ['Queue', 'queue', 'ascending'],
  ['Calls', 'calls', 'descending'],
  ['p50 run', 'p50', 'descending'],
  ['p95 run', 'p95', 'descending'],
  ['p99 run', 'p99', 'descending'],
  ['p95 wait', 'wait', 'descending'],
  ['Failure rate', 'failure', 'descending'],
  ['Trend (p95)', 'trend', 'descending'],
];

/** The sort keys of the rows in order: [function, queue] pairs for names, else numbers. */
async function keys(page, col) {
  return page.$$eval(
    '#functions tbody tr',
    (trs, c) =>
      trs.map((tr) => {
        const [f, q] = [tr.getAttribute('data-function'), tr.getAttribute('data-queue')];
        if (c === 'function') return [f, q];
        if (c === 'queue') return [q, f];
        return tr.querySelector(`[data-${c}]`).textContent;
      }),
    col,
  );
}

function cmp(a, b) {
  if (Array.isArray(a)) return a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0;
  return a - b;
}

test('the functions table sorts by each column both ways in place, without a reload', async () => {
  const context = await newContext(browser);
  const page = await context.newPage();
  const problems = watch(page);
  await page.goto(url('/functions'));
  assert.ok((await page.locator('#functions tbody tr').count()) >= 2, 'the fixture recorded several functions');
  await page.evaluate(() => { window.__notReloaded = true; });
  for (const [label, col, first] of COLUMNS) {
    const th = page.locator('#functions thead th', { hasText: label }).first();
    for (const dir of [first, first === 'ascending' ? 'descending' : 'ascending']) {
      await th.locator('a').click();
      await page.waitForFunction(
        ([l, d]) => [...document.querySelectorAll('#functions thead th')].some((h) => h.textContent.trim() === l && h.getAttribute('aria-sort') === d),
        [label, dir],
      );
      const raw = await keys(page, col);
      const got = col === 'function' || col === 'queue' ? raw : raw.map(value);
      const want = [...got].sort((a, b) => (dir === 'ascending' ? cmp(a, b) : cmp(b, a)));
      assert.deepEqual(got, want, `${label} ${dir}: ${JSON.stringify(raw)}`);
      assert.ok(new Set(got.map(String)).size >= 2, `${label}: the rows differ, so the order means something`);
      assert.match(page.url(), new RegExp(`[?&]sort=${col}&dir=${dir === 'ascending' ? 'asc' : 'desc'}`));
      assert.equal(await page.evaluate(() => window.__notReloaded), true, `${label}: swapped in place`);
    }
  }
  await problems.check();
  await context.close();
});

for (const scheme of ['light', 'dark']) {
  test(`the functions page is axe-clean (${scheme})`, async () => {
    const context = await newContext(browser, { colorScheme: scheme, bypassCSP: true });
    const page = await context.newPage();
    await page.goto(url('/functions?sort=trend&dir=desc'));
    assert.ok((await page.locator('#functions tbody tr').count()) >= 2);
    await page.addScriptTag({ path: AXE });
    const found = await page.evaluate(async () => {
      const r = await window.axe.run(document);
      return r.violations.flatMap((v) => v.nodes.map((n) => `${v.id}: ${n.target.join(' ')}`));
    });
    assert.deepEqual(found, []);
    await context.close();
  });
}
