// Every page opens cleanly; tabs, paging, the job-id box and hostile data.
import { test, before, after, describe } from 'node:test';
import assert from 'node:assert/strict';
import { ORACLE, label, launch, newContext, url, watch, waitLive, count, rowIds } from './lib.mjs';

let browser;
before(async () => {
  browser = await launch();
});
after(async () => {
  await browser?.close();
});

/** Opens `path` in a fresh page, checks the title and that nothing went wrong while it loaded and went live. */
async function openClean(context, path, title) {
  const page = await context.newPage();
  const w = watch(page);
  const resp = await page.goto(url(path));
  assert.equal(resp.status(), 200, `${path}: HTTP ${resp.status()}`);
  assert.equal(await page.title(), title, `${path}: title`);
  await waitLive(page);
  await w.check(path);
  return page;
}

describe('every page opens', () => {
  test('the overview opens with its title, all queues and no console errors, CSP violations or failed requests', async () => {
    const context = await newContext(browser);
    const page = await openClean(context, '/', 'Overview · rqdash');
    const names = (await page.$$eval('#queues tbody tr', (rows) => rows.map((r) => r.getAttribute('data-queue'))))
      .filter((q) => !q.startsWith('ui-')); // made (and deleted) by other UI tests
    assert.deepEqual([...names].sort(), Object.keys(ORACLE.queues).sort());
    for (const state of ['queued', 'started', 'finished', 'failed', 'deferred', 'scheduled', 'canceled']) {
      const want = Object.values(ORACLE.queues).reduce((s, q) => s + q[state], 0);
      assert.equal(await count(page, `[data-total="${state}"]`), want, `total ${state}`);
    }
    await context.close();
  });

  test('a queue page opens for every state of the default queue, orphans shown as "job data missing"', async () => {
    const context = await newContext(browser);
    const q = ORACLE.queues.default;
    for (const state of ['queued', 'started', 'finished', 'failed', 'deferred', 'scheduled', 'canceled']) {
      const page = await openClean(context, `/queues/default?state=${state}&per_page=100`, `default · ${state} · rqdash`);
      assert.equal(await count(page, `.tabs .count[data-count="${state}"]`), q[state], `${state} tab count`);
      assert.equal(
        await page.getAttribute(`.tabs a.state-${state}`, 'aria-current'),
        'page',
        `${state} tab is the current one`,
      );
      const rows = await page.$$('table.jobs tbody tr');
      assert.equal(rows.length, q[state], `${state}: one row per registry member`);
      const orphans = ORACLE.orphans.default?.[state] ?? [];
      const shown = await page.$$eval('table.jobs tbody tr.orphan', (trs) =>
        trs.map((tr) => ({ id: tr.querySelector('code.id').textContent.trim(), text: tr.textContent })),
      );
      assert.deepEqual(shown.map((o) => o.id).sort(), [...orphans].sort(), `${state}: orphan rows`);
      for (const o of shown) assert.match(o.text, /job data missing/);
      await page.close();
    }
    await context.close();
  });

  test('queue pages open for queues with odd names (colon, dot, space, non-ASCII)', async () => {
    const context = await newContext(browser);
    for (const name of ['tenant:42', 'emails.v2', 'with space', 'ünïcödé/名前']) {
      const page = await openClean(context, '/', 'Overview · rqdash');
      const w = watch(page);
      await page.click(`#queues tr[data-queue="${name}"] th a`);
      await page.waitForLoadState('load');
      assert.equal(await page.title(), `${name} · queued · rqdash`);
      assert.equal((await page.textContent('.qname')).trim(), name);
      assert.equal(await count(page, '.tabs .count[data-count="queued"]'), ORACLE.queues[name].queued);
      await waitLive(page);
      await w.check(name);
      await page.close();
    }
    await context.close();
  });

  test('the failed tab of the default queue shows the orphan rows "job data missing" next to real failures', async () => {
    const context = await newContext(browser);
    const page = await openClean(context, '/queues/default?state=failed&per_page=100', 'default · failed · rqdash');
    const ids = await rowIds(page);
    assert.ok(ids.includes(label('failed_zero')));
    assert.ok(ids.includes('orphan-failed'));
    assert.ok(ids.includes(label('nodata')));
    const orphan = page.locator('tr.orphan', { hasText: 'orphan-failed' });
    assert.match(await orphan.textContent(), /job data missing/);
    // A real failure links to its job page and shows its exception.
    const zero = page.locator('table.jobs tbody tr', { hasText: label('failed_zero') });
    assert.match(await zero.locator('td.exc').textContent(), /ZeroDivisionError/);
    await context.close();
  });

  test('job pages open for queued, rich, big, failed, finished, deferred, busy, stopped and missing-data jobs', async () => {
    const context = await newContext(browser);
    const labels = [
      'plain_queued', 'rich_args', 'big_args', 'failed_zero', 'failed_nonascii', 'finished_dict',
      'finished_big_string', 'deferred_two_parents', 'busy', 'stopped', 'history', 'json_finished',
      'html_description', 'script_in_args', 'meta', 'nodata',
    ];
    for (const l of labels) {
      const id = label(l);
      const page = await openClean(context, `/jobs/${encodeURIComponent(id)}`, `Job ${id} · rqdash`);
      assert.equal((await page.textContent('#job-id')).trim(), id, `${l}: id`);
      const status = ORACLE.jobs[id]?.status;
      if (status) {
        assert.equal((await page.textContent('.job-head .badge')).trim(), status, `${l}: status badge`);
      } else {
        assert.match(await page.textContent('.job-head'), /job data missing/, `${l}: no data`);
      }
      await page.close();
    }
    await context.close();
  });

  test('the failed job page shows the exception and the copy-id button copies the id', async () => {
    const context = await newContext(browser, { permissions: ['clipboard-read', 'clipboard-write'] });
    const id = label('failed_zero');
    const page = await openClean(context, `/jobs/${id}`, `Job ${id} · rqdash`);
    assert.match(await page.textContent('pre.traceback'), /ZeroDivisionError/);
    await page.click('[data-copy]');
    await page.waitForFunction(() => document.querySelector('[data-copy]').textContent === 'Copied');
    assert.equal(await page.evaluate(() => navigator.clipboard.readText()), id);
    await context.close();
  });

  test('the workers page opens and lists every worker, the busy one with its job', async () => {
    const context = await newContext(browser);
    const page = await openClean(context, '/workers', 'Workers · rqdash');
    const names = await page.$$eval('table.workers tbody th code', (els) => els.map((e) => e.textContent.trim()));
    for (const w of ORACLE.workers) assert.ok(names.includes(w.name), `worker ${w.name} listed`);
    const busy = page.locator('table.workers tbody tr', { hasText: ORACLE.busy_worker_name });
    assert.equal((await busy.locator('.badge').first().textContent()).trim(), 'busy');
    assert.match(await busy.textContent(), new RegExp(label('busy')));
    await context.close();
  });

  test('the failures page opens and lists failed jobs of every queue, orphans included', async () => {
    const context = await newContext(browser);
    const page = await openClean(context, '/failed?limit=500', 'Failures · rqdash');
    const ids = await rowIds(page);
    const want = Object.values(ORACLE.registry_members).flatMap((r) => r.failed);
    assert.deepEqual([...ids].sort(), [...want].sort());
    assert.match(await page.locator('tr.orphan', { hasText: 'orphan-failed' }).textContent(), /job data missing/);
    await context.close();
  });

  // An orphan has no hash, so no origin: the row must still name the queue it was listed in.
  test('the failures page names the queue of an orphan row', async () => {
    const context = await newContext(browser);
    const page = await context.newPage();
    await page.goto(url('/failed'));
    const cell = page.locator('tr.orphan', { hasText: 'orphan-failed' }).locator('td.queue');
    const text = (await cell.textContent()).trim();
    const href = await cell.locator('a').getAttribute('href');
    await context.close();
    assert.equal(text, 'default');
    assert.equal(href, '/queues/default?state=failed');
  });
});

describe('navigation', () => {
  test('tabs switch the state shown on a queue page', async () => {
    const context = await newContext(browser);
    const page = await openClean(context, '/queues/default', 'default · queued · rqdash');
    for (const [state, text] of [['failed', 'Failed'], ['finished', 'Finished'], ['scheduled', 'Scheduled'], ['queued', 'Queued']]) {
      await Promise.all([page.waitForURL(new RegExp(`state=${state}`)), page.click(`.tabs a.state-${state}`)]);
      assert.equal(await page.title(), `default · ${state} · rqdash`);
      assert.equal(await page.getAttribute(`.tabs a.state-${state}`, 'aria-current'), 'page');
      assert.equal(await page.locator('.tabs a[aria-current="page"]').count(), 1, 'one current tab');
      assert.match(await page.textContent('[data-range]'), new RegExp(`${text.toLowerCase()} jobs`));
      const heads = await page.$$eval('table.jobs thead th', (ths) => ths.map((t) => t.textContent.trim()));
      assert.equal(heads.includes('Exception'), state === 'failed', `${state}: exception column`);
    }
    await context.close();
  });

  test('pagination with per_page=2 moves through pages with next, previous and last without overlap', async () => {
    const context = await newContext(browser);
    const page = await openClean(context, '/queues/default?state=queued&per_page=2', 'default · queued · rqdash');
    const total = await count(page, '[data-total-list]');
    assert.ok(total >= 5, `need several pages, have ${total} jobs`);
    const pages = Math.ceil(total / 2);
    assert.match(await page.textContent('nav.pager'), new RegExp(`page 1 of ${pages}`));
    // On page 1 there is no way back.
    assert.equal(await page.locator('nav.pager a[rel="prev"]').count(), 0);
    const first = await rowIds(page);
    assert.equal(first.length, 2);

    await Promise.all([page.waitForURL(/page=2/), page.click('nav.pager a[rel="next"]')]);
    assert.match(await page.textContent('nav.pager'), new RegExp(`page 2 of ${pages}`));
    assert.match(await page.textContent('[data-range]'), /3–4 of/);
    const second = await rowIds(page);
    assert.equal(second.length, 2);
    assert.deepEqual(first.filter((id) => second.includes(id)), [], 'pages 1 and 2 overlap');

    await Promise.all([page.waitForURL(/page=1/), page.click('nav.pager a[rel="prev"]')]);
    assert.deepEqual(await rowIds(page), first, 'previous goes back to the same rows');

    await Promise.all([page.waitForURL(new RegExp(`page=${pages}`)), page.click('nav.pager a[aria-label="Last page"]')]);
    assert.match(await page.textContent('nav.pager'), new RegExp(`page ${pages} of ${pages}`));
    assert.equal(await page.locator('nav.pager a[rel="next"]').count(), 0, 'no next on the last page');
    const last = await rowIds(page);
    assert.equal(last.length, total - 2 * (pages - 1));
    assert.deepEqual(last.filter((id) => first.includes(id) || second.includes(id)), []);

    // Walking every page gives every queued job exactly once, in RQ's order.
    const seen = [];
    for (let p = 1; p <= pages; p++) {
      await page.goto(url(`/queues/default?state=queued&per_page=2&page=${p}`));
      seen.push(...(await rowIds(page)));
    }
    assert.equal(seen.length, total);
    assert.equal(new Set(seen).size, total, 'a job shows on two pages');
    const oracleOrder = ORACLE.registry_members.default.queued;
    assert.deepEqual(seen.slice(0, oracleOrder.length), oracleOrder);
    await context.close();
  });

  test('the per-page select reloads the list with that many rows', async () => {
    const context = await newContext(browser);
    const page = await openClean(context, '/queues/default?state=finished', 'default · finished · rqdash');
    await Promise.all([page.waitForURL(/per_page=10\b/), page.selectOption('#per-page', '10')]);
    assert.equal((await rowIds(page)).length, Math.min(10, ORACLE.queues.default.finished));
    assert.equal(await page.inputValue('#per-page'), '10');
    assert.match(await page.textContent('[data-range]'), /^1–10 of/);
    await context.close();
  });

  // per_page=2 is not a standard size: the select still shows it.
  test('the per-page select shows the page size in use', async () => {
    const context = await newContext(browser);
    const page = await context.newPage();
    await page.goto(url('/queues/default?state=queued&per_page=2'));
    const shown = (await rowIds(page)).length;
    const selected = await page.inputValue('#per-page');
    await context.close();
    assert.equal(selected, String(shown));
  });

  test('the job-id box jumps to a job', async () => {
    const context = await newContext(browser);
    const page = await openClean(context, '/', 'Overview · rqdash');
    const id = label('failed_nonascii');
    await page.fill('#jump-id', id);
    await Promise.all([page.waitForURL(/\/jobs\//), page.press('#jump-id', 'Enter')]);
    assert.equal(await page.title(), `Job ${id} · rqdash`);
    assert.equal((await page.textContent('#job-id')).trim(), id);
    await context.close();
  });

  test('the job-id box shows the 404 message for an unknown id', async () => {
    const context = await newContext(browser);
    const page = await context.newPage();
    const w = watch(page, { allow: [/404/] });
    await page.goto(url('/'));
    await page.fill('#jump-id', 'no-such-job-42');
    const [resp] = await Promise.all([page.waitForNavigation(), page.click('.jump button[type="submit"]')]);
    assert.equal(resp.status(), 404);
    assert.equal(await page.title(), 'Not found · rqdash');
    assert.equal((await page.textContent('.error-page .status')).trim(), '404');
    assert.match(await page.textContent('.error-page'), /no job with id "no-such-job-42"/);
    await w.check('404 page');
    await context.close();
  });
});

describe('hostile data', () => {
  test('an HTML description renders as text: no img element, no dialog', async () => {
    const context = await newContext(browser);
    const page = await context.newPage();
    const w = watch(page);
    const dialogs = [];
    page.on('dialog', (d) => dialogs.push(d.message()));
    const id = label('html_description');
    await page.goto(url(`/jobs/${id}`));
    await waitLive(page);
    assert.match(await page.textContent('.desc'), /<img src=x onerror=alert\(1\)>/);
    assert.equal(await page.locator('img[src="x"]').count(), 0);
    assert.equal(await page.locator('main img').count(), 0);
    // Its row in the queue page is text too.
    await page.goto(url('/queues/default?state=queued&per_page=100'));
    await waitLive(page);
    assert.equal(await page.locator('img[src="x"]').count(), 0);
    assert.deepEqual(dialogs, []);
    await w.check('hostile pages');
    await context.close();
  });

  test('"</script>" in arguments stays inside the job page as text', async () => {
    const context = await newContext(browser);
    const page = await context.newPage();
    const w = watch(page);
    const id = label('script_in_args');
    await page.goto(url(`/jobs/${id}`));
    await waitLive(page);
    assert.match(await page.textContent('main'), /<\/script>/);
    // Only the page's own scripts exist: each loaded from /static/, none inline.
    const scripts = await page.$$eval('script', (s) =>
      s.map((e) => ({ src: e.src && new URL(e.src).pathname, inline: e.textContent.trim() })),
    );
    assert.ok(scripts.some((x) => x.src === '/static/app.js'));
    for (const x of scripts) {
      assert.match(x.src, /^\/static\/[a-z]+\.js$/, `unexpected script ${JSON.stringify(x)}`);
      assert.equal(x.inline, '');
    }
    await w.check(id);
    await context.close();
  });
});

describe('big values', () => {
  test('a 1 MiB argument and a 200 000-character result are cut with a "show all" link', async () => {
    const context = await newContext(browser);
    for (const l of ['big_args', 'finished_big_string']) {
      const id = label(l);
      const page = await context.newPage();
      const w = watch(page);
      await page.goto(url(`/jobs/${id}`));
      const html = await page.content();
      assert.ok(html.length < 400_000, `${l}: page is ${html.length} characters`);
      assert.ok((await page.locator('a.more', { hasText: 'show all' }).count()) >= 1, `${l}: show all link`);
      await w.check(id);
      await page.close();
    }
    await context.close();
  });
});
