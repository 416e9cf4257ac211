// Bundles the example orders backend ahead of synth into assets/orders-backend (AWS SDK left to the runtime).
import { build } from 'esbuild';
import { mkdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const outdir = join(root, 'assets', 'orders-backend');
mkdirSync(outdir, { recursive: true });
await build({
  entryPoints: [join(root, 'examples', 'aws', 'backend', 'index.ts')],
  outfile: join(outdir, 'index.js'),
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  minify: true,
  legalComments: 'none',
  external: ['@aws-sdk/*', '@smithy/*'],
  logLevel: 'warning',
});
console.log(`orders backend bundle: assets/orders-backend/index.js ${(statSync(join(outdir, 'index.js')).size / 1024).toFixed(1)} KB`);
