/**
 * The example platform (the main job): `npx cdk synth` writes every stack of a two-region orders platform with every
 * control on, runs every compliance pack, and writes the evidence reports into cdk.out/compliance.
 *
 *   npx cdk synth                    every control, the costly ones included (the showcase and the evidence)
 *   npx cdk synth -c lean=true       no CloudHSM, no Shield Advanced, no mTLS partner domain, demo-mode archive
 *   npx cdk synth -c baseline=true   also the per-account baseline stacks (GuardDuty, Security Hub, Config)
 *
 * No cloud account is needed to synthesize; `account` (context) only fills the computed names.
 */
import * as path from 'node:path';
import { App, RemovalPolicy } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import { readFileSync } from 'node:fs';
import { SecureApiPlatform } from '../../constructs/aws';
import { Compliance } from '../../lib/compliance';
import { exampleSpec } from '../spec';

const app = new App();
const flag = (name: string): boolean => ['true', '1', 'yes'].includes(String(app.node.tryGetContext(name) ?? 'false').toLowerCase());
const lean = flag('lean');
const spec = exampleSpec('aws', { lean });
const account = app.node.tryGetContext('account') as string | undefined;

const platform = new SecureApiPlatform(app, 'Orders', {
  spec,
  account,
  accountBaseline: flag('baseline'),
  policies: ['rbac.cedar', 'tenant-isolation.cedar'].map((f) => readFileSync(path.join(__dirname, '..', 'policies', f), 'utf8')).join('\n'),
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
    }),
  },
});
Compliance.enforce(app, { spec, profiles: spec.compliance });
export { app, platform };
