// Search over the job archive (static/search.js): records of jobs RQ deleted carry the
// "archived" badge and link their job page, on the server's first page and on the rows the page
// streams in after it (the first page holds 50 hits; 60 records match).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, newContext, url, watch, py, LIVE_TIMEOUT } from './lib.mjs';

const N = 60;
const func = `tasks.ui_archived_${process.pid}`;
let browser, entries = [];
before(async () => {
  browser = await launch();
  // Records as the sampler writes them (lua/archive_append.lua's fields), of jobs with no hash.
  const code = [
    'import sys, time',
    'from redis import Redis',
    'r = Redis.from_url(sys.argv[1])',
    'now = time.time()',
    'ids = []',
    'for i in range(int(sys.argv[3])):',
    '    ids.append(r.xadd("rqdash:history:archive", {"id": "%s-%d" % (sys.argv[2], i), "q": "ui-archive", "f": sys.argv[2], "s": "finished", "st": "%.3f" % (now - 2), "end": "%.3f" % (now - 1)}).decode())',
    'print(" ".join(ids))',
  ].join('\n');
  entries = (await py(code, func, String(N))).split(' ');
  assert.equal(entries.length, N);
});
after(async () => {
  await browser?.close();
  await py('import sys\nfrom redis import Redis\nRedis.from_url(sys.argv[1]).xdel("rqdash:history:archive", *sys.argv[2:])', ...entries);
});

test('archived search hits are marked and linked, streamed rows too', async () => {
  const ctx = await newContext(browser);
  const page = await ctx.newPage();
  const problems = watch(page);
  await page.goto(url(`/search?q=${encodeURIComponent(`archived:yes func:${func}`)}`));
  assert.equal(await page.locator('#search-results [data-archived]').count() >= 50, true, 'the first page is marked');
  await page.waitForFunction((n) => document.querySelectorAll('#search-results [data-archived]').length === n, N, { timeout: LIVE_TIMEOUT });
  // The last record streamed in (the oldest) links its job page.
  const last = page.locator('#search-results tbody tr').last();
  assert.equal(await last.locator('[data-archived]').textContent(), 'archived');
  assert.match(await last.locator('a.id').getAttribute('href'), new RegExp(`/jobs/${func}-0(\\?|$)`));
  await problems.check();
  await ctx.close();
});
