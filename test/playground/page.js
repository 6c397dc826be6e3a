// The playground page's runner (served as /playground.js on the page origin, and inside the
// sandboxed iframe whose origin is opaque, so its requests carry `Origin: null`).
// Automation drives it through `window.corsLensPlayground`:
//   run(id, runId?) → Promise<{ok, status, error?, readableHeaders?, body?, attempts}>
//   runAll()        → Promise<Record<id, result>>
// `ok` means "the script got a response" (CORS let it through), whatever the HTTP status.
// Every text shown on the page goes through textContent: scenario data and server answers are
// untrusted as far as the page is concerned.
(function () {
  'use strict';
  /** @type {{origins: Record<string, string>, frame: boolean, scenarios: any[]}} */
  const cfg = /** @type {any} */ (window).__CORS_LENS_PLAYGROUND__;
  const byId = new Map(cfg.scenarios.map((s) => [s.id, s]));
  const REQUEST_TIMEOUT_MS = 10000;

  const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
  const newRunId = () => `r${Date.now().toString(36)}${Math.random().toString(36).slice(2, 8)}`;
  const base = (sc, runId, target) =>
    `${cfg.origins[target || sc.request.target]}/s/${encodeURIComponent(sc.id)}/${encodeURIComponent(runId)}`;

  function headerPairs(sc) {
    const h = sc.request.headers || {};
    const list = Array.isArray(h) ? h.map((p) => [p[0], p[1]]) : Object.entries(h);
    if (sc.request.contentType !== undefined) list.push(['Content-Type', sc.request.contentType]);
    return list;
  }

  async function viaFetch(sc, url) {
    const r = sc.request;
    const headers = new Headers();
    for (const [n, v] of headerPairs(sc)) headers.append(n, v);
    const ctl = new AbortController();
    const timer = setTimeout(() => ctl.abort(), REQUEST_TIMEOUT_MS);
    /** @type {RequestInit} */
    const init = { method: r.method, headers, credentials: r.credentials, mode: r.mode || 'cors', signal: ctl.signal };
    // No `cache: 'no-store'` here: a cache-bypassing load skips the preflight cache in Chromium
    // (preflight_controller.cc consults it only without bypass flags). URLs are unique per run and the
    // server answers `Cache-Control: no-store`, which is enough.
    if (r.redirect) init.redirect = r.redirect;
    if (r.body !== undefined) init.body = r.body;
    try {
      const res = await fetch(url, init);
      const readableHeaders = [...res.headers.keys()].sort();
      let body = '';
      try {
        body = await res.text();
      } catch {
        body = '';
      }
      return { ok: true, status: res.status, type: res.type, readableHeaders, body };
    } catch (e) {
      return { ok: false, status: 0, error: `${e && e.name}: ${e && e.message}` };
    } finally {
      clearTimeout(timer);
    }
  }

  function viaXhr(sc, url) {
    const r = sc.request;
    return new Promise((resolve) => {
      const x = new XMLHttpRequest();
      x.open(r.method, url);
      x.timeout = REQUEST_TIMEOUT_MS;
      x.withCredentials = r.credentials === 'include';
      for (const [n, v] of headerPairs(sc)) x.setRequestHeader(n, v);
      // An upload listener sets the use-CORS-preflight flag (Fetch §main-fetch, XHR send()).
      if (r.uploadListener) x.upload.onprogress = () => {};
      x.onload = () => {
        const readableHeaders = x
          .getAllResponseHeaders()
          .split('\r\n')
          .filter(Boolean)
          .map((l) => l.slice(0, l.indexOf(':')).trim().toLowerCase())
          .sort();
        resolve({ ok: true, status: x.status, readableHeaders, body: x.responseText });
      };
      x.onerror = () => resolve({ ok: false, status: 0, error: 'XMLHttpRequest: network error' });
      x.ontimeout = () => resolve({ ok: false, status: 0, error: 'XMLHttpRequest: timeout' });
      x.send(r.body === undefined ? null : r.body);
    });
  }

  /** Runs the scenario from this document (page origin, or opaque origin inside the sandboxed frame). */
  async function execute(sc, runId) {
    const r = sc.request;
    const wantsCookie = r.setCookie !== undefined ? r.setCookie : r.credentials !== 'omit';
    if (wantsCookie && !cfg.frame) {
      // A no-cors credentialed visit stores the scenario's cookie for the target origin.
      try {
        await fetch(`${base(sc, runId)}/set-cookie`, { mode: 'no-cors', credentials: 'include' });
      } catch {
        /* the scenario itself reports what matters */
      }
    }
    const url = `${base(sc, runId)}/resource`;
    const attempts = [];
    const n = Math.max(1, r.repeat || 1);
    for (let i = 0; i < n; i++) {
      if (i > 0) await sleep(r.delayBetweenMs || 0);
      attempts.push(r.via === 'xhr' ? await viaXhr(sc, url) : await viaFetch(sc, url));
    }
    const failed = attempts.find((a) => !a.ok);
    const last = failed || attempts[attempts.length - 1];
    return { ...last, ok: !failed, attempts };
  }

  function runInFrame(sc, runId) {
    return new Promise((resolve) => {
      const frame = document.createElement('iframe');
      // allow-scripts without allow-same-origin: the frame's origin is opaque → `Origin: null`.
      frame.setAttribute('sandbox', 'allow-scripts');
      frame.style.display = 'none';
      const timer = setTimeout(() => done({ ok: false, status: 0, error: 'sandboxed frame: timeout' }), 30000);
      function done(result) {
        clearTimeout(timer);
        window.removeEventListener('message', onMessage);
        frame.remove();
        resolve(result);
      }
      function onMessage(ev) {
        const d = ev.data;
        if (ev.source === frame.contentWindow && d && d.type === 'cors-lens-result' && d.id === sc.id && d.runId === runId) done(d.result);
      }
      window.addEventListener('message', onMessage);
      frame.src = `/frame?id=${encodeURIComponent(sc.id)}&runId=${encodeURIComponent(runId)}`;
      document.body.appendChild(frame);
    });
  }

  const results = new Map();
  async function run(id, runId) {
    const sc = byId.get(id);
    if (!sc) throw new Error(`unknown scenario ${id}`);
    const rid = runId || newRunId();
    showPending(id);
    const result = sc.request.sandboxed && !cfg.frame ? await runInFrame(sc, rid) : await execute(sc, rid);
    results.set(id, result);
    show(id, result);
    return result;
  }

  async function runAll() {
    const out = {};
    for (const sc of cfg.scenarios) out[sc.id] = await run(sc.id);
    return out;
  }

  // --- the readable list -------------------------------------------------------------------
  const cells = new Map();
  function text(tag, value, cls) {
    const el = document.createElement(tag);
    el.textContent = value;
    if (cls) el.className = cls;
    return el;
  }
  function showPending(id) {
    const c = cells.get(id);
    if (c) c.replaceChildren(text('span', 'running…'));
  }
  function show(id, r) {
    const c = cells.get(id);
    if (!c) return;
    const verdict = text('span', r.ok ? `ok ${r.status}` : 'error', r.ok ? 'ok' : 'error');
    const detail = r.ok ? ` readable: ${(r.readableHeaders || []).join(', ')}` : ` ${r.error || ''}`;
    c.replaceChildren(verdict, text('code', detail));
    const ok = [...results.values()].filter((x) => x.ok).length;
    const summary = document.getElementById('summary');
    if (summary) summary.textContent = `${results.size} run: ${ok} ok, ${results.size - ok} error`;
  }
  function describe(sc) {
    const r = sc.request;
    const hdrs = headerPairs(sc).map(([n]) => n).join(', ');
    return `${r.method} → ${r.target}${hdrs ? ` with ${hdrs}` : ''}; credentials ${r.credentials}${r.sandboxed ? '; sandboxed (Origin null)' : ''}${r.repeat ? `; ×${r.repeat}` : ''}`;
  }
  function render() {
    const list = document.getElementById('list');
    if (!list) return;
    let group = null;
    let table = null;
    for (const sc of cfg.scenarios) {
      if (sc.group !== group) {
        group = sc.group;
        list.appendChild(text('h2', group));
        table = document.createElement('table');
        list.appendChild(table);
      }
      const tr = document.createElement('tr');
      tr.id = `scenario-${sc.id}`;
      const btn = text('button', 'Run');
      btn.addEventListener('click', () => void run(sc.id));
      const tdBtn = document.createElement('td');
      tdBtn.appendChild(btn);
      const tdTitle = document.createElement('td');
      tdTitle.append(text('strong', sc.title), document.createElement('br'), text('code', `${sc.id}: ${describe(sc)}`));
      const tdResult = document.createElement('td');
      cells.set(sc.id, tdResult);
      tr.append(tdBtn, tdTitle, tdResult);
      table.appendChild(tr);
    }
    const all = document.getElementById('run-all');
    if (all) all.addEventListener('click', () => void runAll());
  }

  window.corsLensPlayground = { scenarios: cfg.scenarios, origins: cfg.origins, run, runAll, results };

  if (cfg.frame) {
    // Inside the sandboxed frame: run the one scenario named in the query and report to the parent.
    const q = new URLSearchParams(location.search);
    const sc = byId.get(q.get('id'));
    const runId = q.get('runId');
    if (sc && runId) {
      execute(sc, runId).then((result) => parent.postMessage({ type: 'cors-lens-result', id: sc.id, runId, result }, '*'));
    }
  } else {
    render();
  }
})();
