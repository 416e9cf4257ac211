import * as fs from 'node:fs';
import * as path from 'node:path';

/**
 * The package root (the folder holding package.json and the pre-built `assets/`), found from this file whether it runs
 * from the TypeScript sources (lib/) or the compiled output (dist/lib/): both clouds' constructs find their bundles here.
 */
export function packageRoot(): string {
  let dir = __dirname;
  for (let i = 0; i < 8; i++) {
    // eslint-disable-next-line security/detect-non-literal-fs-filename -- walks up from this module's own directory, no user input
    if (fs.existsSync(path.join(dir, 'package.json')) && fs.existsSync(path.join(dir, 'assets'))) return dir;
    const parent = path.dirname(dir);
    if (parent === dir) break;
    dir = parent;
  }
  return path.resolve(__dirname, '..');
}
