#!/usr/bin/env node
/** `npm run icons`: renders assets/icon.svg into public/icons/icon-{16,32,48,128}.png. */
import { Resvg } from '@resvg/resvg-js';
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const svg = readFileSync(resolve(root, 'assets/icon.svg'));
mkdirSync(resolve(root, 'public/icons'), { recursive: true });
for (const size of [16, 32, 48, 128]) {
  const png = new Resvg(svg, { fitTo: { mode: 'width', value: size } }).render().asPng();
  writeFileSync(resolve(root, `public/icons/icon-${size}.png`), png);
  console.log(`public/icons/icon-${size}.png (${png.length} bytes)`);
}
