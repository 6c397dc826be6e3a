/**
 * The capture benchmark's own loopback servers (not the playground: that one logs every request
 * it answers, which would add its own cost to a 2,000-call batch).
 *
 *   page  http://127.0.0.1:<page>/bench.html?v=<variant>  the requesting page; it long-polls
 *         /ctl/next for a job, fires the job's calls at the api origin, posts /ctl/done
 *   api   http://127.0.0.1:<api>/r/<tag>/<i>?k=<kind>      the cross-origin API
 *
 * Every call URL is unique (tag = variant + round), so no preflight is ever served from the
 * preflight cache and every variant does the same network work.
 *
 * Call mix (per index i, see PAGE_SCRIPT): even i = simple GET, odd i = PUT with a custom header
 * and a JSON content type (preflighted: Fetch §4.8 CORS-preflight fetch, non-safelisted method and
 * header). Every 10th simple call is answered without Access-Control-Allow-Origin (fails on the
 * response, Fetch §4.9 CORS check); every 10th preflighted call gets a preflight answer whose
 * Access-Control-Allow-Methods lacks PUT (fails at the preflight; the PUT is never sent).
 */
import http from 'node:http';

const PAGE_SCRIPT = String.raw`
const V = new URLSearchParams(location.search).get('v');
const API = document.documentElement.dataset.api;
function call(tag, i, failEvery) {
  const fail = i % (2 * failEvery) < 2;
  const url = API + '/r/' + tag + '/' + i + (fail ? '?fail=1' : '');
  const init = i % 2 === 0
    ? {}
    : { method: 'PUT', headers: { 'X-Bench': String(i), 'Content-Type': 'application/json' }, body: '{"i":' + i + '}' };
  return fetch(url, init).then((r) => r.text().then(() => true), () => false);
}
async function run(job) {
  let ok = 0, failed = 0;
  const t0 = performance.now();
  for (let start = 0; start < job.calls; start += job.wave) {
    const wave = [];
    for (let i = start; i < Math.min(job.calls, start + job.wave); i++) wave.push(call(job.tag, i, job.failEvery));
    for (const r of await Promise.all(wave)) r ? ok++ : failed++;
  }
  return { wallMs: performance.now() - t0, ok, failed };
}
(async () => {
  for (;;) {
    let job;
    try { job = await (await fetch('/ctl/next?v=' + V)).json(); } catch { await new Promise((r) => setTimeout(r, 200)); continue; }
    if (job.stop) break;
    const result = await run(job);
    await fetch('/ctl/done?v=' + V, { method: 'POST', body: JSON.stringify(result) });
  }
  document.title = 'done';
})();
`;

function pageHtml(apiOrigin) {
  return `<!doctype html><html data-api="${apiOrigin}"><head><meta charset="utf-8"><title>CORS Lens bench</title></head>` +
    `<body><p>CORS Lens capture benchmark</p><script>${PAGE_SCRIPT}</script></body></html>`;
}

/** @param {http.Server} server @returns {Promise<number>} */
function listen(server) {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve(/** @type {import('node:net').AddressInfo} */ (server.address()).port));
  });
}

/**
 * @returns {Promise<{pageOrigin: string, apiOrigin: string, pageUrl: (variant: string) => string,
 *   waitReady: (variant: string, timeoutMs: number) => Promise<void>,
 *   runJob: (variant: string, job: object, timeoutMs: number, onStart?: () => void) => Promise<{wallMs: number, ok: number, failed: number}>,
 *   stop: (variant: string) => void, counts: {api: number}, close: () => Promise<void>}>}
 */
export async function startBenchServer() {
  /** Per variant: the pending long-poll response, and the resolver of the running job. */
  const polls = new Map();
  const ready = new Map();
  const readyWaiters = new Map();
  const doneWaiters = new Map();
  const pollWaiters = new Map();
  /** Resolves when the page of `variant` is waiting for a job. */
  const waitPoll = (variant, timeoutMs) =>
    polls.has(variant)
      ? Promise.resolve()
      : new Promise((resolve, reject) => {
          const t = setTimeout(() => reject(new Error(`bench page for ${variant} not polling within ${timeoutMs} ms`)), timeoutMs);
          pollWaiters.set(variant, () => {
            pollWaiters.delete(variant);
            clearTimeout(t);
            resolve();
          });
        });
  const counts = { api: 0 };
  let apiOrigin = '';

  const page = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    const v = url.searchParams.get('v') ?? '';
    if (url.pathname === '/bench.html') {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
      res.end(pageHtml(apiOrigin));
    } else if (url.pathname === '/ctl/next') {
      polls.set(v, res);
      ready.set(v, true);
      readyWaiters.get(v)?.();
      pollWaiters.get(v)?.();
    } else if (url.pathname === '/ctl/done' && req.method === 'POST') {
      let body = '';
      req.on('data', (c) => (body += c));
      req.on('end', () => {
        res.writeHead(204).end();
        const w = doneWaiters.get(v);
        doneWaiters.delete(v);
        w?.(JSON.parse(body));
      });
    } else {
      res.writeHead(404, { 'cache-control': 'no-store' }).end();
    }
  });

  const api = http.createServer((req, res) => {
    counts.api++;
    const fail = (req.url ?? '').includes('fail=1');
    const origin = req.headers.origin ?? '*';
    if (req.method === 'OPTIONS') {
      res.writeHead(204, {
        'access-control-allow-origin': origin,
        'access-control-allow-methods': fail ? 'GET, POST' : 'GET, PUT',
        'access-control-allow-headers': 'x-bench, content-type',
        vary: 'Origin',
      });
      res.end();
      return;
    }
    // Drain any request body before answering (keep-alive stays usable).
    req.resume();
    req.on('end', () => {
      /** @type {Record<string, string>} */
      const headers = { 'content-type': 'text/plain', 'cache-control': 'no-store', vary: 'Origin' };
      if (!fail) headers['access-control-allow-origin'] = origin;
      res.writeHead(200, headers);
      res.end('ok');
    });
  });
  api.keepAliveTimeout = 120_000;
  page.keepAliveTimeout = 120_000;
  // Long-polls may wait minutes for their turn.
  page.requestTimeout = 0;
  page.headersTimeout = 0;

  const pagePort = await listen(page);
  const apiPort = await listen(api);
  const pageOrigin = `http://127.0.0.1:${pagePort}`;
  apiOrigin = `http://127.0.0.1:${apiPort}`;

  return {
    pageOrigin,
    apiOrigin,
    counts,
    pageUrl: (variant) => `${pageOrigin}/bench.html?v=${encodeURIComponent(variant)}`,
    waitReady(variant, timeoutMs) {
      if (ready.get(variant)) return Promise.resolve();
      return new Promise((resolve, reject) => {
        const t = setTimeout(() => reject(new Error(`bench page for ${variant} did not load within ${timeoutMs} ms`)), timeoutMs);
        readyWaiters.set(variant, () => {
          clearTimeout(t);
          resolve();
        });
      });
    },
    async runJob(variant, job, timeoutMs, onStart) {
      await waitPoll(variant, timeoutMs);
      const res = polls.get(variant);
      polls.delete(variant);
      return new Promise((resolve, reject) => {
        const t = setTimeout(() => {
          doneWaiters.delete(variant);
          reject(new Error(`${variant}: job ${JSON.stringify(job)} not done within ${timeoutMs} ms`));
        }, timeoutMs);
        doneWaiters.set(variant, (r) => {
          clearTimeout(t);
          resolve(r);
        });
        onStart?.();
        res.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'no-store' });
        res.end(JSON.stringify(job));
      });
    },
    stop(variant) {
      const res = polls.get(variant);
      polls.delete(variant);
      res?.writeHead(200, { 'content-type': 'application/json' }).end('{"stop":true}');
    },
    async close() {
      for (const res of polls.values()) res.destroy();
      polls.clear();
      page.closeAllConnections();
      api.closeAllConnections();
      await Promise.all([new Promise((r) => page.close(r)), new Promise((r) => api.close(r))]);
    },
  };
}
