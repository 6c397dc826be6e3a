/**
 * A tiny DevTools-protocol client (flat sessions over one WebSocket, the `ws` package) for the
 * measurements Playwright cannot make: Playwright opens CDP sessions on pages and frames only,
 * not on an extension's service worker.
 */
import net from 'node:net';
import WebSocket from 'ws';

/** A free loopback port (listen on 0, read it, close). */
export function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = /** @type {net.AddressInfo} */ (s.address()).port;
      s.close(() => resolve(port));
    });
  });
}

/** @param {number} port */
export async function connectCdp(port) {
  const version = await (await fetch(`http://127.0.0.1:${port}/json/version`)).json();
  const ws = new WebSocket(version.webSocketDebuggerUrl, { perMessageDeflate: false });
  await new Promise((resolve, reject) => {
    ws.once('open', resolve);
    ws.once('error', reject);
  });
  let next = 1;
  /** @type {Map<number, {resolve: (v: any) => void, reject: (e: Error) => void}>} */
  const pending = new Map();
  /** @type {Map<string, (params: any, sessionId?: string) => void>} */
  const listeners = new Map();
  ws.on('message', (data) => {
    const msg = JSON.parse(String(data));
    if (msg.method) listeners.get(msg.method)?.(msg.params, msg.sessionId);
    const p = msg.id !== undefined ? pending.get(msg.id) : undefined;
    if (!p) return;
    pending.delete(msg.id);
    if (msg.error) p.reject(new Error(`${msg.error.message} (${msg.error.code})`));
    else p.resolve(msg.result);
  });
  /** @param {string} method @param {object} [params] @param {string} [sessionId] @returns {Promise<any>} */
  const send = (method, params = {}, sessionId) =>
    new Promise((resolve, reject) => {
      const id = next++;
      pending.set(id, { resolve, reject });
      ws.send(JSON.stringify({ id, method, params, ...(sessionId ? { sessionId } : {}) }));
    });
  return {
    send,
    /** One listener per event method (enough here). @param {string} method @param {(params: any, sessionId?: string) => void} cb */
    on(method, cb) {
      listeners.set(method, cb);
    },
    /** Attaches (flat) to the first target matching `pred`; returns its session id. @param {(t: any) => boolean} pred */
    async attach(pred) {
      const { targetInfos } = await send('Target.getTargets');
      const t = targetInfos.find(pred);
      if (!t) throw new Error(`no such target among ${targetInfos.map((/** @type {any} */ x) => `${x.type} ${x.url}`).join(', ')}`);
      const { sessionId } = await send('Target.attachToTarget', { targetId: t.targetId, flatten: true });
      return /** @type {string} */ (sessionId);
    },
    close() {
      ws.close();
    },
  };
}
