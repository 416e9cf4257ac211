import * as fs from 'node:fs';
import * as path from 'node:path';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { IConstruct } from 'constructs';
import { PlatformValidationError } from '../../../lib/errors';

/** The Node.js runtime of every platform function (authorizer, rotation, custom handlers). */
export const PLATFORM_NODE_RUNTIME: lambda.Runtime = lambda.Runtime.NODEJS_24_X;

/**
 * The package root (the folder holding package.json), found from this file whether it runs from the TypeScript
 * sources (constructs/aws/common) or the compiled output (dist/constructs/aws/common).
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
  return path.resolve(__dirname, '../../..');
}

/**
 * The pre-built authorizer bundle (`npm run bundle:authorizer`): no Docker and no esbuild at a consumer's synth.
 * Throws a PlatformValidationError naming the missing folder and the fix.
 */
export function authorizerAssetPath(scope: IConstruct): string {
  const dir = path.join(packageRoot(), 'assets', 'authorizer');
  // eslint-disable-next-line security/detect-non-literal-fs-filename -- fixed path inside this package
  if (!fs.existsSync(path.join(dir, 'index.js'))) {
    throw new PlatformValidationError(
      `the authorizer bundle is missing (looked for ${path.join(dir, 'index.js')}); run \`npm run bundle:authorizer\` before synth`,
      scope,
    );
  }
  return dir;
}
