#!/usr/bin/env node
/**
 * Instructions, not time: what the CLI's stages cost in machine instructions, counted by
 * valgrind (callgrind) on one thread. An optional tool beside `npm run bench`, for engine work.
 *
 *   node bench/instructions.mjs [--entries 10000] [--baseline <commit>]
 *
 * Why: CPU time on these shared 2-core machines swings ±10 % between runs of the same build, so a
 * change worth 1–3 % of the CLI cannot be seen in `npm run bench -- --only engine` without many
 * rounds. The instruction count of one run is repeatable to within about 0.5 % (measured on a
 * 10,000-entry HAR: the same CLI 4,612.1, 4,614.1, 4,614.7 and 4,615.6 M; the floor 1,720.6 and
 * 1,732.3 M: V8's heap sizing still reads the clock), so one run per build tells apart changes
 * of a percent or more.
 * What it does not see: cache misses, memory stalls and how V8's helper threads overlap (node runs
 * with `--single-threaded`, so garbage collection and compilation are counted on the one thread).
 * Read it beside the CPU ratios of the engine benchmark, not instead of them.
 *
 * Stages (each a fresh `node` under valgrind, on the same synthetic HAR; each adds one step):
 *   floor     read the file + JSON.parse (bench/lib/json-floor.mjs, the floor of the engine benchmark)
 *   parseHar  read + parseHar (HAR → the engine's model; includes its own JSON.parse)
 *   analyze   … + analyzeCapture (the judging)
 *   table     … + the text table of `cors-lens analyze`
 *   cli       the CLI bundle itself, `cors-lens analyze FILE` (the table written to /dev/null)
 * The stage scripts set the CLI's V8 flag (src/cli/main.ts) so their code runs as the CLI's does.
 *
 * Needs valgrind (Debian: `apt-get install valgrind`); about 1 minute per run for 10,000 entries,
 * two runs at a time. Writes bench/out/instructions.json.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { OUT, ROOT, buildCli, buildCliCommit, bundleModule, extractCommit } from './lib/build.mjs';
import { generateHar } from './synthetic-har.mjs';

const argv = process.argv.slice(2);
const opt = (name, fallback) => {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 ? argv[i + 1] : fallback;
};
const ENTRIES = Number(opt('entries', '10000'));
const baseline = opt('baseline', null);
if (!Number.isInteger(ENTRIES) || ENTRIES < 100 || ENTRIES > 200_000) throw new Error('--entries: a whole number from 100 to 200000');

/** The V8 flag src/cli/main.ts sets before any engine code runs (read from it, so they cannot drift). */
function cliFlag(root) {
  const m = /setFlagsFromString\('([^']+)'\)/.exec(readFileSync(resolve(root, 'src/cli/main.ts'), 'utf8'));
  return m ? m[1] : null;
}

/** One bundle that runs the stages of `root`'s engine: `node stages.mjs STAGE HAR`. */
async function buildStages(root, outfile) {
  const flag = cliFlag(root);
  return bundleModule(
    `
        import { setFlagsFromString } from 'node:v8';
        import { readFileSync } from 'node:fs';
        import { parseHar } from './src/core/har/index.ts';
        import { analyzeCapture } from './src/core/analyze.ts';
        import { textTable } from './src/cli/report.ts';
        ${flag ? `setFlagsFromString(${JSON.stringify(flag)});` : ''}
        const stage = process.argv[2];
        const text = readFileSync(process.argv[3], 'utf8');
        const parsed = parseHar(text);
        let n = parsed.requests.length;
        if (stage !== 'parseHar') {
          const entries = analyzeCapture(parsed.requests, { browser: 'chromium' });
          n = entries.length;
          if (stage === 'table') n = textTable(entries, { colour: false, width: null }).length;
        }
        process.stdout.write(n + '\\n');`,
    root,
    outfile,
  );
}

/** Instructions of one `node ARGS` run on one thread; rejects with valgrind's own words. */
function countInstructions(args) {
  return new Promise((res, rej) => {
    execFile(
      'valgrind',
      ['--tool=callgrind', '--callgrind-out-file=/dev/null', '--smc-check=all-non-file', process.execPath, '--single-threaded', ...args],
      { maxBuffer: 64 * 1024 * 1024, timeout: 15 * 60_000 },
      (err, _stdout, stderr) => {
        const m = /Collected : (\d+)/.exec(stderr);
        // The CLI exits 1 when a request fails (the synthetic HAR has failures): not an error here.
        if (m && (!err || err.code === 1)) res(Number(m[1]));
        else rej(new Error(`valgrind ${args.join(' ')}: ${err ? err.message : 'no instruction count'}\n${stderr.split('\n').slice(-5).join('\n')}`));
      },
    );
  });
}

/** Runs `jobs` two at a time (the machines have 2 cores; valgrind uses one). */
async function runAll(jobs) {
  const out = new Array(jobs.length);
  let next = 0;
  const worker = async () => {
    while (next < jobs.length) {
      const i = next++;
      const t = performance.now();
      out[i] = await countInstructions(jobs[i].args);
      console.log(`  ${jobs[i].label.padEnd(20)} ${(out[i] / 1e6).toFixed(1).padStart(10)} M instructions  (${((performance.now() - t) / 1000).toFixed(0)} s)`);
    }
  };
  await Promise.all([worker(), worker()]);
  return out;
}

try {
  await new Promise((res, rej) => execFile('valgrind', ['--version'], (err) => (err ? rej(err) : res(undefined))));
} catch {
  console.error('bench/instructions.mjs: valgrind not found (Debian: apt-get install valgrind)');
  process.exit(2);
}

mkdirSync(OUT, { recursive: true });
const har = resolve(OUT, `synthetic-${ENTRIES}-1.har`);
if (!existsSync(har)) writeFileSync(har, JSON.stringify(generateHar(ENTRIES, 1)));
const floor = resolve(ROOT, 'bench/lib/json-floor.mjs');
const STAGES = ['parseHar', 'analyze', 'table'];

const builds = [{ name: 'new', stages: await buildStages(ROOT, resolve(OUT, 'stages/stages.mjs')), cli: await buildCli() }];
if (baseline) {
  const { sha, src } = await extractCommit(baseline);
  builds.push({ name: sha, stages: await buildStages(src, resolve(OUT, `stages/stages-${sha}.mjs`)), cli: (await buildCliCommit(baseline)).file });
}
console.log(`instructions on one thread, synthetic HAR of ${ENTRIES} entries (${har})`);
const jobs = [{ label: 'floor', build: null, stage: 'floor', args: [floor, har] }];
for (const b of builds) {
  for (const s of STAGES) jobs.push({ label: `${b.name} ${s}`, build: b.name, stage: s, args: [b.stages, s, har] });
  jobs.push({ label: `${b.name} cli`, build: b.name, stage: 'cli', args: [b.cli, 'analyze', har] });
}
const counts = await runAll(jobs);
const floorIr = counts[0];
const results = { entries: ENTRIES, floor: floorIr, builds: {} };
for (const b of builds) {
  const of = (s) => counts[jobs.findIndex((j) => j.build === b.name && j.stage === s)];
  const row = { parseHar: of('parseHar'), analyze: of('analyze'), table: of('table'), cli: of('cli') };
  results.builds[b.name] = row;
}

const M = (x) => `${(x / 1e6).toFixed(1)} M`;
const lines = [
  '| step | ' + builds.map((b) => `${b.name}: instructions (÷ floor)`).join(' | ') + (baseline ? ' | new / old |' : ' |'),
  '|---|' + builds.map(() => '---|').join('') + (baseline ? '---|' : ''),
];
const steps = [
  ['read + JSON.parse (the floor)', () => floorIr],
  ['HAR → model (parseHar − floor)', (r) => r.parseHar - floorIr],
  ['judging (analyze − parseHar)', (r) => r.analyze - r.parseHar],
  ['text table (table − analyze)', (r) => r.table - r.analyze],
  ['the CLI, whole', (r) => r.cli],
];
for (const [name, f] of steps) {
  const vals = builds.map((b) => f(results.builds[b.name]));
  const cells = vals.map((v) => `${M(v)} (${(v / floorIr).toFixed(2)})`);
  lines.push(`| ${name} | ${cells.join(' | ')}${baseline ? ` | ${(vals[0] / vals[1]).toFixed(4)}` : ''} |`);
}
console.log(`\n${lines.join('\n')}\n`);
console.log(`CLI / floor in instructions: ${(results.builds.new.cli / floorIr).toFixed(3)}`);
writeFileSync(resolve(OUT, 'instructions.json'), `${JSON.stringify(results, null, 2)}\n`);
console.log(`written ${resolve(OUT, 'instructions.json')}`);
