/**
 * The playground server itself: the catalogue is well-formed and the server answers exactly what a
 * scenario scripts (order and duplicates of header lines, redirects, dropped connections, and the
 * lower-case methods Node's parser would otherwise reject).
 */
import http from 'node:http';
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadScenarios, startPlayground, type Playground } from '../playground/server.mjs';

const scenarios = loadScenarios();

describe('scenario catalogue', () => {
  it('has at least 120 scenarios with unique kebab-case ids', () => {
    expect(scenarios.length).toBeGreaterThanOrEqual(120);
    const ids = scenarios.map((s) => s.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const id of ids) expect(id).toMatch(/^[a-z0-9]+(-[a-z0-9]+)*$/);
  });

  it.each(scenarios.map((s) => [s.id, s] as const))('%s is complete', (_id, s) => {
    expect(['page', 'api', 'apiLocalhost', 'third']).toContain(s.request.target);
    expect(['omit', 'same-origin', 'include']).toContain(s.request.credentials);
    for (const a of [s.preflight, s.response, s.hop2.preflight, s.hop2.response]) {
      expect(a.status).toBeGreaterThanOrEqual(100);
      for (const h of a.headers) expect(h).toEqual([expect.any(String), expect.any(String)]);
    }
    // A redirect must have somewhere to go: only hop2 exists below /s/<id>/<runId>/.
    if (s.response.redirectTo) expect(s.response.redirectTo.path).toBe('hop2');
  });
});

interface Reply {
  status: number;
  rawHeaders: string[];
  body: string;
}

function request(url: string, method: string, headers: Record<string, string>): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method, headers, agent: false }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, rawHeaders: res.rawHeaders, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

/** Sends bytes Node's own client would refuse to send (a lower-case method) and returns the raw answer. */
function rawRequest(port: number, text: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const s = net.connect(port, '127.0.0.1', () => s.write(text));
    let data = '';
    s.on('data', (c) => (data += c.toString('latin1')));
    s.on('close', () => resolve(data));
    s.on('error', reject);
  });
}

function pairsOf(raw: string[]): [string, string][] {
  const out: [string, string][] = [];
  for (let i = 0; i + 1 < raw.length; i += 2) out.push([raw[i]!, raw[i + 1]!]);
  return out;
}

describe('playground server', () => {
  let pg: Playground;
  beforeAll(async () => {
    pg = await startPlayground({ ports: { page: 0, api: 0, third: 0, warm: 0 } });
  });
  afterAll(async () => {
    await pg.close();
  });

  it('reports the origins it listens on, with localhost as a second spelling of the api', () => {
    expect(pg.pageOrigin).toBe(`http://127.0.0.1:${pg.ports.page}`);
    expect(pg.origins.api).toBe(`http://127.0.0.1:${pg.ports.api}`);
    expect(pg.origins.apiLocalhost).toBe(`http://localhost:${pg.ports.api}`);
    expect(pg.origins.third).toBe(`http://127.0.0.1:${pg.ports.third}`);
  });

  it('serves the page with the automation hook and no-store', async () => {
    const r = await request(`${pg.pageOrigin}/`, 'GET', {});
    expect(r.status).toBe(200);
    expect(r.body).toContain('/playground.js');
    expect(pairsOf(r.rawHeaders)).toContainEqual(['Cache-Control', 'no-store']);
  });

  it('keeps two ACAO lines as two lines and substitutes {origin}', async () => {
    pg.clearLog();
    const r = await request(`${pg.origins.api}/s/simple-get-acao-two-lines/t1/resource`, 'GET', { Origin: pg.pageOrigin });
    const acao = pairsOf(r.rawHeaders).filter(([n]) => n === 'Access-Control-Allow-Origin');
    expect(acao).toEqual([
      ['Access-Control-Allow-Origin', pg.pageOrigin],
      ['Access-Control-Allow-Origin', pg.pageOrigin],
    ]);
    expect(pg.log).toHaveLength(1);
    expect(pg.log[0]).toMatchObject({ origin: pg.origins.api, method: 'GET', url: '/s/simple-get-acao-two-lines/t1/resource', scenario: 'simple-get-acao-two-lines', runId: 't1' });
    expect(pg.log[0]!.headers).toContainEqual(['Origin', pg.pageOrigin]);
  });

  it('answers OPTIONS with the preflight answer and other methods with the response answer', async () => {
    const pre = await request(`${pg.origins.api}/s/pf-put-custom-header-pass/t1/resource`, 'OPTIONS', { Origin: pg.pageOrigin });
    expect(pre.status).toBe(204);
    expect(pairsOf(pre.rawHeaders)).toContainEqual(['Access-Control-Allow-Methods', 'PUT']);
    const put = await request(`${pg.origins.api}/s/pf-put-custom-header-pass/t1/resource`, 'PUT', { Origin: pg.pageOrigin });
    expect(put.status).toBe(200);
    expect(put.body).toBe('ok:pf-put-custom-header-pass');
  });

  it('redirects to the target origin’s hop2 of the same run, with userinfo when scripted', async () => {
    const r = await request(`${pg.origins.api}/s/redir-userinfo-cross-origin/t9/resource`, 'GET', { Origin: pg.pageOrigin });
    expect(r.status).toBe(302);
    const location = pairsOf(r.rawHeaders).find(([n]) => n === 'Location')?.[1];
    expect(location).toBe(`http://user:pass@127.0.0.1:${pg.ports.third}/s/redir-userinfo-cross-origin/t9/hop2`);
    const hop2 = await request(`${pg.origins.third}/s/redir-userinfo-cross-origin/t9/hop2`, 'GET', { Origin: 'null' });
    expect(pairsOf(hop2.rawHeaders)).toContainEqual(['Access-Control-Allow-Origin', '*']);
  });

  it('answers a lower-case patch itself instead of Node’s 400, and logs it as sent', async () => {
    pg.clearLog();
    const text = await rawRequest(pg.ports.api, `patch /s/pf-patch-lowercase-pass/t2/resource HTTP/1.1\r\nHost: x\r\nOrigin: ${pg.pageOrigin}\r\nContent-Length: 0\r\n\r\n`);
    expect(text.startsWith('HTTP/1.1 200 OK\r\n')).toBe(true);
    expect(text).toContain(`Access-Control-Allow-Origin: ${pg.pageOrigin}\r\n`);
    expect(pg.log.map((l) => l.method)).toEqual(['patch']);
  });

  it('drops the connection when a scenario says so', async () => {
    const text = await rawRequest(pg.ports.api, `OPTIONS /s/pf-preflight-connection-closed/t3/resource HTTP/1.1\r\nHost: x\r\nOrigin: ${pg.pageOrigin}\r\n\r\n`);
    expect(text).toBe('');
  });

  it('sets a per-scenario cookie for credentialed scenarios', async () => {
    const r = await request(`${pg.origins.api}/s/cred-include-pass/t4/set-cookie`, 'GET', {});
    expect(pairsOf(r.rawHeaders).find(([n]) => n === 'Set-Cookie')?.[1]).toMatch(/^cl_cred_include_pass=1; Path=\/; SameSite=Lax$/);
  });

  it('answers unknown scenarios with 404', async () => {
    const r = await request(`${pg.origins.api}/s/no-such-scenario/t5/resource`, 'GET', {});
    expect(r.status).toBe(404);
  });
});
