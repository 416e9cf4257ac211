import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { App, AppProps, RemovalPolicy } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import { SecureApiPlatform } from '../../constructs/aws';
import { Compliance } from '../../lib/compliance';
import { PlatformValidationError } from '../../lib/errors';
import { EXAMPLE_SITE, EXAMPLE_SITE_KEYS, ExampleSite, exampleSpec, placeholderKeys } from '../spec';

/** Cedar policies of the example: role-based access and tenant isolation. */
export const EXAMPLE_POLICIES = ['rbac.cedar', 'tenant-isolation.cedar']
  .map((f) => readFileSync(path.join(__dirname, '..', 'policies', f), 'utf8'))
  .join('\n');

/**
 * How the example's App is created. aws-cdk-lib's built-in CloudFormation template validation is measured at 70 % of
 * this app's synth (about 9 s for its seven templates, against 2 s for every compliance pack): the main job leaves it
 * off unless `CDK_VALIDATION=true`, and the tests that check the example apps run with it on.
 */
export function exampleAppProps(): AppProps {
  return { builtinCloudFormationValidation: process.env.CDK_VALIDATION === 'true' };
}

/**
 * The user's site: `-c site=<file.json>` (keys as in `ExampleSite`), then each `-c <key>=<value>` on top, then the
 * placeholders for what is still unset.
 */
export function exampleSite(app: App): ExampleSite {
  const file = app.node.tryGetContext('site') as string | undefined;
  // eslint-disable-next-line security/detect-non-literal-fs-filename -- the operator's own site file, named on the command line
  const fromFile = file ? JSON.parse(readFileSync(path.resolve(file), 'utf8')) as Partial<ExampleSite> : {};
  const site: Record<string, string> = { ...EXAMPLE_SITE };
  for (const key of EXAMPLE_SITE_KEYS) {
    const value = app.node.tryGetContext(key) ?? fromFile[key];
    if (value !== undefined) site[key] = String(value);
  }
  return site as unknown as ExampleSite;
}

/**
 * Builds the example platform into `app`: two regions, the orders API with its backend, every compliance pack.
 * Context switches: `lean` (default true: no CloudHSM, Shield Advanced or mTLS domain, demo-mode archive; `lean=false`
 * is the showcase), `baseline` (the per-account baseline stacks), `account` (a 12-digit id; default: the deploying
 * account), the site keys (`exampleSite`), and `allowPlaceholders` (synthesize with example.com placeholders: tests only,
 * never a deploy).
 */
export function buildExampleApp(app: App): SecureApiPlatform {
  const flag = (name: string, fallback: boolean): boolean => {
    const value = app.node.tryGetContext(name);
    return value === undefined ? fallback : ['true', '1', 'yes'].includes(String(value).toLowerCase());
  };
  const lean = flag('lean', true);
  const site = exampleSite(app);
  const placeholders = placeholderKeys(site, { lean });
  if (placeholders.length > 0 && !flag('allowPlaceholders', false)) {
    throw new PlatformValidationError(`the example still holds placeholders (${placeholders.map((k) => `${k}: "${site[k]}"`).join(', ')}); `
      + `set them with ${placeholders.map((k) => `-c ${k}=…`).join(' ')} or in a site file (-c site=site.json), `
      + 'or pass -c allowPlaceholders=true to synthesize without deploying (see README "Before you deploy")');
  }
  const spec = exampleSpec('aws', { lean, site });
  const platform = new SecureApiPlatform(app, 'Orders', {
    spec,
    account: app.node.tryGetContext('account') as string | undefined,
    accountBaseline: flag('baseline', false),
    policies: EXAMPLE_POLICIES,
    backends: {
      orders: SecureApiPlatform.lambdaBackend(path.join(__dirname, '..', '..', 'assets', 'orders-backend'), {
        // The example's own data: a regional orders table, partitioned by tenant.
        tables: (ctx, scope) => [new dynamodb.TableV2(scope, 'Orders', {
          tableName: `${ctx.spec.name}-orders`,
          partitionKey: { name: 'pk', type: dynamodb.AttributeType.STRING },
          sortKey: { name: 'sk', type: dynamodb.AttributeType.STRING },
          encryption: dynamodb.TableEncryptionV2.customerManagedKey(ctx.keys.data),
          pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
          deletionProtection: true,
          removalPolicy: RemovalPolicy.RETAIN,
        })],
        environment: (ctx) => ({ ORDERS_TABLE: `${ctx.spec.name}-orders`, CALL_TIMEOUT_MS: '2000' }),
        noVpcReason: 'The orders backend (assets/orders-backend) reaches only DynamoDB through its public TLS endpoint with IAM authentication; it has no private network dependency, so a VPC would add NAT cost without reducing exposure',
      }),
    },
  });
  Compliance.enforce(app, { spec, profiles: spec.compliance });
  return platform;
}
