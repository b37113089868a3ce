// With UPDATE_SCREENSHOTS=1, (re)writes docs/screenshots/*.png from the fixture data.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { UPDATE_SCREENSHOTS, label, launch, newContext, url, watch, waitLive } from './lib.mjs';

const OUT = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'docs', 'screenshots');
const MAX_BYTES = 400 * 1024;

const SHOTS = [
  ['overview', '/'],
  ['queue-failed', '/queues/default?state=failed'],
  ['job', () => `/jobs/${label('rich_args')}`],
  ['job-failed', () => `/jobs/${label('failed_zero')}`],
  ['workers', '/workers'],
  ['worker', '/workers/fixture-busy'],
  ['failures', '/failed'],
  ['doctor', '/doctor'],
  ['search', '/search?q=state%3Afailed'],
  ['failure-groups', '/failed/groups'],
  ['functions', '/functions'],
  ['audit', '/audit'],
];

let browser;
before(async () => {
  if (UPDATE_SCREENSHOTS) browser = await launch();
});
after(async () => {
  await browser?.close();
});

/** Full page if it stays under MAX_BYTES, else just the first screen. */
async function shoot(page, file) {
  await page.screenshot({ path: file, fullPage: true, animations: 'disabled', caret: 'hide' });
  if (statSync(file).size > MAX_BYTES) {
    await page.screenshot({ path: file, fullPage: false, animations: 'disabled', caret: 'hide' });
  }
  const size = statSync(file).size;
  assert.ok(size <= MAX_BYTES, `${file} is ${size} bytes`);
}

async function settle(page, path) {
  await page.goto(url(path));
  await waitLive(page);
  await page.evaluate(() => document.fonts.ready);
  // Move the pointer away so that no row shows its hover colour.
  await page.mouse.move(0, 0);
}

const opts = { skip: UPDATE_SCREENSHOTS ? false : 'set UPDATE_SCREENSHOTS=1 to write docs/screenshots' };

for (const theme of ['light', 'dark']) {
  test(`screenshots of every page in the ${theme} theme are written to docs/screenshots`, opts, async () => {
    mkdirSync(OUT, { recursive: true });
    const context = await newContext(browser, { colorScheme: theme, viewport: { width: 1280, height: 800 } });
    await context.addInitScript((t) => localStorage.setItem('rqdash-theme', t), theme);
    const page = await context.newPage();
    const w = watch(page);
    for (const [name, p] of SHOTS) {
      await settle(page, typeof p === 'function' ? p() : p);
      assert.equal(await page.getAttribute('html', 'data-theme'), theme);
      await shoot(page, join(OUT, `${name}-${theme}.png`));
    }
    await w.check(`screenshots (${theme})`);
    await context.close();
  });
}

test('a phone-width screenshot of the overview is written to docs/screenshots', opts, async () => {
  mkdirSync(OUT, { recursive: true });
  const context = await newContext(browser, {
    colorScheme: 'light',
    viewport: { width: 390, height: 844 },
    isMobile: true,
    hasTouch: true,
  });
  await context.addInitScript(() => localStorage.setItem('rqdash-theme', 'light'));
  const page = await context.newPage();
  await settle(page, '/');
  await shoot(page, join(OUT, 'overview-phone-light.png'));
  await context.close();
});
