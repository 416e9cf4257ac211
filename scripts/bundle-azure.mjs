// Bundles the Azure Functions apps ahead of synth into zip packages the Flex Consumption apps deploy
// (assets/azure-authorizer.zip, assets/azure-orders-backend.zip): the authorizer function (the same decision core as
// the Lambda, its Azure SDKs inside, the Cedar engine beside it) and the example orders backend, each with its
// host.json and package.json.
import { build } from 'esbuild';
import { mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { crc32, deflateRawSync } from 'node:zlib';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);
const assets = join(root, 'assets');

/** A zip archive of `files` (name to bytes), deflated, with fixed timestamps: the same input gives the same bytes. */
function zip(files) {
  const locals = [];
  const centrals = [];
  let offset = 0;
  const dosTime = 0;
  const dosDate = (1 << 5) | 1; // 1980-01-01
  for (const [name, data] of Object.entries(files).sort(([a], [b]) => a.localeCompare(b))) {
    const nameBytes = Buffer.from(name, 'utf8');
    const deflated = deflateRawSync(data, { level: 9 });
    const crc = crc32(data);
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt16LE(0x0800, 6); // UTF-8 names
    local.writeUInt16LE(8, 8);
    local.writeUInt16LE(dosTime, 10);
    local.writeUInt16LE(dosDate, 12);
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(deflated.length, 18);
    local.writeUInt32LE(data.length, 22);
    local.writeUInt16LE(nameBytes.length, 26);
    locals.push(local, nameBytes, deflated);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE(0x0314, 4); // made by: Unix, 2.0
    central.writeUInt16LE(20, 6);
    central.writeUInt16LE(0x0800, 8);
    central.writeUInt16LE(8, 10);
    central.writeUInt16LE(dosTime, 12);
    central.writeUInt16LE(dosDate, 14);
    central.writeUInt32LE(crc, 16);
    central.writeUInt32LE(deflated.length, 20);
    central.writeUInt32LE(data.length, 24);
    central.writeUInt16LE(nameBytes.length, 28);
    central.writeUInt32LE((0o100644 << 16) >>> 0, 38);
    central.writeUInt32LE(offset, 42);
    centrals.push(central, nameBytes);
    offset += 30 + nameBytes.length + deflated.length;
  }
  const centralBytes = Buffer.concat(centrals);
  const count = Object.keys(files).length;
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(count, 8);
  end.writeUInt16LE(count, 10);
  end.writeUInt32LE(centralBytes.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, centralBytes, end]);
}

/** Every file under `dir`, by its path relative to `base` with forward slashes. */
function filesUnder(dir, base) {
  const out = {};
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = join(dir, entry.name);
    if (entry.isDirectory()) Object.assign(out, filesUnder(full, base));
    else out[relative(base, full).split(sep).join('/')] = readFileSync(full);
  }
  return out;
}

const HOST_JSON = JSON.stringify({
  version: '2.0',
  logging: { logLevel: { default: 'Information' } },
  extensions: { http: { routePrefix: 'api' } },
}, null, 2);

async function functionApp(name, entry, { cedar = false } = {}) {
  const result = await build({
    entryPoints: [entry],
    bundle: true,
    write: false,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    minify: true,
    legalComments: 'none',
    // @azure/functions-core is the Functions worker's own module, present only at run time.
    external: ['@cedar-policy/cedar-wasm', '@cedar-policy/cedar-wasm/*', '@azure/functions-core'],
    outfile: 'index.js',
    logLevel: 'warning',
  });
  const files = {
    'index.js': Buffer.from(result.outputFiles[0].contents),
    'host.json': Buffer.from(HOST_JSON),
    'package.json': Buffer.from(JSON.stringify({ name, version: '1.0.0', main: 'index.js' }, null, 2)),
  };
  if (cedar) {
    // The Cedar engine's nodejs build (JS glue + wasm), as node_modules inside the package.
    const cedarPkg = join(dirname(require.resolve('@cedar-policy/cedar-wasm/nodejs')), '..');
    for (const [rel, data] of Object.entries(filesUnder(join(cedarPkg, 'nodejs'), cedarPkg))) {
      files[`node_modules/@cedar-policy/cedar-wasm/${rel}`] = data;
    }
    files['node_modules/@cedar-policy/cedar-wasm/package.json'] = readFileSync(join(cedarPkg, 'package.json'));
  }
  mkdirSync(assets, { recursive: true });
  const out = join(assets, `${name}.zip`);
  writeFileSync(out, zip(files));
  console.log(`${name}: ${relative(root, out)} ${(statSync(out).size / 1024).toFixed(1)} KB (index.js ${(files['index.js'].length / 1024).toFixed(1)} KB)`);
}

await functionApp('azure-authorizer', join(root, 'lib', 'authorizer', 'adapters', 'azure-main.ts'), { cedar: true });
await functionApp('azure-orders-backend', join(root, 'examples', 'azure', 'backend', 'main.ts'));
