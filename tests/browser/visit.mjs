// Drives headless Chromium (Debian's, through playwright-core from tools/npm)
// over the dashboard pages and prints one JSON document of what it saw:
// per page and per look (viewport, colour scheme) the HTTP status, console
// errors, uncaught exceptions, CSP violations, failed subresources, layout
// overflow, what each chart's canvas holds, a screenshot file, and, for the
// first look, the page's tables and tiles as text. It judges nothing:
// tests/browser/*.py compare what it read with the database.
//
//   node visit.mjs PLAN.json
// PLAN: {"base": "http://127.0.0.1:PORT", "pages": ["/", ...], "shots": DIR,
//        "chromium": "/usr/bin/chromium", "looks": [{"name", "width", "height",
//        "scheme": "light"|"dark", "mobile": bool}], "follow": {"page": "/",
//        "selector": CSS}}: on the first look, the first link matching
//        selector on that page is clicked and the page it opens read too.

import { mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

import { launch, readCharts, readPage, stable, watchConsole, watchCsp } from './browser.mjs';

const plan = JSON.parse(readFileSync(process.argv[2], 'utf8'));
mkdirSync(plan.shots, { recursive: true });

// Runs in the page: whether anything is wider than the viewport, and for
// each table wider than its box whether an ancestor scrolls it.
function readLayout() {
  const vw = window.innerWidth;
  const scrolls = (el) => {
    for (let p = el.parentElement; p && p !== document.body; p = p.parentElement) {
      const ox = getComputedStyle(p).overflowX;
      if ((ox === 'auto' || ox === 'scroll') && p.getBoundingClientRect().right <= vw + 0.5) return true;
    }
    return false;
  };
  const tables = [...document.querySelectorAll('table')].map((t, i) => {
    const section = t.closest('section');
    const h2 = section && section.querySelector('h2');
    const r = t.getBoundingClientRect();
    return {
      index: i,
      heading: h2 ? h2.textContent.trim() : null,
      width: Math.round(r.width),
      right: Math.round(r.right),
      wider: r.right > vw + 0.5,
      scrolled: scrolls(t),
    };
  });
  const style = getComputedStyle(document.documentElement);
  return {
    innerWidth: vw,
    scrollWidth: document.documentElement.scrollWidth,
    bodyScrollWidth: document.body.scrollWidth,
    background: style.backgroundColor,
    color: style.color,
    tables,
  };
}

function safeName(p) {
  return p === '/' ? 'overview' : p.replace(/^\//, '').replace(/[^a-zA-Z0-9_-]+/g, '_');
}

async function visit(browser, look, pagePath, withData) {
  const context = await browser.newContext({
    viewport: { width: look.width, height: look.height },
    colorScheme: look.scheme,
    isMobile: !!look.mobile,
    hasTouch: !!look.mobile,
    deviceScaleFactor: look.mobile ? 2 : 1,
  });
  const csp = await watchCsp(context);
  const page = await context.newPage();
  const seen = watchConsole(page);
  const failed = [];
  const subresources = [];
  page.on('requestfailed', (r) => failed.push({ url: r.url(), error: r.failure() && r.failure().errorText }));
  page.on('response', (r) => {
    if (r.request().resourceType() !== 'document') subresources.push({ url: r.url(), status: r.status() });
  });

  const started = Date.now();
  const resp = await page.goto(plan.base + pagePath, { waitUntil: 'load' });
  const out = {
    page: pagePath,
    look: look.name,
    status: resp ? resp.status() : null,
    contentType: resp ? resp.headers()['content-type'] || null : null,
    csp: resp ? resp.headers()['content-security-policy'] || null : null,
    loadMs: Date.now() - started,
  };
  if (withData) out.data = await stable(page, () => page.evaluate(readPage));
  // Charts in every look (their colours follow the scheme), once drawn.
  await page.waitForFunction(() => [...document.querySelectorAll('main figure.chart')].every((f) => f.dataset.drawn),
    null, { timeout: 10000 }).catch(() => {});
  out.charts = await stable(page, () => page.evaluate(readCharts));
  out.layout = await stable(page, () => page.evaluate(readLayout));
  out.screenshot = path.join(plan.shots, `${safeName(pagePath)}-${look.name}.png`);
  await stable(page, () => page.screenshot({ path: out.screenshot, fullPage: true }));
  // What the page itself caused, before any link is followed.
  Object.assign(out, {
    consoleErrors: [...seen.errors],
    pageErrors: [...seen.pageErrors],
    cspViolations: [...csp],
    failedRequests: [...failed],
    subresources: [...subresources],
  });
  if (withData && plan.follow && plan.follow.page === pagePath) {
    out.follow = await follow(context, pagePath, plan.follow.selector);
  }
  await context.close();
  return out;
}

// Loads pagePath afresh, clicks the first link matching selector as a
// reader would, and reports where it led and what came back.
async function follow(context, pagePath, selector) {
  const page = await context.newPage();
  const seen = watchConsole(page);
  await page.goto(plan.base + pagePath, { waitUntil: 'load' });
  const link = page.locator(selector).first();
  const href = await link.getAttribute('href');
  // The target's URL, not any navigation: the page's own reload is not it.
  const answer = page.waitForResponse((r) => r.url() === plan.base + href && r.request().isNavigationRequest());
  await link.click();
  const resp = await answer;
  await page.waitForURL(plan.base + href);
  await page.waitForLoadState('load');
  const html = (resp.headers()['content-type'] || '').startsWith('text/html');
  return {
    href,
    url: page.url(),
    status: resp.status(),
    contentType: resp.headers()['content-type'] || null,
    data: html ? await stable(page, () => page.evaluate(readPage)) : null,
    consoleErrors: seen.errors,
  };
}

// Proves the detectors work: a style the CSP forbids, added to a served
// page, must be reported both as a violation and on the console; a table
// of long words put straight into <main> on a phone must be seen to widen
// the page with nothing scrolling it.
async function probe(browser) {
  const context = await browser.newContext({ viewport: { width: 390, height: 844 }, isMobile: true });
  const csp = await watchCsp(context);
  const page = await context.newPage();
  const seen = watchConsole(page);
  await page.goto(plan.base + plan.pages[0], { waitUntil: 'load' });
  await page.evaluate(() => {
    const s = document.createElement('style');
    s.textContent = 'body { outline: 1px solid red; }';
    document.head.appendChild(s);
  });
  await page.waitForTimeout(300);
  await page.evaluate(() => {
    const t = document.createElement('table');
    const row = t.insertRow();
    for (let i = 0; i < 12; i++) row.insertCell().textContent = 'unbreakable_'.repeat(3) + i;
    document.querySelector('main').prepend(t);
  });
  const layout = await page.evaluate(readLayout);
  await context.close();
  return { cspViolations: csp, consoleErrors: seen.errors, layout };
}

const browser = await launch(plan.chromium);
const report = { browser: browser.version(), visits: [] };
try {
  for (const [i, look] of plan.looks.entries())
    for (const p of plan.pages) report.visits.push(await visit(browser, look, p, i === 0));
  report.probe = await probe(browser);
} finally {
  await browser.close();
}
process.stdout.write(JSON.stringify(report));
