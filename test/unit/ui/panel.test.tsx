// @vitest-environment happy-dom
import { afterEach, describe, expect, it, vi } from 'vitest';
import { cleanup, fireEvent, render, screen, within, act } from '@testing-library/preact';
import { App } from '../../../src/devtools/panel/components/App.tsx';
import { createPanelStore } from '../../../src/devtools/panel/store.ts';
import { DEFAULT_SETTINGS } from '../../../src/shared/messages.ts';
import { APP, API, counters, entry, FakeTransport, fakeEngine, h, hop, mismatch, preflightFail, simplePass, snapshot } from './fixtures.ts';

afterEach(cleanup);

function setup(entries = [simplePass(), mismatch(), ...preflightFail()]) {
  const transport = new FakeTransport();
  const timers: (() => void)[] = [];
  const store = createPanelStore({ transport, engine: fakeEngine, browser: 'chromium', schedule: (fn) => timers.push(fn) });
  store.start(7);
  render(<App store={store} engine={fakeEngine} theme="light" />);
  act(() => transport.push(snapshot(entries, { crossOrigin: 3, passed: 1, failed: 2, preflights: 1 })));
  return { transport, store, timers };
}

const grid = () => screen.getByRole('grid', { name: 'Cross-origin requests' });
const dataRows = () => within(grid()).getAllByRole('row').slice(1);

describe('panel list', () => {
  it('renders one row per exchange with method, path, origin, verdict and error code', () => {
    setup();
    const rows = dataRows();
    expect(rows).toHaveLength(4);
    const m = rows.find((r) => r.textContent!.includes('/slash?x=1'))!;
    expect(m.textContent).toContain('GET');
    expect(m.textContent).toContain(API);
    expect(m.textContent).toContain('app.test → api.test');
    expect(m.textContent).toContain('fail');
    expect(m.textContent).toContain('AllowOriginMismatch');
  });

  it('a redirected request is one row: the URL asked for, marked as redirected, the chain in its title', () => {
    const redirected = entry('rd1', [
      hop({ url: `${API}/moved`, status: 302, redirectURL: 'http://cdn.test/final', requestHeaders: h({ Origin: APP }), responseHeaders: h({ Location: 'http://cdn.test/final', 'Access-Control-Allow-Origin': APP }) }),
      hop({ url: 'http://cdn.test/final', requestHeaders: h({ Origin: 'null' }), responseHeaders: h({ 'Access-Control-Allow-Origin': 'null' }) }),
    ]);
    setup([redirected]);
    const [row] = dataRows();
    const url = row!.querySelector('.c-url')!;
    expect(url.textContent).toBe(`/moved ↪ redirect ${API}`);
    expect(url.getAttribute('title')).toBe(`${API}/moved\n→ http://cdn.test/final`);
  });

  it('shows the live counters', () => {
    setup();
    const c = screen.getByRole('status', { name: 'Counters' });
    expect(c.textContent).toMatch(/3 cross-origin.*2 failed.*1 preflights.*0 cache hits/);
  });

  it('streams new entries in and replaces re-judged ones by id', () => {
    const { transport } = setup([simplePass()]);
    act(() => transport.push({ type: 'entries', tabId: 7, entries: [mismatch()], counters: counters({ crossOrigin: 2 }) }));
    expect(dataRows()).toHaveLength(2);
    const rejudged = { ...mismatch(), cors: { ...mismatch().cors, verdict: 'pass' as const, error: null } };
    act(() => transport.push({ type: 'entries', tabId: 7, entries: [rejudged], counters: counters({ crossOrigin: 2 }) }));
    expect(dataRows()).toHaveLength(2);
    expect(screen.queryByText('AllowOriginMismatch')).toBeNull();
  });

  it.each([
    ['Failed only', 3],
    ['Preflighted only', 2],
  ])('filter "%s" leaves %i rows', (label, n) => {
    setup();
    fireEvent.click(screen.getByLabelText(label));
    expect(dataRows()).toHaveLength(n);
  });

  it('fills the origin filter once the page is idle, after the rows, and filters by it', async () => {
    const other = entry('o1', [hop({ url: 'http://cdn.test/lib.js', requestHeaders: h({ Origin: APP }), responseHeaders: h({ 'Access-Control-Allow-Origin': APP }) })]);
    setup([simplePass(), mismatch(), other]);
    const select = screen.getByLabelText('Filter by target origin');
    const options = () => [...select.querySelectorAll('option')].map((o) => o.value);
    // The rows are there at once; the options are computed when the page is next idle.
    expect(dataRows()).toHaveLength(3);
    expect(options()).toEqual(['']);
    await act(() => new Promise((r) => setTimeout(r, 50)));
    expect(options()).toEqual(['', API, 'http://cdn.test']);
    fireEvent.change(select, { target: { value: 'http://cdn.test' } });
    expect(dataRows()).toHaveLength(1);
  });

  it('free-text filter matches the URL', () => {
    setup();
    fireEvent.input(screen.getByLabelText('Filter by text'), { target: { value: 'slash' } });
    expect(dataRows()).toHaveLength(1);
  });

  it('keyboard: arrows move, Enter opens the detail, Esc closes it', () => {
    setup();
    const g = grid();
    fireEvent.keyDown(g, { key: 'ArrowDown' });
    fireEvent.keyDown(g, { key: 'ArrowDown' });
    expect(dataRows()[1]!.getAttribute('aria-selected')).toBe('true');
    expect(screen.queryByRole('complementary', { name: 'Exchange detail' })).toBeNull();
    fireEvent.keyDown(g, { key: 'Enter' });
    const detail = screen.getByRole('complementary', { name: 'Exchange detail' });
    expect(detail.textContent).toContain('/slash?x=1');
    fireEvent.keyDown(g, { key: 'Escape' });
    expect(screen.queryByRole('complementary', { name: 'Exchange detail' })).toBeNull();
  });

  it('clear sends "clear" to the background and empties the list', () => {
    const { transport } = setup();
    fireEvent.click(screen.getByRole('button', { name: 'Clear' }));
    expect(transport.sent).toContainEqual({ type: 'clear' });
    expect(dataRows()).toHaveLength(0);
  });

  it('preserve log is sent as a setting', () => {
    const { transport } = setup();
    fireEvent.click(screen.getByLabelText('Preserve log'));
    expect(transport.sent).toContainEqual({ type: 'set-settings', settings: { preserveLog: true } });
  });

  it('reconnects when the background drops the port, and takes the new snapshot', () => {
    const { transport, timers } = setup();
    act(() => transport.drop());
    expect(screen.getByText('Reconnecting to the background…')).toBeTruthy();
    act(() => timers.shift()!());
    expect(transport.connects).toEqual([7, 7]);
    act(() => transport.push(snapshot([simplePass()])));
    expect(dataRows()).toHaveLength(1);
    expect(screen.queryByText('Reconnecting to the background…')).toBeNull();
  });
});

describe('detail view', () => {
  function openRow(text: string) {
    fireEvent.click(dataRows().find((r) => r.textContent!.includes(text))!);
    return screen.getByRole('complementary', { name: 'Exchange detail' });
  }

  it('states the verdict with Chromium code and Firefox reason', () => {
    setup();
    const d = openRow('/slash');
    expect(d.textContent).toContain(`has a value '${APP}/' that is not equal to the supplied origin`);
    expect(d.querySelector('.codes dt')!.nextElementSibling!.textContent).toBe(`AllowOriginMismatch (failed parameter ${APP}/)`);
    expect(d.querySelectorAll('.codes dt')[1]!.nextElementSibling!.textContent).toBe('CORSAllowOriginNotMatchingOrigin');
  });

  it('draws the preflight failure in the sequence diagram and says the request was never sent', () => {
    setup();
    const d = openRow('PUT');
    const seq = within(d).getByRole('list', { name: /Sequence of messages/ });
    const steps = within(seq).getAllByRole('listitem');
    expect(steps[0]!.textContent).toContain('OPTIONS /items (preflight)');
    expect(steps[0]!.textContent).toContain('Access-Control-Request-Headers: content-type,x-token');
    expect(steps[1]!.className).toContain('seq-broken');
    expect(steps[1]!.textContent).toContain('failing: Access-Control-Allow-Headers');
    expect(steps[2]!.textContent).toContain('never sent');
  });

  it('explains why the preflight was needed', () => {
    setup();
    const d = openRow('PUT');
    const why = within(d).getByRole('region', { name: 'Why a preflight was needed' });
    expect(why.textContent).toContain('method PUT is not a CORS-safelisted method');
    expect(why.textContent).toContain('request header x-token is not CORS-safelisted');
  });

  it('fix tabs switch between servers and use the exchange’s values', () => {
    setup();
    const d = openRow('PUT');
    expect(within(d).getByRole('tabpanel').textContent).toContain("allowedHeaders: ['content-type', 'x-token']");
    fireEvent.click(within(d).getByRole('tab', { name: 'nginx' }));
    expect(within(d).getByRole('tab', { name: 'nginx' }).getAttribute('aria-selected')).toBe('true');
    expect(within(d).getByRole('tabpanel').textContent).toContain('add_header Access-Control-Allow-Headers "content-type, x-token" always;');
  });

  it('what-if: fixing the header in place flips the verdict, nothing is sent', () => {
    const { transport } = setup();
    const d = openRow('/slash');
    const result = within(d).getByRole('status', { name: 'What-if verdict' });
    expect(result.textContent).toContain('fail');
    const value = within(d).getByLabelText('Response: header 1 value') as HTMLInputElement;
    expect(value.value).toBe(`${APP}/`);
    fireEvent.input(value, { target: { value: APP } });
    expect(result.textContent).toContain('pass');
    expect(result.textContent).toContain('What-if: allowed.');
    expect(transport.requests).toEqual([]);
  });

  it('renders hostile header values as text, never as markup', () => {
    const evil = '<img src=x onerror="globalThis.__pwned=1">';
    const e = entry('evil', [hop({ url: `${API}/evil`, requestHeaders: h({ Origin: APP }), responseHeaders: h({ 'Access-Control-Allow-Origin': evil }) })], { verdict: 'fail', error: 'InvalidAllowOriginValue', message: `bad value ${evil}` });
    setup([e]);
    const d = openRow('/evil');
    expect(d.querySelector('img')).toBeNull();
    expect(d.textContent).toContain(evil);
  });
});

describe('import HAR', () => {
  it('a bad file shows an error banner and keeps the live rows', async () => {
    setup();
    const input = screen.getByLabelText('Import HAR file') as HTMLInputElement;
    const file = new File(['{"nope": true}'], 'broken.har', { type: 'application/json' });
    Object.defineProperty(input, 'files', { value: [file], configurable: true });
    await act(async () => {
      fireEvent.change(input);
      await new Promise((r) => setTimeout(r, 10));
    });
    expect(screen.getByRole('alert').textContent).toContain('Could not import broken.har: log: missing (not a HAR file)');
    expect(dataRows()).toHaveLength(4);
  });

  it('a good file is judged by the engine and shown, with a way back to live', async () => {
    setup();
    const har = JSON.stringify({ requests: [mismatch().request] });
    await act(async () => {
      const drop = new Event('drop', { bubbles: true }) as DragEvent;
      Object.defineProperty(drop, 'dataTransfer', { value: { files: [new File([har], 'good.har')], types: ['Files'] } });
      document.querySelector('.app')!.dispatchEvent(drop);
      await new Promise((r) => setTimeout(r, 10));
    });
    expect(screen.getByText('good.har')).toBeTruthy();
    expect(dataRows()).toHaveLength(1);
    fireEvent.click(screen.getByRole('button', { name: 'Back to live capture' }));
    expect(dataRows()).toHaveLength(4);
  });
});

describe('export HAR', () => {
  it('asks the background for the tab’s HAR and downloads it through an <a download>', async () => {
    const { transport } = setup();
    transport.replies.export = { ok: true, value: { har: '{"log":{}}', filename: 'cors-lens.har', count: 4 } };
    const created: string[] = [];
    URL.createObjectURL = vi.fn(() => 'blob:x');
    const click = vi.spyOn(HTMLAnchorElement.prototype, 'click').mockImplementation(function (this: HTMLAnchorElement) {
      created.push(this.download);
    });
    await act(async () => {
      fireEvent.click(screen.getByRole('button', { name: 'Export HAR' }));
      await new Promise((r) => setTimeout(r, 0));
    });
    expect(transport.requests).toContainEqual({ type: 'export', tabId: 7, includeSecrets: false });
    expect(created).toEqual(['cors-lens.har']);
    click.mockRestore();
  });

  it('an export error becomes a banner', async () => {
    const { transport } = setup();
    transport.replies.export = { ok: false, error: 'tab 7 has no capture' };
    await act(async () => {
      fireEvent.click(screen.getByRole('button', { name: 'Export HAR' }));
      await new Promise((r) => setTimeout(r, 0));
    });
    expect(screen.getByRole('alert').firstElementChild!.textContent).toBe('Export failed: tab 7 has no capture');
  });
});

describe('export privacy opt-in', () => {
  const label = 'Include cookies and Authorization in exports';
  const openSettings = () => fireEvent.click(screen.getByRole('button', { name: 'Export settings' }));

  it('sits behind the Export settings button, off by default, with a hint naming the redacted headers', () => {
    setup();
    expect(screen.queryByLabelText(label)).toBeNull();
    const gear = screen.getByRole('button', { name: 'Export settings' });
    expect(gear.getAttribute('aria-expanded')).toBe('false');
    openSettings();
    expect(gear.getAttribute('aria-expanded')).toBe('true');
    const box = screen.getByLabelText(label) as HTMLInputElement;
    expect(box.checked).toBe(false);
    const hint = document.getElementById(box.getAttribute('aria-describedby')!)!;
    expect(hint.textContent).toMatch(/Cookie, Set-Cookie, Authorization and Proxy-Authorization values are replaced/);
    expect(screen.queryByText('with secrets')).toBeNull();
  });

  it('ticking it sends the setting over the port, marks Export, and the export asks for secrets', async () => {
    const { transport } = setup();
    transport.replies.export = { ok: true, value: { har: '{}', filename: 'x.har', count: 0 } };
    URL.createObjectURL = vi.fn(() => 'blob:x');
    const click = vi.spyOn(HTMLAnchorElement.prototype, 'click').mockImplementation(() => {});
    openSettings();
    fireEvent.click(screen.getByLabelText(label));
    expect(transport.sent).toContainEqual({ type: 'set-settings', settings: { exportSecrets: true } });
    expect(screen.getByText('with secrets')).toBeTruthy();
    await act(async () => {
      fireEvent.click(screen.getByRole('button', { name: 'Export HAR' }));
      await new Promise((r) => setTimeout(r, 0));
    });
    expect(transport.requests).toContainEqual({ type: 'export', tabId: 7, includeSecrets: true });
    click.mockRestore();
  });

  it.each([
    ['the snapshot', (on: boolean) => ({ ...snapshot([simplePass()]), settings: { ...DEFAULT_SETTINGS, exportSecrets: on } })],
    ['a settings message (changed in the popup or another panel)', (on: boolean) => ({ type: 'settings' as const, settings: { ...DEFAULT_SETTINGS, exportSecrets: on } })],
  ])('follows the stored setting from %s', (_from, message) => {
    const { transport } = setup();
    openSettings();
    const box = screen.getByLabelText(label) as HTMLInputElement;
    act(() => transport.push(message(true)));
    expect(box.checked).toBe(true);
    act(() => transport.push(message(false)));
    expect(box.checked).toBe(false);
  });
});

describe('virtualisation', () => {
  it('renders only the rows in view for 10,000 exchanges', () => {
    const many = Array.from({ length: 10_000 }, (_, i) => simplePass(`e${i}`, 1_700_000_000_000 + i));
    setup(many);
    expect(grid().getAttribute('aria-rowcount')).toBe('10001');
    expect(dataRows().length).toBeLessThan(100);
  });
});
