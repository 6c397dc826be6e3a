/**
 * Loopback log collector for *test builds* of the extension (CORS_LENS_LOG_SINK): the background
 * POSTs what it saw here, because Firefox automation cannot reach the background page
 * (browser-facts §E). Release builds never contain the sink URL.
 */
import { createServer } from 'node:http';

export const DEFAULT_SINK_PORT = 18419;
export const SINK_PATH = '/__cors_lens_log';

/** @param {{port?: number}} [opts] */
export async function startCollector(opts = {}) {
  /** @type {any[]} */
  const records = [];
  /** @type {Set<() => void>} */
  const waiters = new Set();
  const server = createServer((req, res) => {
    if (req.method === 'POST' && req.url === SINK_PATH) {
      const chunks = [];
      req.on('data', (c) => chunks.push(c));
      req.on('end', () => {
        try {
          records.push(JSON.parse(Buffer.concat(chunks).toString('utf8')));
        } catch {
          records.push({ kind: 'malformed' });
        }
        res.writeHead(204, { 'access-control-allow-origin': '*' }).end();
        for (const w of waiters) w();
      });
      return;
    }
    res.writeHead(404).end();
  });
  // The test build bakes the sink URL in; the browser suite's global setup picks a free port per run
  // and says which through CORS_LENS_SINK_PORT, so two runs on one machine do not collide.
  const port = opts.port ?? Number(process.env.CORS_LENS_SINK_PORT || DEFAULT_SINK_PORT);
  await new Promise((ok, fail) => {
    server.once('error', fail);
    server.listen(port, '127.0.0.1', () => ok(undefined));
  });
  return {
    url: `http://127.0.0.1:${port}${SINK_PATH}`,
    records,
    /** Resolves with the matching records once `pred(records)` returns a non-empty array; rejects after timeoutMs. */
    waitFor(pred, timeoutMs = 15_000) {
      return new Promise((ok, fail) => {
        const check = () => {
          const hit = pred(records);
          if (hit && (!Array.isArray(hit) || hit.length > 0)) {
            cleanup();
            ok(hit);
          }
        };
        const timer = setTimeout(() => {
          cleanup();
          fail(new Error(`collector: condition not met within ${timeoutMs} ms (${records.length} records received)`));
        }, timeoutMs);
        const cleanup = () => {
          clearTimeout(timer);
          waiters.delete(check);
        };
        waiters.add(check);
        check();
      });
    },
    close: () => new Promise((ok) => server.close(() => ok(undefined))),
  };
}
