// The /alerts page's forms: make a silence, end one. Both call the same API
// an operator's scripts would, with the web.clients token typed into the
// form (kept in this tab's sessionStorage only, never in a cookie, so no
// other site can make the browser send it).
'use strict';

(function () {
  const form = document.getElementById('silence-form');
  if (!form) return;
  const token = document.getElementById('sf-token');
  const result = document.getElementById('sf-result');
  token.value = sessionStorage.getItem('l2watch-token') || '';
  form.hidden = false;

  function show(text, ok) {
    result.textContent = text;
    result.className = ok ? 'ok-text' : 'error-text';
  }

  async function call(method, path, body) {
    sessionStorage.setItem('l2watch-token', token.value);
    const headers = { Authorization: 'Bearer ' + token.value };
    if (body) headers['Content-Type'] = 'application/json';
    let response;
    try {
      response = await fetch(path, { method, headers, body: body ? JSON.stringify(body) : undefined });
    } catch (e) {
      return { status: 0, doc: { message: 'l2watch did not answer: ' + e.message } };
    }
    let doc = null;
    try {
      doc = await response.json();
    } catch (e) {
      doc = null;
    }
    return { status: response.status, doc };
  }

  function failure(status, doc) {
    return (doc && doc.message) || 'HTTP ' + status;
  }

  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const matchers = {};
    for (const key of ['kind', 'chain', 'severity', 'subject']) {
      const value = document.getElementById('sf-' + key).value.trim();
      if (value) matchers[key] = value;
    }
    const body = {
      matchers,
      duration_s: Number(document.getElementById('sf-duration').value),
      reason: document.getElementById('sf-reason').value,
    };
    const author = document.getElementById('sf-author').value.trim();
    if (author) body.author = author;
    const { status, doc } = await call('POST', '/api/v1/silences', body);
    if (status === 201) {
      show('Silence ' + doc.id + ' made, until ' + doc.expires_at + '.', true);
      setTimeout(() => location.reload(), 800);
    } else {
      show(failure(status, doc), false);
    }
  });

  for (const button of document.querySelectorAll('button.end-silence')) {
    button.hidden = false;
    button.addEventListener('click', async () => {
      const id = button.dataset.id;
      const { status, doc } = await call('DELETE', '/api/v1/silences/' + encodeURIComponent(id));
      if (status === 200) {
        show('Silence ' + id + ' ended.', true);
        setTimeout(() => location.reload(), 800);
      } else {
        show(failure(status, doc), false);
      }
    });
  }
})();
