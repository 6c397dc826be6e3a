/**
 * The detail view of one exchange. Every string that came from the network (URLs, header names
 * and values, even the engine's sentences, which quote header values) is rendered as a text node:
 * Preact escapes text children, and nothing here uses dangerouslySetInnerHTML.
 */
import { useMemo, useState } from 'preact/hooks';
import type { AnalyzedEntry, PreflightTrigger } from '../../../core/annotation.ts';
import { firstHop, headerGet, type BrowserProfile } from '../../../core/model.ts';
import { buildEvidence, buildSequence, exchangeOf } from '../lib/sequence.ts';
import { avoidablePreflights, expiresAt } from '../lib/cache.ts';
import { KIND_LABEL } from '../lib/format.ts';
import { toCurl } from '../lib/curl.ts';
import { copyText } from '../lib/dom.ts';
import { fixInputFor, generateFixes } from '../fixes.ts';
import type { PanelEngine } from '../types.ts';
import { VerdictBadge } from './Badge.tsx';
import { SequenceDiagram } from './SequenceDiagram.tsx';
import { WhatIf } from './WhatIf.tsx';

interface Props {
  entry: AnalyzedEntry;
  entries: readonly AnalyzedEntry[];
  byId: ReadonlyMap<string, AnalyzedEntry>;
  engine: PanelEngine;
  browser: BrowserProfile;
  onClose: () => void;
}

function Section({ id, title, children }: { id: string; title: string; children: preact.ComponentChildren }) {
  return (
    <section class="d-section" aria-labelledby={`d-${id}`}>
      <h3 id={`d-${id}`}>{title}</h3>
      {children}
    </section>
  );
}

function triggerText(t: PreflightTrigger): string {
  switch (t.kind) {
    case 'method':
      return `method ${t.value} is not a CORS-safelisted method (only GET, HEAD and POST are)`;
    case 'header':
      return `request header ${t.value} is not CORS-safelisted`;
    case 'content-type':
      return `Content-Type ${t.value} is not one of application/x-www-form-urlencoded, multipart/form-data, text/plain`;
    default:
      return t.value;
  }
}

function CopyButton({ label, text }: { label: string; text: string }) {
  const [done, setDone] = useState<'' | 'Copied' | 'Copy failed'>('');
  return (
    <span class="copy">
      <button
        type="button"
        onClick={async () => {
          setDone((await copyText(text)) ? 'Copied' : 'Copy failed');
          setTimeout(() => setDone(''), 1500);
        }}
      >
        {label}
      </button>
      <span class="copy-status" role="status">
        {done}
      </span>
    </span>
  );
}

function FixTabs({ entry, pair }: { entry: AnalyzedEntry; pair: AnalyzedEntry | undefined }) {
  const fixes = useMemo(() => generateFixes(fixInputFor(entry, pair)), [entry, pair]);
  const [tab, setTab] = useState(0);
  const current = fixes[tab] ?? fixes[0]!;
  const onKey = (e: KeyboardEvent): void => {
    if (e.key === 'ArrowRight') setTab((tab + 1) % fixes.length);
    else if (e.key === 'ArrowLeft') setTab((tab - 1 + fixes.length) % fixes.length);
  };
  return (
    <div class="fix">
      <div role="tablist" aria-label="Server" class="tabs" onKeyDown={onKey}>
        {fixes.map((f, i) => (
          <button key={f.target} type="button" role="tab" id={`fix-tab-${f.target}`} aria-selected={i === tab} aria-controls="fix-panel" tabIndex={i === tab ? 0 : -1} class={i === tab ? 'tab tab-on' : 'tab'} onClick={() => setTab(i)}>
            {f.label}
          </button>
        ))}
      </div>
      <div role="tabpanel" id="fix-panel" aria-labelledby={`fix-tab-${current.target}`} class="fix-panel">
        <pre class="code" data-language={current.language}>
          {current.code}
        </pre>
        <CopyButton label={`Copy ${current.label} snippet`} text={current.code} />
      </div>
    </div>
  );
}

export function Detail({ entry, entries, byId, engine, browser, onClose }: Props) {
  const { request, preflight } = exchangeOf(entry, byId);
  const c = entry.cors;
  const main = request ?? entry;
  const steps = useMemo(() => buildSequence(request, preflight), [request, preflight]);
  const evidence = useMemo(() => buildEvidence(request, preflight), [request, preflight]);
  const hop = firstHop(entry.request);
  const pfCache = preflight?.cors.preflightCache && 'effectiveSeconds' in preflight.cors.preflightCache ? preflight.cors.preflightCache : null;
  const hit = main.cors.preflightCache && 'hit' in main.cors.preflightCache ? main.cors.preflightCache : null;
  const triggers = main.cors.preflightTriggers.length ? main.cors.preflightTriggers : (preflight?.cors.preflightTriggers ?? []);
  const pair = entry.cors.kind === 'preflight' ? request : preflight;

  return (
    <aside class="detail" aria-label="Exchange detail">
      <header class="d-head">
        <div class="d-title">
          <span class="c-method">{hop.method}</span> <span class="d-url">{hop.url}</span>
        </div>
        <button type="button" class="icon-btn" aria-label="Close detail" title="Close (Esc)" onClick={onClose}>
          ✕
        </button>
      </header>
      <div class="d-body">
        <div class={`verdict verdict-${c.verdict === 'n/a' ? 'na' : c.verdict}`}>
          <VerdictBadge verdict={c.verdict} />
          <span class="kind-tag">{KIND_LABEL[c.kind]}</span>
          <p class="verdict-msg">{c.message}</p>
          {(c.error || c.firefoxReason) && (
            <dl class="codes">
              {c.error && (
                <>
                  <dt>Chromium</dt>
                  <dd>
                    <code>{c.error}</code>
                    {c.failedParameter !== null && c.failedParameter !== '' && (
                      <>
                        {' '}
                        (failed parameter <code>{c.failedParameter}</code>)
                      </>
                    )}
                  </dd>
                </>
              )}
              {c.firefoxReason && (
                <>
                  <dt>Firefox</dt>
                  <dd>
                    <code>{c.firefoxReason}</code>
                  </dd>
                </>
              )}
            </dl>
          )}
          {c.fix && (
            <p class="fix-line">
              <b>Fix: </b>
              {c.fix}
            </p>
          )}
        </div>

        <Section id="seq" title="Sequence">
          <SequenceDiagram steps={steps} serverOrigin={new URL(hop.url, 'http://invalid').origin} />
        </Section>

        {evidence.length > 0 && (
          <Section id="evidence" title="Evidence">
            <table class="evidence">
              <thead>
                <tr>
                  <th scope="col">Check</th>
                  <th scope="col">Expected</th>
                  <th scope="col">Received</th>
                </tr>
              </thead>
              <tbody>
                {evidence.map((r) => (
                  <tr key={r.check} class={r.failing ? 'ev-fail' : ''}>
                    <th scope="row">{r.check}</th>
                    <td>
                      <code>{r.expected}</code>
                    </td>
                    <td>
                      <code>{r.received}</code>
                      {r.failing && <span class="ev-flag"> ✗ decides the failure</span>}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </Section>
        )}

        {(triggers.length > 0 || main.cors.kind === 'preflighted' || preflight) && (
          <Section id="why" title="Why a preflight was needed">
            {triggers.length ? (
              <ul>
                {triggers.map((t, i) => (
                  <li key={i}>{triggerText(t)}</li>
                ))}
              </ul>
            ) : (
              <p>The reason was not recorded.</p>
            )}
          </Section>
        )}

        {(pfCache || hit) && (
          <Section id="cache" title="Preflight cache">
            {pfCache && preflight && (
              <dl class="kv">
                <dt>Access-Control-Max-Age</dt>
                <dd>{pfCache.maxAgeHeader ?? '(absent: browsers default to 5 s)'}</dd>
                <dt>Effective</dt>
                <dd>
                  {pfCache.effectiveSeconds} s (browser cap {pfCache.browserCapSeconds} s)
                  {pfCache.effectiveSeconds === 0 && preflight.cors.verdict === 'fail' ? ': a failed preflight is not cached' : ''}
                </dd>
                <dt>Expires</dt>
                <dd>{(() => {
                  const t = expiresAt(preflight, pfCache.effectiveSeconds);
                  return t === null ? 'not cached' : new Date(t).toLocaleTimeString();
                })()}</dd>
                <dt>Avoidable</dt>
                <dd>{(() => {
                  const n = avoidablePreflights(preflight, entries, pfCache.browserCapSeconds);
                  return n === 0 ? 'no repeated preflight in this capture' : `${n} later identical preflight${n === 1 ? '' : 's'} within ${pfCache.browserCapSeconds} s: Access-Control-Max-Age: ${pfCache.browserCapSeconds} would have saved ${n === 1 ? 'it' : 'them'}`;
                })()}</dd>
              </dl>
            )}
            {hit && <p>Served from the preflight cache{hit.preflightId ? ' (the earlier preflight is in this capture)' : ''}: no OPTIONS was sent.</p>}
          </Section>
        )}

        <Section id="creds" title="Credentials and exposed headers">
          <dl class="kv">
            <dt>Credentials</dt>
            <dd>
              {main.cors.credentials}
              {main.cors.credentialsInferred ? ' (inferred: webRequest does not report the credentials mode)' : ''}
            </dd>
            <dt>Script can read</dt>
            <dd>{main.cors.exposedHeaders === null ? 'nothing: the response did not reach the page' : main.cors.exposedHeaders.length ? main.cors.exposedHeaders.join(', ') : 'no response headers'}</dd>
          </dl>
        </Section>

        {main.request.hops.length > 1 && (
          <Section id="redirects" title="Redirect chain">
            <table class="evidence">
              <thead>
                <tr>
                  <th scope="col">#</th>
                  <th scope="col">URL</th>
                  <th scope="col">Status</th>
                  <th scope="col">Origin sent</th>
                </tr>
              </thead>
              <tbody>
                {main.request.hops.map((h, i) => (
                  <tr key={i}>
                    <td>{i + 1}</td>
                    <td>
                      <code>{h.url}</code>
                    </td>
                    <td>{h.status || '—'}</td>
                    <td>
                      <code>{headerGet(h.requestHeaders, 'origin') ?? '(not sent)'}</code>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </Section>
        )}

        {(c.warnings.length > 0 || (pair && pair.cors.warnings.length > 0)) && (
          <Section id="warnings" title="Warnings">
            <ul class="warnings">
              {[...c.warnings, ...(pair?.cors.warnings ?? [])].map((w, i) => (
                <li key={i}>
                  <code>{w.code}</code> {w.message}
                </li>
              ))}
            </ul>
          </Section>
        )}

        {c.kind !== 'not-cors' && (
          <Section id="fix" title="Fix on the server">
            <FixTabs entry={entry} pair={pair} />
          </Section>
        )}

        {c.kind !== 'not-cors' && (
          <Section id="whatif" title="What if the server answered…">
            <WhatIf key={entry.cors.id} request={request} preflight={preflight} engine={engine} browser={browser} />
          </Section>
        )}

        <Section id="curl" title="Copy as cURL">
          <div class="curl">
            {preflight && <CopyButton label="Copy preflight as cURL" text={toCurl(firstHop(preflight.request))} />}
            {request && <CopyButton label="Copy request as cURL" text={toCurl(firstHop(request.request))} />}
          </div>
          <details>
            <summary>Show commands</summary>
            <pre class="code">{[preflight && toCurl(firstHop(preflight.request)), request && toCurl(firstHop(request.request))].filter(Boolean).join('\n\n')}</pre>
          </details>
        </Section>
      </div>
    </aside>
  );
}
