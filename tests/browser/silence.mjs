// The silence flow on /alerts as an operator goes through it in Chromium:
// a silence refused for a wrong token, then made through the form, then
// ended with its row's End button. Prints one JSON document of what each
// step showed (the form's answer, the silences table after the page
// reloaded, the console errors it caused) and every uncaught exception and
// CSP violation on the way; the
// Python test compares it with the database.
//
//   node silence.mjs PLAN.json
// PLAN: {"base", "chromium", "shots": DIR, "token": a web.clients token,
//        "silence": {"kind", "chain", "severity", "duration_s", "author", "reason"}}

import { readFileSync } from 'node:fs';
import path from 'node:path';

import { launch, readPage, watchConsole, watchCsp } from './browser.mjs';

const plan = JSON.parse(readFileSync(process.argv[2], 'utf8'));
const want = plan.silence;

async function fill(page, token) {
  await page.fill('#sf-kind', want.kind);
  await page.selectOption('#sf-chain', want.chain);
  await page.selectOption('#sf-severity', want.severity);
  await page.selectOption('#sf-duration', String(want.duration_s));
  await page.fill('#sf-author', want.author);
  await page.fill('#sf-reason', want.reason);
  await page.fill('#sf-token', token);
}

// The form's answer once it has one.
async function answer(page, previous) {
  await page.waitForFunction(
    (prev) => {
      const r = document.getElementById('sf-result');
      return r && r.textContent !== '' && r.textContent !== prev;
    },
    previous,
    { timeout: 15000 },
  );
  return page.$eval('#sf-result', (r) => ({ text: r.textContent, cls: r.className }));
}

// Acts, waits for the form's answer and, when it says the change was made,
// for the reload the page does next; reads the page then.
async function step(page, seen, name, act, reloads) {
  const errorsBefore = seen.errors.length;
  const before = await page.$eval('#sf-result', (r) => r.textContent);
  const reloaded = reloads ? page.waitForEvent('load', { timeout: 15000 }) : null;
  await act();
  const out = { answer: await answer(page, before) };
  if (reloaded) await reloaded;
  out.formVisible = await page.$eval('#silence-form', (f) => !f.hidden);
  out.page = await page.evaluate(readPage);
  await page.screenshot({ path: path.join(plan.shots, `silence-${name}.png`), fullPage: true });
  out.consoleErrors = seen.errors.slice(errorsBefore);
  return out;
}

const browser = await launch(plan.chromium);
const report = {};
try {
  const context = await browser.newContext({ viewport: { width: 1366, height: 900 } });
  const csp = await watchCsp(context);
  const page = await context.newPage();
  const seen = watchConsole(page);
  await page.goto(plan.base + '/alerts', { waitUntil: 'load' });
  report.opened = {
    consoleErrors: [...seen.errors],
    formVisible: await page.$eval('#silence-form', (f) => !f.hidden),
    endButtons: await page.$$eval('button.end-silence', (bs) => bs.filter((b) => !b.hidden).map((b) => b.dataset.id)),
  };
  report.refused = await step(page, seen, 'refused', async () => {
    await fill(page, 'not-a-token');
    await page.click('#silence-form button[type=submit]');
  }, false);
  report.made = await step(page, seen, 'made', async () => {
    await fill(page, plan.token);
    await page.click('#silence-form button[type=submit]');
  }, true);
  const made = /^Silence (\d+) made/.exec(report.made.answer.text);
  report.madeId = made ? made[1] : null;
  if (report.madeId) {
    // The token typed once is kept for this tab: ending needs no retyping.
    report.tokenKept = await page.$eval('#sf-token', (t) => t.value);
    report.ended = await step(page, seen, 'ended', async () => {
      await page.click(`button.end-silence[data-id="${report.madeId}"]`);
    }, true);
  }
  report.pageErrors = seen.pageErrors;
  report.cspViolations = csp;
  await context.close();
} finally {
  await browser.close();
}
process.stdout.write(JSON.stringify(report));
