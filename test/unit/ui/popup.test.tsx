// @vitest-environment happy-dom
import { afterEach, describe, expect, it } from 'vitest';
import { cleanup, fireEvent, render, screen, waitFor } from '@testing-library/preact';
import { Popup } from '../../../src/popup/Popup.tsx';
import type { PopupTransport } from '../../../src/popup/transport.ts';
import { DEFAULT_SETTINGS, type Reply, type Request, type Result, type TabSummary } from '../../../src/shared/messages.ts';
import { counters } from './fixtures.ts';

afterEach(cleanup);

const summary: TabSummary = {
  tabId: 3,
  url: 'http://app.test/dashboard',
  counters: counters({ crossOrigin: 5000, passed: 4990, failed: 10, preflights: 1200, cacheHits: 800 }),
  topFailures: [
    { endpoint: 'PUT http://api.test/items', error: 'HeaderDisallowedByPreflightResponse', message: 'The preflight did not allow the x-token header.', count: 7 },
    { endpoint: 'GET http://api.test/<script>', error: 'MissingAllowOriginHeader', message: 'No Access-Control-Allow-Origin header.', count: 3 },
  ],
};

function fake(replies: Partial<Record<Request['type'], Result<unknown>>>) {
  const requests: Request[] = [];
  const transport: PopupTransport = {
    async request<R extends Request>(req: R) {
      requests.push(req);
      return (replies[req.type] ?? { ok: false, error: 'no reply' }) as Result<Reply<R>>;
    },
  };
  return { transport, requests };
}

describe('popup', () => {
  it('shows the tab’s counts and top failing endpoints in words', async () => {
    const { transport, requests } = fake({ summary: { ok: true, value: summary } });
    render(<Popup transport={transport} tabId={3} download={() => {}} />);
    await screen.findByText('5000');
    expect(requests[0]).toEqual({ type: 'summary', tabId: 3 });
    const counts = screen.getByLabelText('Counts');
    expect(counts.textContent).toBe('Cross-origin calls5000Passed4990Failed10Preflights1200Cache hits800');
    expect(screen.getByText('PUT http://api.test/items')).toBeTruthy();
    expect(screen.getByText('The preflight did not allow the x-token header.')).toBeTruthy();
    expect(screen.getByText('×7')).toBeTruthy();
    // Endpoint text from the network is text, not markup.
    expect(screen.getByText('GET http://api.test/<script>')).toBeTruthy();
    expect(screen.getByText(/Open DevTools → CORS tab/)).toBeTruthy();
  });

  it('lists at most three failing endpoints and points to the panel for the rest', async () => {
    const many = { ...summary, topFailures: [1, 2, 3, 4, 5].map((i) => ({ endpoint: `GET http://api.test/e${i}`, error: 'MissingAllowOriginHeader', message: `m${i}`, count: 10 - i })) };
    const { transport } = fake({ summary: { ok: true, value: many } });
    render(<Popup transport={transport} tabId={3} download={() => {}} />);
    await screen.findByText('GET http://api.test/e1');
    expect(document.querySelectorAll('.p-fails li')).toHaveLength(3);
    expect(screen.queryByText('GET http://api.test/e4')).toBeNull();
    expect(screen.getByText('More failing endpoints in the DevTools panel.')).toBeTruthy();
  });

  it('Export HAR downloads the background’s annotated HAR under its filename', async () => {
    const { transport, requests } = fake({ summary: { ok: true, value: summary }, export: { ok: true, value: { har: '{"log":{"entries":[]}}', filename: 'cors-lens-app.test.har', count: 0 } } });
    const saved: [string, string][] = [];
    render(<Popup transport={transport} tabId={3} download={(t, f) => saved.push([t, f])} />);
    fireEvent.click(await screen.findByRole('button', { name: 'Export HAR' }));
    await waitFor(() => expect(saved).toEqual([['{"log":{"entries":[]}}', 'cors-lens-app.test.har']]));
    // Redacted unless the user opted in: the default is sent explicitly.
    expect(requests).toContainEqual({ type: 'export', tabId: 3, includeSecrets: false });
  });

  it('clear asks the background and refreshes the summary', async () => {
    const { transport, requests } = fake({ summary: { ok: true, value: summary }, clear: { ok: true, value: { cleared: 42 } } });
    render(<Popup transport={transport} tabId={3} download={() => {}} />);
    fireEvent.click(await screen.findByRole('button', { name: 'Clear this tab' }));
    await screen.findByText('Cleared 42 entries.');
    expect(requests.map((r) => r.type).filter((t) => t !== 'get-settings')).toEqual(['summary', 'clear', 'summary']);
  });

  it('an error reply is shown, not thrown', async () => {
    const { transport } = fake({ summary: { ok: false, error: 'no capture for tab 3' } });
    render(<Popup transport={transport} tabId={3} download={() => {}} />);
    expect((await screen.findByRole('alert')).textContent).toBe('no capture for tab 3');
  });
});

describe('popup: export privacy opt-in', () => {
  const label = 'Include cookies and Authorization in exports';
  const exported = { ok: true, value: { har: '{}', filename: 'x.har', count: 0 } } as const;

  it.each([
    ['the background has no setting to give', false, undefined],
    ['the stored setting is off', false, { ok: true, value: { ...DEFAULT_SETTINGS, exportSecrets: false } }],
    ['the stored setting is on', true, { ok: true, value: { ...DEFAULT_SETTINGS, exportSecrets: true } }],
  ] as const)('when %s the checkbox is checked=%s and Export sends that choice', async (_why, on, settings) => {
    const { transport, requests } = fake({ summary: { ok: true, value: summary }, 'get-settings': settings, export: exported });
    render(<Popup transport={transport} tabId={3} download={() => {}} />);
    await screen.findByText('5000');
    const box = screen.getByLabelText(label) as HTMLInputElement;
    await waitFor(() => expect(box.checked).toBe(on));
    fireEvent.click(screen.getByRole('button', { name: 'Export HAR' }));
    await waitFor(() => expect(requests).toContainEqual({ type: 'export', tabId: 3, includeSecrets: on }));
  });

  it('has a hint that names the redacted headers', async () => {
    const { transport } = fake({ summary: { ok: true, value: summary } });
    render(<Popup transport={transport} tabId={3} download={() => {}} />);
    const box = await screen.findByLabelText(label);
    const hint = document.getElementById(box.getAttribute('aria-describedby')!)!;
    expect(hint.textContent).toMatch(/Cookie, Set-Cookie, Authorization and Proxy-Authorization values are redacted/);
  });

  it('ticking it stores the setting and the next export includes secrets; unticking reverts', async () => {
    const stored = { ok: true, value: { ...DEFAULT_SETTINGS, exportSecrets: true } } as const;
    const { transport, requests } = fake({ summary: { ok: true, value: summary }, 'set-settings': stored, export: exported });
    render(<Popup transport={transport} tabId={3} download={() => {}} />);
    await screen.findByText('5000');
    const box = screen.getByLabelText(label) as HTMLInputElement;
    expect(box.checked).toBe(false);
    fireEvent.click(box);
    expect(box.checked).toBe(true);
    await waitFor(() => expect(requests).toContainEqual({ type: 'set-settings', settings: { exportSecrets: true } }));
    fireEvent.click(screen.getByRole('button', { name: 'Export HAR' }));
    await waitFor(() => expect(requests).toContainEqual({ type: 'export', tabId: 3, includeSecrets: true }));
    fireEvent.click(box);
    await waitFor(() => expect(requests).toContainEqual({ type: 'set-settings', settings: { exportSecrets: false } }));
    expect(box.checked).toBe(false);
  });

  it('a setting the background refused to save is reported', async () => {
    const { transport } = fake({ summary: { ok: true, value: summary }, 'set-settings': { ok: false, error: 'storage full' } });
    render(<Popup transport={transport} tabId={3} download={() => {}} />);
    fireEvent.click(await screen.findByLabelText(label));
    await screen.findByText('Could not save the setting: storage full');
  });
});
