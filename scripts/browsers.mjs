#!/usr/bin/env node
/**
 * Finds the browsers the tests and the demo drive, and installs them on a fresh Debian machine.
 *
 *   node scripts/browsers.mjs            print what was found (exit 1 if something is missing)
 *   node scripts/browsers.mjs --ensure   install what is missing with apt-get when running as root on
 *                                        Debian/Ubuntu; otherwise print the exact install command, exit 1
 *   --chromium-only                      only Chromium (the demo needs nothing else)
 *
 * Overrides: CHROMIUM_PATH, FIREFOX_PATH. Nothing is ever downloaded except Debian packages
 * (playwright/puppeteer browser downloads are not used: the machines reach no other host).
 */
import { existsSync, readFileSync, accessSync, constants } from 'node:fs';
import { spawnSync } from 'node:child_process';

const CANDIDATES = {
  chromium: ['/usr/bin/chromium', '/usr/bin/chromium-browser', '/snap/bin/chromium'],
  firefox: ['/usr/bin/firefox-esr', '/usr/bin/firefox'],
};
/** Debian package per browser; xvfb + xauth give headful runs (`npm run demo` with a virtual display). */
const PACKAGES = { chromium: ['chromium'], firefox: ['firefox-esr'], xvfb: ['xvfb', 'xauth'] };

function executable(path) {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** @returns {{chromium: string|null, firefox: string|null, xvfb: string|null}} */
export function findBrowsers() {
  const pick = (envName, list) => {
    const fromEnv = process.env[envName];
    if (fromEnv) return executable(fromEnv) ? fromEnv : null;
    return list.find(executable) ?? null;
  };
  return {
    chromium: pick('CHROMIUM_PATH', CANDIDATES.chromium),
    firefox: pick('FIREFOX_PATH', CANDIDATES.firefox),
    xvfb: ['/usr/bin/xvfb-run'].find(executable) ?? null,
  };
}

function isDebianLike() {
  if (!existsSync('/etc/os-release')) return false;
  const text = readFileSync('/etc/os-release', 'utf8');
  return /^(ID|ID_LIKE)=.*\b(debian|ubuntu)\b/m.test(text);
}

/**
 * Makes sure the wanted browsers exist. Returns their paths, or throws with the exact command to run.
 * @param {{want?: ('chromium'|'firefox'|'xvfb')[], log?: (s: string) => void}} [opts]
 */
export function ensureBrowsers(opts = {}) {
  const want = opts.want ?? ['chromium', 'firefox', 'xvfb'];
  const log = opts.log ?? ((s) => console.error(s));
  let found = findBrowsers();
  const missing = want.filter((w) => !found[w]);
  if (missing.length === 0) return found;
  for (const w of missing) {
    const env = w === 'chromium' ? 'CHROMIUM_PATH' : w === 'firefox' ? 'FIREFOX_PATH' : null;
    if (env && process.env[env]) throw new Error(`${env}=${process.env[env]} is not an executable file`);
  }
  const pkgs = missing.flatMap((w) => PACKAGES[w]);
  const command = `apt-get update && apt-get install -y ${pkgs.join(' ')}`;
  const root = typeof process.getuid === 'function' && process.getuid() === 0;
  if (!root || !isDebianLike()) {
    throw new Error(`missing ${missing.join(', ')}. Install with: sudo sh -c '${command}' (or set CHROMIUM_PATH / FIREFOX_PATH)`);
  }
  log(`cors-lens: installing ${pkgs.join(' ')} with apt-get (missing: ${missing.join(', ')})`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  for (const args of [['update'], ['install', '-y', '--no-install-recommends', ...pkgs]]) {
    log(`cors-lens: apt-get ${args.join(' ')}`);
    const r = spawnSync('apt-get', args, { stdio: ['ignore', 'inherit', 'inherit'], env });
    if (r.status !== 0) throw new Error(`apt-get ${args.join(' ')} failed (exit ${r.status}); run: ${command}`);
  }
  found = findBrowsers();
  const still = want.filter((w) => !found[w]);
  if (still.length > 0) throw new Error(`still missing after apt-get: ${still.join(', ')}`);
  return found;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const args = process.argv.slice(2);
  const want = args.includes('--chromium-only') ? ['chromium'] : ['chromium', 'firefox', 'xvfb'];
  try {
    const found = args.includes('--ensure') ? ensureBrowsers({ want }) : findBrowsers();
    for (const w of want) console.log(`${w.padEnd(9)} ${found[w] ?? 'MISSING'}`);
    if (want.some((w) => !found[w])) {
      console.error(`cors-lens: missing ${want.filter((w) => !found[w]).join(', ')}; run: node scripts/browsers.mjs --ensure`);
      process.exit(1);
    }
  } catch (e) {
    console.error(`cors-lens: ${e instanceof Error ? e.message : String(e)}`);
    process.exit(1);
  }
}
