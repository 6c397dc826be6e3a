/**
 * CPU time of a process tree from /proc (Linux only): the sum of utime + stime of a root process
 * and all its descendants, in milliseconds. Used around each capture batch, so the figure covers
 * every browser process (renderers, extension worker, network service) without attaching any
 * debugger or profiler to the browser.
 */
import { readdirSync, readFileSync } from 'node:fs';

const TICK_MS = 10; // USER_HZ is 100 on Linux (getconf CLK_TCK); /proc/<pid>/stat counts in ticks.

/** @typedef {{pid: number, ppid: number, cpuMs: number, cmdline: string}} Proc */

/** @param {number} pid @returns {Proc | null} */
function readProc(pid) {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // comm (field 2) may contain spaces and parentheses: split after the last ')'.
    const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // rest[0] is field 3 (state): ppid = field 4, utime = 14, stime = 15.
    const ppid = Number(rest[1]);
    const cpuMs = (Number(rest[11]) + Number(rest[12])) * TICK_MS;
    let cmdline = '';
    try {
      cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ');
    } catch {
      // the process exited between the two reads
    }
    return { pid, ppid, cpuMs, cmdline };
  } catch {
    return null;
  }
}

/** Every live process that descends from `rootPid` (itself included). @returns {Proc[]} */
export function processTree(rootPid) {
  const all = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const p = readProc(Number(name));
    if (p) all.push(p);
  }
  const children = new Map();
  for (const p of all) {
    if (!children.has(p.ppid)) children.set(p.ppid, []);
    children.get(p.ppid).push(p);
  }
  const out = [];
  const root = all.find((p) => p.pid === rootPid);
  if (!root) return out;
  const stack = [root];
  while (stack.length > 0) {
    const p = stack.pop();
    out.push(p);
    for (const c of children.get(p.pid) ?? []) stack.push(c);
  }
  return out;
}

/**
 * One CPU sample of a browser: the whole tree, and the part a predicate picks out (the network
 * service in Chromium; Firefox's socket process if it runs one).
 * @param {number} rootPid
 * @param {(p: Proc) => boolean} isNetwork
 */
export function sampleCpu(rootPid, isNetwork) {
  const tree = processTree(rootPid);
  return { ...summarise(tree, isNetwork), threads: serviceWorkerThreads(tree) };
}

/** @param {Proc[]} tree @param {(p: Proc) => boolean} isNetwork */
function summarise(tree, isNetwork) {
  let total = 0;
  let network = 0;
  let networkSeen = false;
  for (const p of tree) {
    total += p.cpuMs;
    if (isNetwork(p)) {
      network += p.cpuMs;
      networkSeen = true;
    }
  }
  return { total, network: networkSeen ? network : null, processes: tree.length, byKind: byKind(tree) };
}

/**
 * Chromium's processes by role, from their command-line flags (Chromium writes a child's flags
 * into its process title, so a zygote-forked renderer shows `--type=renderer` too):
 *   browser    the root (no --type): UI thread, extension event routing, storage.session
 *   extension  a renderer with --extension-process (the extension's service worker runs there)
 *   renderer   every other renderer (the bench page)
 *   network    the network service (utility, network.mojom.NetworkService)
 *   gpu        the GPU process (headless still starts one)
 *   other      zygotes, other utility processes (storage service, audio, …)
 * @param {Proc} p
 */
export function chromiumKind(p) {
  const type = /--type=(\S+)/.exec(p.cmdline)?.[1];
  if (!type) return 'browser';
  if (type === 'renderer') return p.cmdline.includes('--extension-process') ? 'extension' : 'renderer';
  if (type === 'utility' && isChromiumNetworkService(p)) return 'network';
  if (type === 'gpu-process') return 'gpu';
  return 'other';
}
export const CHROMIUM_KINDS = ['browser', 'extension', 'renderer', 'network', 'gpu', 'other'];

/** CPU ms per process kind (Chromium's kinds; Firefox processes land in browser/other). @param {Proc[]} tree */
function byKind(tree) {
  /** @type {Record<string, number>} */
  const out = Object.fromEntries(CHROMIUM_KINDS.map((k) => [k, 0]));
  for (const p of tree) out[chromiumKind(p)] += p.cpuMs;
  return out;
}

/** Chromium's out-of-process network service. @param {Proc} p */
export const isChromiumNetworkService = (p) => p.cmdline.includes('--utility-sub-type=network.mojom.NetworkService');

/** Firefox's socket process (network off the main process), when enabled. @param {Proc} p */
export const isFirefoxSocketProcess = (p) => /-contentproc\b/.test(p.cmdline) && /\bsocket\s*$/.test(p.cmdline.trim());

/**
 * CPU ms of each thread named `ServiceWorker…` in Chromium's extension processes, keyed
 * `pid/tid`: the thread an extension's service worker runs its JavaScript on (listeners,
 * event dispatch into them, the API bindings). A finer figure than the whole process: the
 * process also runs its IO thread and the compositor, which our code does not change much.
 * A thread (or process) new since the batch began, as a wake may start, counts from zero; one
 * that ended during the batch would be missed, but a worker stops only when idle, between
 * batches. So a batch's figure is the sum over the keys of after − before (or after alone).
 * @param {Proc[]} tree @returns {Record<string, number>}
 */
function serviceWorkerThreads(tree) {
  /** @type {Record<string, number>} */
  const out = {};
  for (const p of tree) {
    if (chromiumKind(p) !== 'extension') continue;
    let tids = [];
    try {
      tids = readdirSync(`/proc/${p.pid}/task`);
    } catch {
      continue; // exited
    }
    for (const tid of tids) {
      try {
        const stat = readFileSync(`/proc/${p.pid}/task/${tid}/stat`, 'utf8');
        const comm = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
        if (!comm.startsWith('ServiceWorker')) continue;
        const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
        out[`${p.pid}/${tid}`] = (Number(rest[11]) + Number(rest[12])) * TICK_MS;
      } catch {
        // the thread ended between the listing and the read
      }
    }
  }
  return out;
}

/** A batch's service-worker thread CPU from two `sampleCpu` results (see serviceWorkerThreads). */
export function threadDelta(/** @type {Record<string, number>} */ before, /** @type {Record<string, number>} */ after) {
  let ms = 0;
  for (const [k, v] of Object.entries(after)) ms += v - (before[k] ?? 0);
  return ms;
}
