// Theme and time-zone toggles, keyboard use, pages without JavaScript, phone width, queue filter.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { ORACLE, label, launch, newContext, url, watch, waitLive, count } from './lib.mjs';

let browser;
before(async () => {
  browser = await launch();
});
after(async () => {
  await browser?.close();
});

const bodyBg = (page) => page.evaluate(() => getComputedStyle(document.body).backgroundColor);

test('the theme toggle switches data-theme and the choice persists across a reload', async () => {
  const context = await newContext(browser, { colorScheme: 'light' });
  const page = await context.newPage();
  const w = watch(page);
  await page.goto(url('/'));
  assert.equal(await page.getAttribute('html', 'data-theme'), null, 'no stored theme: follows the system');
  const light = await bodyBg(page);

  await page.click('#theme-toggle');
  assert.equal(await page.getAttribute('html', 'data-theme'), 'dark');
  assert.equal(await page.evaluate(() => localStorage.getItem('rqdash-theme')), 'dark');
  const dark = await bodyBg(page);
  assert.notEqual(dark, light, 'the background changes');

  await page.reload();
  assert.equal(await page.getAttribute('html', 'data-theme'), 'dark', 'dark after reload');
  assert.equal(await bodyBg(page), dark);
  // Another page of the same site remembers it too.
  await page.goto(url('/workers'));
  assert.equal(await page.getAttribute('html', 'data-theme'), 'dark');

  await page.click('#theme-toggle');
  assert.equal(await page.getAttribute('html', 'data-theme'), 'light');
  await page.reload();
  assert.equal(await page.getAttribute('html', 'data-theme'), 'light', 'light after reload');
  assert.equal(await bodyBg(page), light);
  await w.check('theme');
  await context.close();
});

test('a dark system preference gives the dark theme, and the toggle then switches to light', async () => {
  const context = await newContext(browser, { colorScheme: 'dark' });
  const page = await context.newPage();
  await page.goto(url('/'));
  const dark = await bodyBg(page);
  await page.click('#theme-toggle');
  assert.equal(await page.getAttribute('html', 'data-theme'), 'light');
  assert.notEqual(await bodyBg(page), dark);
  await context.close();
});

test('the time-zone toggle switches the exact time in a time element title between UTC and local', async () => {
  const context = await newContext(browser, { timezoneId: 'Asia/Tokyo' });
  const page = await context.newPage();
  const w = watch(page);
  await page.goto(url(`/jobs/${label('failed_zero')}`));
  const time = page.locator('time[data-rel]').first();
  const iso = await time.getAttribute('datetime');
  const utc = await time.getAttribute('title');
  assert.match(utc, /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC$/);
  assert.equal((await page.textContent('#tz-toggle')).trim(), 'UTC');
  // Relative text was filled in by the script.
  assert.match(await time.textContent(), /ago|just now/);

  await page.click('#tz-toggle');
  assert.equal((await page.textContent('#tz-toggle')).trim(), 'Local');
  const local = await time.getAttribute('title');
  assert.match(local, /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d local$/);
  // Tokyo is UTC+9 all year.
  const d = new Date(iso);
  const tokyo = new Date(d.getTime() + 9 * 3600_000).toISOString().slice(0, 19).replace('T', ' ');
  assert.equal(local, `${tokyo} local`);
  assert.equal(utc, `${d.toISOString().slice(0, 19).replace('T', ' ')} UTC`);

  // The choice is remembered.
  await page.reload();
  assert.equal((await page.textContent('#tz-toggle')).trim(), 'Local');
  assert.match(await page.locator('time[data-rel]').first().getAttribute('title'), / local$/);
  await page.click('#tz-toggle');
  assert.match(await page.locator('time[data-rel]').first().getAttribute('title'), / UTC$/);
  await w.check('tz');
  await context.close();
});

test('Tab from the top reaches the skip link, the nav links and the job-id box with a visible focus outline', async () => {
  const context = await newContext(browser);
  const page = await context.newPage();
  await page.goto(url('/'));
  await waitLive(page);
  const seen = [];
  for (let i = 0; i < 12; i++) {
    await page.keyboard.press('Tab');
    const f = await page.evaluate(() => {
      const el = document.activeElement;
      const cs = getComputedStyle(el);
      const r = el.getBoundingClientRect();
      return {
        tag: el.tagName.toLowerCase(),
        id: el.id,
        cls: el.className,
        text: (el.textContent || '').trim(),
        outline: cs.outlineStyle,
        outlineWidth: parseFloat(cs.outlineWidth),
        onScreen: r.right > 0 && r.bottom > 0 && r.left < innerWidth && r.top < innerHeight,
      };
    });
    seen.push(f);
    if (f.id === 'jump-id') break;
  }
  const names = seen.map((f) => f.id || f.text || f.cls);
  assert.equal(seen[0].cls, 'skip', `first Tab stop is the skip link, got ${names[0]}`);
  assert.equal(seen[0].text, 'Skip to content');
  for (const want of ['Overview', 'Workers', 'Failures', 'jump-id']) {
    assert.ok(names.includes(want), `Tab reaches ${want}; went through ${names.join(' → ')}`);
  }
  for (const f of seen) {
    assert.notEqual(f.outline, 'none', `${f.id || f.text}: no focus outline`);
    assert.ok(f.outlineWidth >= 1, `${f.id || f.text}: outline width ${f.outlineWidth}`);
    assert.ok(f.onScreen, `${f.id || f.text}: focused but off screen`);
  }
  // The skip link moves focus to the main content.
  await page.goto(url('/'));
  await page.keyboard.press('Tab');
  await page.keyboard.press('Enter');
  assert.equal(await page.evaluate(() => document.activeElement.id), 'main');
  await context.close();
});

test('the overview and a queue page work without JavaScript: tables and counts render', async () => {
  const context = await newContext(browser, { javaScriptEnabled: false });
  const page = await context.newPage();
  const w = watch(page);
  await page.goto(url('/'));
  assert.equal(await page.title(), 'Overview · rqdash');
  const rows = (await page.$$eval('#queues tbody tr', (trs) => trs.map((tr) => tr.getAttribute('data-queue'))))
    // Queues other UI tests made and deleted (RQ's Queue.delete leaves their registries, which
    // rqdash lists as not registered) are named ui-*.
    .filter((q) => !q.startsWith('ui-'));
  assert.deepEqual([...rows].sort(), Object.keys(ORACLE.queues).sort());
  assert.ok((await count(page, '[data-total="finished"]')) > 0);
  assert.equal(await count(page, 'tr[data-queue="high"] [data-count="failed"]'), ORACLE.queues.high.failed);
  // Times are still readable; the indicator says the page is static.
  assert.match(await page.textContent('#queues time'), /\S/);
  assert.equal((await page.textContent('#live-status')).trim(), 'static');
  // The filter form works as a plain GET form.
  await page.fill('#queue-filter', 'email');
  await Promise.all([page.waitForURL(/q=email/), page.press('#queue-filter', 'Enter')]);
  assert.deepEqual(await page.$$eval('#queues tbody tr', (trs) => trs.map((tr) => tr.getAttribute('data-queue'))), ['emails.v2']);

  await page.goto(url('/queues/default?state=failed'));
  assert.equal(await page.title(), 'default · failed · rqdash');
  assert.equal(await count(page, '.tabs .count[data-count="failed"]'), ORACLE.queues.default.failed);
  assert.ok((await page.locator('table.jobs tbody tr').count()) > 0);
  // The per-page select has an Apply button instead of auto-submit.
  await page.selectOption('#per-page', '10');
  await Promise.all([page.waitForURL(/per_page=10/), page.click('.pager-form button[type="submit"]')]);
  assert.ok((await page.locator('table.jobs tbody tr').count()) <= 10);
  await w.check('no-JS pages');
  await context.close();
});

// `.btn`/`.selection` set a display; app.css's `[hidden] { display: none !important }` must win.
test('the script-only controls (pause, time zone, theme, copy id, actions, selection) stay hidden without JavaScript', async () => {
  const context = await newContext(browser, { javaScriptEnabled: false });
  const page = await context.newPage();
  const shown = [];
  const probe = async (sels) => {
    for (const s of sels) {
      for (const el of await page.locator(s).all()) if (await el.isVisible()) shown.push(`${page.url()} ${s}`);
    }
  };
  await page.goto(url('/'));
  await probe(['#live-toggle', '#tz-toggle', '#theme-toggle']);
  await page.goto(url(`/jobs/${label('failed_zero')}`));
  await probe(['[data-copy]', '[data-action]']);
  await page.goto(url('/queues/default?state=failed'));
  await probe(['[data-action]', '.selection', 'input.row-sel']);
  await context.close();
  assert.deepEqual(shown, [], 'visible without JavaScript');
});

// actions.js hides the selection bar while nothing is selected.
test('the selection bar of a queue page shows only once a job is selected', async () => {
  const context = await newContext(browser);
  const page = await context.newPage();
  await page.goto(url('/queues/default?state=failed'));
  await waitLive(page);
  const visible = () => page.isVisible('.toolbar .selection');
  try {
    assert.equal(await page.evaluate(() => document.querySelector('.toolbar .selection').hidden), true);
    assert.equal(await visible(), false, 'selection bar visible with nothing selected');
    await page.check('input.row-sel >> nth=0');
    assert.equal(await visible(), true);
    assert.equal((await page.textContent('[data-selected]')).trim(), '1');
    await page.uncheck('input.row-sel >> nth=0');
    assert.equal(await visible(), false, 'selection bar still visible after unselecting');
  } finally {
    await context.close();
  }
});

test('at phone width the overview does not scroll sideways and tables scroll inside their wrapper', async () => {
  const context = await newContext(browser, { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true, deviceScaleFactor: 2 });
  const page = await context.newPage();
  const w = watch(page);
  for (const path of ['/', '/queues/default?state=failed', `/jobs/${label('rich_args')}`, '/workers', '/failed']) {
    await page.goto(url(path));
    await waitLive(page);
    const m = await page.evaluate(() => ({
      scrollWidth: document.documentElement.scrollWidth,
      innerWidth: window.innerWidth,
      wraps: [...document.querySelectorAll('.table-wrap')].map((el) => ({
        overflowX: getComputedStyle(el).overflowX,
        scrolls: el.scrollWidth > el.clientWidth,
        fits: el.getBoundingClientRect().right <= window.innerWidth + 1,
      })),
    }));
    assert.ok(m.scrollWidth <= m.innerWidth + 1, `${path}: page is ${m.scrollWidth}px wide in a ${m.innerWidth}px viewport`);
    for (const wr of m.wraps) {
      assert.ok(['auto', 'scroll'].includes(wr.overflowX), `${path}: table wrapper overflow-x ${wr.overflowX}`);
      assert.ok(wr.fits, `${path}: table wrapper sticks out of the viewport`);
    }
    if (path === '/' || path === '/workers') {
      assert.ok(m.wraps.some((wr) => wr.scrolls), `${path}: the wide table scrolls inside its wrapper`);
    }
  }
  await w.check('phone');
  await context.close();
});

test('typing in the queue filter hides the queues that do not match', async () => {
  const context = await newContext(browser);
  const page = await context.newPage();
  await page.goto(url('/'));
  await page.fill('#queue-filter', 'TEN');
  const visible = () =>
    page.$$eval('#queues tbody tr', (trs) =>
      trs.filter((tr) => getComputedStyle(tr).display !== 'none').map((tr) => tr.getAttribute('data-queue')),
    );
  // The filter asks the server for the matching page and swaps it in: wait for the swap.
  const settle = async (want) => {
    for (let i = 0; i < 100; i++) {
      if (JSON.stringify(await visible()) === JSON.stringify(want)) return;
      await page.waitForTimeout(100);
    }
    assert.deepEqual(await visible(), want);
  };
  await settle(['tenant:42']);
  await page.fill('#queue-filter', '名前');
  await settle(['ünïcödé/名前']);
  await page.fill('#queue-filter', '');
  await page.waitForFunction(() => document.querySelectorAll('#queues tbody tr').length > 1);
  // Every row shows again. The background discovery may have added queues RQ no longer lists
  // (registries left by Queue.delete()), so the rows are at least RQ's queues, not exactly them.
  const shown = await visible();
  const rows = await page.$$eval('#queues tbody tr', (trs) => trs.length);
  assert.equal(shown.length, rows);
  assert.ok(rows >= Object.keys(ORACLE.queues).length, `${rows} rows, RQ lists ${Object.keys(ORACLE.queues).length}`);
  for (const q of Object.keys(ORACLE.queues)) assert.ok(shown.includes(q), `${q} is shown again`);
  await context.close();
});
