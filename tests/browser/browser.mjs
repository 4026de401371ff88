// What the browser tests share: Chromium from Debian driven by playwright-core
// from tools/npm, and the watchers and readers every script puts on a page.

import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
// playwright-core is pinned in tools/npm, not beside this script.
const requireTools = createRequire(path.join(here, '..', '..', 'tools', 'npm', 'package.json'));
const { chromium } = requireTools('playwright-core');

// Headless Chromium from executablePath: playwright-core never downloads one.
export function launch(executablePath) {
  return chromium.launch({ executablePath, headless: true });
}

// Runs in the page: every table and tile under <main>, as the reader sees it.
export function readPage() {
  const text = (el) => (el ? el.innerText.replace(/\s+/g, ' ').trim() : null);
  // Headings are styled upper-case; their words as written name them.
  const heading = (el) => (el ? el.textContent.replace(/\s+/g, ' ').trim() : null);
  const dataAttrs = (el) => {
    const out = {};
    for (const a of el.attributes) if (a.name.startsWith('data-')) out[a.name.slice(5)] = a.value;
    return out;
  };
  const tables = [...document.querySelectorAll('main table')].map((t) => {
    const section = t.closest('section');
    return {
      id: t.id || null,
      cls: t.className || null,
      heading: heading(section && section.querySelector('h2')),
      headers: [...t.querySelectorAll('thead th')].map(text),
      rows: [...t.querySelectorAll('tbody tr')].map((tr) => ({
        data: dataAttrs(tr),
        cls: tr.className || null,
        cells: [...tr.children].map((td) => {
          const badge = td.querySelector('.badge');
          const link = td.querySelector('a');
          return {
            text: text(td),
            cls: td.className || null,
            badge: badge ? badge.className : null,
            href: link ? link.getAttribute('href') : null,
            bars: td.querySelectorAll('rect.iv-bar').length,
          };
        }),
      })),
    };
  });
  const tiles = [...document.querySelectorAll('main .tile')].map((t) => ({
    id: t.id || null,
    number: text(t.querySelector('.num')),
    label: text(t.querySelector('.muted')),
  }));
  const sections = [...document.querySelectorAll('main section')].map((s) => ({
    heading: heading(s.querySelector('h2')),
    text: text(s),
  }));
  // Elements the page names (a finding's title, its summary), by id.
  const named = {};
  for (const el of document.querySelectorAll('main [id]')) if (el.tagName !== 'TABLE') named[el.id] = text(el);
  const nav = [...document.querySelectorAll('header a')].map((a) => a.getAttribute('href'));
  // Every script element: an inline one (src null) could only come from data.
  const scripts = [...document.scripts].map((s) => s.getAttribute('src'));
  return { title: document.title, nav, named, tables, tiles, sections, scripts, bodyText: text(document.body) };
}

// The dashboard reloads itself every few seconds (meta refresh); a read that
// straddles a reload is repeated once on the new document.
export async function stable(page, act) {
  try {
    return await act();
  } catch (e) {
    if (!/context was destroyed|navigat/i.test(String(e))) throw e;
    await page.waitForLoadState('load');
    return await act();
  }
}

// Every Content-Security-Policy violation in the context's pages, as the
// page's own securitypolicyviolation events report them (reloads included).
export async function watchCsp(context) {
  const csp = [];
  await context.exposeFunction('__l2wCsp', (v) => csp.push(v));
  await context.addInitScript(() => {
    document.addEventListener('securitypolicyviolation', (e) => {
      window.__l2wCsp({ directive: e.violatedDirective, blocked: e.blockedURI, sample: e.sample });
    });
  });
  return csp;
}

// Console errors of a page, and its uncaught exceptions. Every page names
// its icon (/static/favicon.svg), so Chromium asks for no /favicon.ico and
// no error is excused.
export function watchConsole(page) {
  const out = { errors: [], pageErrors: [] };
  page.on('console', (m) => {
    if (m.type() !== 'error') return;
    out.errors.push(`${m.text()} (${m.location().url || page.url()})`);
  });
  page.on('pageerror', (e) => out.pageErrors.push(String(e)));
  return out;
}

// Runs in the page: every chart (figure.chart, drawn by /static/charts.js)
// with what its canvas holds: how many pixels are painted at all, and for
// each colour charts.js says it drew a line in, how many pixels are that
// colour (within a small distance, for anti-aliasing).
export function readCharts() {
  const hex = (c) => [1, 3, 5].map((i) => parseInt(c.slice(i, i + 2), 16));
  return [...document.querySelectorAll('main figure.chart')].map((fig) => {
    const canvas = fig.querySelector('canvas');
    const colors = (fig.dataset.colors || '').split(' ').filter(Boolean);
    const out = { id: fig.id, drawn: fig.dataset.drawn || null, colors, canvas: null, painted: 0, lines: [] };
    if (!canvas) return out;
    out.canvas = { width: canvas.width, height: canvas.height };
    const px = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
    const want = colors.map(hex);
    const counts = want.map(() => 0);
    for (let i = 0; i < px.length; i += 4) {
      if (px[i + 3] === 0) continue;
      out.painted++;
      if (px[i + 3] < 200) continue;
      want.forEach((w, k) => {
        if (Math.abs(px[i] - w[0]) + Math.abs(px[i + 1] - w[1]) + Math.abs(px[i + 2] - w[2]) <= 24) counts[k]++;
      });
    }
    out.lines = colors.map((c, k) => ({ color: c, pixels: counts[k] }));
    return out;
  });
}
