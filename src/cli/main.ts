/** `cors-lens` command line (DESIGN §3.2). */

const USAGE = `Usage: cors-lens analyze FILE.har [--format text|json|har] [--out FILE] [--browser chromium|firefox]

Judges every request of a HAR file the way the browser's CORS check does.
  FILE.har           a HAR 1.2 file (Chrome, Firefox or CORS Lens export); - reads stdin
  --format FORMAT    text (default): a table; json: {summary, entries}; har: annotated HAR
  --out FILE         write the report to FILE instead of stdout
  --browser NAME     chromium (default) or firefox: whose CORS rules to apply
  -h, --help         show this help
  -v, --version      print the version

Exit status: 0 no CORS failure, 1 at least one failure, 2 bad input or usage.`;

const args = process.argv.slice(2);
if (args.length === 0 || args.includes('-h') || args.includes('--help')) {
  process.stdout.write(USAGE + '\n');
  process.exit(args.length === 0 ? 2 : 0);
}
if (args.includes('-v') || args.includes('--version')) {
  process.stdout.write(`cors-lens ${__CORS_LENS_VERSION__}\n`);
  process.exit(0);
}
process.stderr.write('cors-lens: analyze is not implemented yet\n');
process.exit(2);
