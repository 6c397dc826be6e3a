/**
 * Stopping an extension's service worker over the DevTools Protocol, shared by the stress tests
 * that stop it again and again (worker-kills.test.ts, kill-floor.test.ts).
 *
 * `ServiceWorker.stopWorker` goes through a CDP session of one of the extension's pages, so
 * nothing stays attached to the worker as a debugger (which would keep it alive); the next
 * webRequest event wakes it.
 */
import type { CDPSession } from 'playwright-core';

/** A service-worker version as `ServiceWorker.workerVersionUpdated` reports it. */
export type Version = { versionId: string; scriptURL: string; runningStatus: string };

/**
 * Stops the worker whose script starts with `prefix` once, if it is running. Resolves true when
 * it reported `stopped` within 5 s (it may be woken again right after). `stoppedSeen` is filled
 * by the caller's `workerVersionUpdated` listener: a stopped worker restarts within
 * milliseconds, so its latest status alone would hide the stop.
 */
export async function killOnce(cdp: CDPSession, versions: Map<string, Version>, stoppedSeen: Set<string>, prefix: string): Promise<boolean> {
  const running = [...versions.values()].find((v) => v.scriptURL.startsWith(prefix) && v.runningStatus !== 'stopped');
  if (!running) return false;
  stoppedSeen.delete(running.versionId);
  await cdp.send('ServiceWorker.stopWorker', { versionId: running.versionId });
  const end = Date.now() + 5000;
  while (Date.now() < end) {
    if (stoppedSeen.has(running.versionId)) return true;
    await new Promise((r) => setTimeout(r, 20));
  }
  return false;
}
