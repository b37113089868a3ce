// The schedulers page in a browser, on state made by real RQ processes (make_cron.py: a killed
// `rq cron`, overdue scheduled jobs, a lock left by a killed scheduler). That state goes to its
// own database (db 15) served by its own rqdash, so the other UI tests and their screenshots keep
// make_states.py's data. With UPDATE_SCREENSHOTS=1 it writes docs/screenshots/schedulers-*.png.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, statSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { REDIS_URL, RQ_PYTHON, UPDATE_SCREENSHOTS, launch, newContext, watch } from './lib.mjs';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const OUT = join(ROOT, 'docs', 'screenshots');
const DB_URL = REDIS_URL.replace(/\/\d+$/, '') + '/15';

let browser;
let rqdash;
let base;

function freePort() {
  return new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

before(async () => {
  const dir = mkdtempSync(join(tmpdir(), 'rqdash-ui-cron-'));
  await promisify(execFile)(
    RQ_PYTHON,
    [join(ROOT, 'tests/fixtures/make_cron.py'), '--url', DB_URL, '--oracle', join(dir, 'oracle.json'), '--flush'],
    { env: { ...process.env, PYTHONPATH: join(ROOT, 'tests/fixtures') } },
  );
  const port = await freePort();
  base = `http://127.0.0.1:${port}`;
  rqdash = spawn(join(ROOT, 'target/debug/rqdash'), ['--redis-url', DB_URL, '--port', String(port)], { stdio: 'ignore' });
  for (let i = 0; i < 200; i++) {
    try {
      if ((await fetch(`${base}/healthz`)).ok) break;
    } catch {}
    await new Promise((r) => setTimeout(r, 100));
  }
  browser = await launch();
});

after(async () => {
  await browser?.close();
  rqdash?.kill();
});

for (const theme of ['light', 'dark']) {
  test(`the schedulers page marks the dead cron scheduler and the overdue queue (${theme})`, async () => {
    const context = await newContext(browser, { colorScheme: theme, viewport: { width: 1280, height: 800 } });
    await context.addInitScript((t) => localStorage.setItem('rqdash-theme', t), theme);
    const page = await context.newPage();
    const w = watch(page);
    await page.goto(`${base}/schedulers`);
    await page.evaluate(() => document.fonts.ready);
    await page.mouse.move(0, 0);
    assert.equal(await page.getAttribute('html', 'data-theme'), theme);
    assert.equal(await page.locator('#cron-schedulers .badge.warn').first().textContent(), 'stale');
    assert.ok(await page.locator('[data-overdue]').isVisible(), 'the overdue alert');
    assert.match(await page.locator('#cron-jobs').textContent(), /at 02:00 on Monday/);
    assert.equal(await page.locator('nav.nav a[aria-current="page"]').textContent(), 'Schedulers');
    if (UPDATE_SCREENSHOTS) {
      mkdirSync(OUT, { recursive: true });
      const file = join(OUT, `schedulers-${theme}.png`);
      await page.screenshot({ path: file, fullPage: true, animations: 'disabled', caret: 'hide' });
      assert.ok(statSync(file).size <= 400 * 1024, `${file} is small enough`);
    }
    await w.check(`schedulers (${theme})`);
    await context.close();
  });
}
