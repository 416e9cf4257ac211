import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Stage } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';
import FILES from '../../../lib/authorizer/bundle-files.json';
import { CONFIG_FILE, ConfigFile } from '../../../lib/authorizer/config-source';

/** What goes into an authorizer's asset besides its configuration. */
export interface AuthorizerAssetOptions {
  /**
   * Whether the Cedar engine ships (the cedar-wasm adapter and @cedar-policy/cedar-wasm, about 4.2 MB): only for a
   * policy set the compiled engine cannot take, which the runtime then evaluates with it. The compiled engine and the
   * runtime's choice are the same code, so an asset without the engine never needs it.
   */
  readonly cedarEngine: boolean;
}

const bundleHashes = new Map<string, string>();
const CEDAR_ENGINE_DIR = FILES.cedarEngine.split('/').join(path.sep) + path.sep;

function filesOf(dir: string, prefix = ''): string[] {
  // eslint-disable-next-line security/detect-non-literal-fs-filename -- the package's own bundle folder
  return fs.readdirSync(path.join(dir, prefix), { withFileTypes: true })
    .flatMap((e) => (e.isDirectory() ? filesOf(dir, path.join(prefix, e.name)) : [path.join(prefix, e.name)]))
    .filter((f) => f !== CONFIG_FILE)
    .sort();
}

/** The bundle's files an asset takes. */
function assetFiles(dir: string, options: AuthorizerAssetOptions): string[] {
  return filesOf(dir).filter((f) => options.cedarEngine || (f !== FILES.cedarAdapter && !f.startsWith(CEDAR_ENGINE_DIR)));
}

/** A content hash of the files an asset takes from the pre-built bundle, once per process. */
function bundleHash(dir: string, options: AuthorizerAssetOptions): string {
  const key = `${dir}\0${options.cedarEngine}`;
  let hash = bundleHashes.get(key);
  if (!hash) {
    const h = createHash('sha256');
    // eslint-disable-next-line security/detect-non-literal-fs-filename -- the package's own bundle folder
    for (const f of assetFiles(dir, options)) h.update(f).update('\0').update(fs.readFileSync(path.join(dir, f))).update('\0');
    hash = h.digest('hex');
    bundleHashes.set(key, hash);
  }
  return hash;
}

/**
 * The folder of one authorizer's code asset: the pre-built bundle (without the Cedar engine unless `options` ask for
 * it) with `authorizer-config.json` beside the handler,
 * staged under the cloud assembly's folder and named by the hash of both, so the same bundle and configuration make
 * the same asset at every synth. Files are hard-linked from the bundle where the file system allows it.
 */
export function configuredAuthorizerAsset(scope: IConstruct, bundleDir: string, file: ConfigFile, options: AuthorizerAssetOptions): string {
  const json = `${JSON.stringify(file, undefined, 1)}\n`;
  const hash = createHash('sha256').update(bundleHash(bundleDir, options)).update(json).digest('hex').slice(0, 32);
  const outdir = (scope.node.root as Stage).outdir;
  const dir = path.join(outdir, '.authorizer-assets', hash);
  // eslint-disable-next-line security/detect-non-literal-fs-filename -- under the cloud assembly's folder
  if (fs.existsSync(path.join(dir, CONFIG_FILE))) return dir;
  const tmp = `${dir}.${process.pid}.tmp`;
  /* eslint-disable security/detect-non-literal-fs-filename -- under the cloud assembly's folder, from the package's bundle */
  fs.rmSync(tmp, { recursive: true, force: true });
  for (const f of assetFiles(bundleDir, options)) {
    fs.mkdirSync(path.dirname(path.join(tmp, f)), { recursive: true });
    try {
      fs.linkSync(path.join(bundleDir, f), path.join(tmp, f));
    } catch {
      fs.copyFileSync(path.join(bundleDir, f), path.join(tmp, f));
    }
  }
  fs.writeFileSync(path.join(tmp, CONFIG_FILE), json);
  try {
    fs.renameSync(tmp, dir);
  } catch (e) {
    // Another process staged the same content first.
    fs.rmSync(tmp, { recursive: true, force: true });
    if (!fs.existsSync(path.join(dir, CONFIG_FILE))) throw e;
  }
  /* eslint-enable security/detect-non-literal-fs-filename */
  return dir;
}
