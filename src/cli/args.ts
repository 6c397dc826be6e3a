/** Command-line parsing for `cors-lens` (DESIGN §3.2). No dependency: the grammar is tiny. */
import type { BrowserProfile } from '../core/model.ts';

export const USAGE = `Usage: cors-lens analyze FILE.har [--format text|json|har] [--out FILE] [--browser chromium|firefox]

Judges every request of a HAR file the way the browser's CORS check does.
  FILE.har           a HAR 1.2 file (Chrome, Firefox or CORS Lens export); - reads stdin
  --format FORMAT    text (default): a table; json: {summary, entries}; har: annotated HAR
  --out FILE         write the report to FILE instead of stdout
  --browser NAME     chromium (default) or firefox: whose CORS rules to apply
  --include-secrets  har format: keep Cookie, Set-Cookie, Authorization and
                     Proxy-Authorization values (redacted by default)
  --progress         report reading and judging progress on stderr (automatic for
                     files over 20 MB when stderr is a terminal)
  -h, --help         show this help
  -v, --version      print the version

Exit status: 0 no CORS failure, 1 at least one failure, 2 bad input or usage.
Colours: only on a terminal; set NO_COLOR to turn them off.`;

/** One-line synopsis for usage errors (the full text is behind --help). */
export const SYNOPSIS = 'cors-lens analyze FILE.har [--format text|json|har] [--out FILE] [--browser chromium|firefox]';

export type Format = 'text' | 'json' | 'har';

export interface AnalyzeCommand {
  command: 'analyze';
  /** A path, or `-` for stdin. */
  file: string;
  format: Format;
  out: string | null;
  browser: BrowserProfile;
  includeSecrets: boolean;
  progress: boolean;
}

export type Command = AnalyzeCommand | { command: 'help' } | { command: 'version' };

/** A usage mistake; the message is one line and names the problem. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

const FORMATS: readonly Format[] = ['text', 'json', 'har'];
const BROWSERS: readonly BrowserProfile[] = ['chromium', 'firefox'];
const VALUE_OPTIONS = new Set(['--format', '--out', '--browser']);

export function parseArgs(argv: readonly string[]): Command {
  // --help and --version win wherever they appear, like most CLIs.
  if (argv.includes('-h') || argv.includes('--help')) return { command: 'help' };
  if (argv.includes('-v') || argv.includes('--version')) return { command: 'version' };
  if (argv.length === 0) throw new UsageError(`no command given; usage: ${SYNOPSIS}`);

  const [command, ...rest] = argv;
  if (command !== 'analyze') {
    const hint = command!.endsWith('.har') || command === '-' ? ` (did you mean: cors-lens analyze ${command}?)` : '';
    throw new UsageError(`unknown command '${command}'${hint}; usage: ${SYNOPSIS}`);
  }

  const cmd: AnalyzeCommand = { command: 'analyze', file: '', format: 'text', out: null, browser: 'chromium', includeSecrets: false, progress: false };
  const files: string[] = [];
  let endOfOptions = false;
  for (let i = 0; i < rest.length; i++) {
    const arg = rest[i]!;
    if (endOfOptions || arg === '-' || !arg.startsWith('-')) {
      files.push(arg);
      continue;
    }
    if (arg === '--') {
      endOfOptions = true;
      continue;
    }
    const eq = arg.indexOf('=');
    const name = eq > 0 ? arg.slice(0, eq) : arg;
    if (name === '--include-secrets' || name === '--progress') {
      if (eq > 0) throw new UsageError(`${name} takes no value`);
      if (name === '--include-secrets') cmd.includeSecrets = true;
      else cmd.progress = true;
      continue;
    }
    if (!VALUE_OPTIONS.has(name)) throw new UsageError(`unknown option '${name}'; see cors-lens --help`);
    let value: string | undefined;
    if (eq > 0) value = arg.slice(eq + 1);
    else {
      value = rest[i + 1];
      i++;
    }
    if (value === undefined || value === '') throw new UsageError(`${name} needs a value`);
    if (name === '--format') {
      if (!FORMATS.includes(value as Format)) throw new UsageError(`--format must be text, json or har, not '${value}'`);
      cmd.format = value as Format;
    } else if (name === '--browser') {
      if (!BROWSERS.includes(value as BrowserProfile)) throw new UsageError(`--browser must be chromium or firefox, not '${value}'`);
      cmd.browser = value as BrowserProfile;
    } else {
      cmd.out = value;
    }
  }
  if (files.length === 0) throw new UsageError(`analyze needs a HAR file (or - for stdin); usage: ${SYNOPSIS}`);
  if (files.length > 1) throw new UsageError(`analyze takes one HAR file, got ${files.length}: ${files.join(' ')}`);
  cmd.file = files[0]!;
  return cmd;
}
