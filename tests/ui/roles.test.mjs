// Roles in the browser: a second rqdash with a users file (scripts/ui-test.sh starts one without
// auth); each user signs in with HTTP Basic auth, as browsers do, and sees only the buttons their
// role may use.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { REDIS_URL, label, launch, newContext, watch } from './lib.mjs';

const BIN = join(dirname(fileURLToPath(import.meta.url)), '../../target/debug/rqdash');
const USERS = { vera: ['pw-vera', 'viewer'], otto: ['pw-otto', 'operator'], ada: ['pw-ada', 'admin'] };

let browser, server, dir, base;

function freePort() {
  return new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'rqdash-roles-'));
  let text = '';
  for (const [name, [pw, role]] of Object.entries(USERS)) {
    // Hashed by the binary itself, from stdin: the password is never an argument.
    const hash = execFileSync(BIN, ['hash-password'], { input: `${pw}\n` }).toString().trim();
    text += `[[user]]\nname = "${name}"\npassword_hash = "${hash}"\nrole = "${role}"\n\n`;
  }
  writeFileSync(join(dir, 'users.toml'), text);
  const port = await freePort();
  base = `http://127.0.0.1:${port}`;
  server = spawn(BIN, ['--redis-url', REDIS_URL, '--port', String(port), '--users-file', join(dir, 'users.toml')], {
    stdio: 'ignore',
  });
  const auth = `Basic ${Buffer.from('vera:pw-vera').toString('base64')}`;
  for (let i = 0; ; i++) {
    const ok = await fetch(`${base}/healthz`, { headers: { authorization: auth } }).then((r) => r.ok, () => false);
    if (ok) break;
    if (i > 200) throw new Error('the second rqdash did not start');
    await new Promise((r) => setTimeout(r, 100));
  }
  browser = await launch();
});

after(async () => {
  await browser?.close();
  server?.kill();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** The failed job's page as `user`: the visible action buttons' actions (last URL segment). */
async function actionsOnJobPage(user) {
  const context = await newContext(browser, { httpCredentials: { username: user, password: USERS[user][0] } });
  const page = await context.newPage();
  // The browser's first request goes without credentials and meets the 401 that asks for them.
  const w = watch(page, { allow: [/HTTP 401/] });
  await page.goto(`${base}/jobs/${encodeURIComponent(label('failed_zero'))}`);
  await page.locator('h1').first().waitFor();
  // Buttons start hidden and are revealed by actions.js once it runs.
  if (user !== 'vera') await page.locator('button[data-action]').first().waitFor({ state: 'visible' });
  const actions = await page.locator('button[data-action]').evaluateAll((bs) =>
    bs.filter((b) => !b.hidden).map((b) => b.dataset.url.split('?')[0].split('/').pop()),
  );
  await w.check();
  await context.close();
  return { actions };
}

test('a viewer sees no action buttons', async () => {
  const { actions } = await actionsOnJobPage('vera');
  assert.deepEqual(actions, []);
});

test('an operator sees requeue but not delete', async () => {
  const { actions } = await actionsOnJobPage('otto');
  assert.ok(actions.includes('requeue'), `operator buttons: ${actions}`);
  assert.ok(!actions.includes('delete'), `operator buttons: ${actions}`);
});

test('an admin sees requeue and delete', async () => {
  const { actions } = await actionsOnJobPage('ada');
  assert.ok(actions.includes('requeue') && actions.includes('delete'), `admin buttons: ${actions}`);
});
