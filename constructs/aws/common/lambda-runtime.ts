import * as fs from 'node:fs';
import * as path from 'node:path';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { IConstruct } from 'constructs';
import { PlatformValidationError } from '../../../lib/errors';
import { packageRoot } from '../../../lib/package-root';

/** The Node.js runtime of every platform function (authorizer, rotation, custom handlers). */
export const PLATFORM_NODE_RUNTIME: lambda.Runtime = lambda.Runtime.NODEJS_24_X;

export { packageRoot };

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
