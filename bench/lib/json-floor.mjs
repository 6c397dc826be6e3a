/** The floor of any HAR tool: read the file and JSON.parse it, nothing else. */
import { readFileSync } from 'node:fs';

const parsed = JSON.parse(readFileSync(process.argv[2] ?? '', 'utf8'));
if (!parsed || typeof parsed !== 'object') process.exitCode = 2;
