import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { buildExampleApp } from '../../examples/aws/app';
import { ACCOUNT, allowAll, decide, resolvePolicy } from '../support/iam-eval';

// The example's showcase synthesized once; the policies are read from the templates and evaluated as AWS evaluates them.
let templates: Record<string, Template>;
const REGIONS = ['eu-west-1', 'eu-central-1'];
const role = (name: string) => `arn:aws:iam::${ACCOUNT}:role/${name}`;
const table = (region: string) => `arn:aws:dynamodb:${region}:${ACCOUNT}:table/orders-platform`;
const WRITES = ['dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem', 'dynamodb:BatchWriteItem', 'dynamodb:PartiQLInsert', 'dynamodb:PartiQLUpdate', 'dynamodb:PartiQLDelete'];

beforeAll(() => {
  const app = new App({ outdir: mkdtempSync(join(tmpdir(), 'least-privilege-')), context: { lean: 'false', allowPlaceholders: 'true' } });
  buildExampleApp(app);
  templates = Object.fromEntries(app.synth().stacks.map((s) => [s.stackName, Template.fromJSON(s.template as Record<string, unknown>)]));
});

function resources(stack: string, type: string): Array<Record<string, any>> {
  return Object.values(templates[stack].findResources(type)).map((r) => r.Properties);
}

describe('the platform table: only the operators write items', () => {
  const replicaPolicy = (region: string) => {
    const [tableProps] = resources('Orders-Global', 'AWS::DynamoDB::GlobalTable');
    const replica = tableProps.Replicas.find((r: { Region: string }) => r.Region === region);
    expect(replica?.ResourcePolicy?.PolicyDocument).toBeDefined();
    return resolvePolicy(replica.ResourcePolicy.PolicyDocument, ACCOUNT, region);
  };

  test('the operators role exists under its computed name and the CLI needs nothing else', () => {
    const roles = resources('Orders-Global', 'AWS::IAM::Role').filter((r) => r.RoleName === 'orders-operators');
    expect(roles).toHaveLength(1);
    expect(roles[0].MaxSessionDuration).toBe(3600);
  });

  test.each(REGIONS)('in %s a principal whose IAM policies allow dynamodb:* is denied every item write', async (region) => {
    const policy = replicaPolicy(region);
    for (const action of WRITES) {
      await expect(decide({
        principal: role('Orders-Region-eu-west-1-AuthorizerRole1234-ABCDEF'), action, resource: table(region), identity: [allowAll(['dynamodb:*'])], resourcePolicy: policy,
      })).resolves.toBe('ExplicitlyDenied');
    }
    // Reads stay with IAM: the authorizer and the pre-token-generation trigger read with their own grants.
    await expect(decide({
      principal: role('Orders-Region-eu-west-1-AuthorizerRole1234-ABCDEF'), action: 'dynamodb:GetItem', resource: table(region), identity: [allowAll(['dynamodb:GetItem'])], resourcePolicy: policy,
    })).resolves.toBe('Allowed');
  });

  test.each(REGIONS)('in %s the operators role and DynamoDB replication write', async (region) => {
    const policy = replicaPolicy(region);
    const [operatorsPolicy] = resources('Orders-Global', 'AWS::IAM::ManagedPolicy')
      .filter((p) => JSON.stringify(p.Roles ?? []).includes('Operators'));
    const identity = [resolvePolicy(operatorsPolicy.PolicyDocument, ACCOUNT, 'eu-west-1')];
    for (const action of ['dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem']) {
      await expect(decide({ principal: role('orders/orders-operators'), action, resource: table(region), identity, resourcePolicy: policy })).resolves.toBe('Allowed');
    }
    const replication = role('aws-service-role/replication.dynamodb.amazonaws.com/AWSServiceRoleForDynamoDBReplication');
    await expect(decide({ principal: replication, action: 'dynamodb:PutItem', resource: table(region), identity: [allowAll(['dynamodb:PutItem'])], resourcePolicy: policy }))
      .resolves.toBe('Allowed');
    // A role merely named like the operators' outside the platform's path is not the operators' role.
    await expect(decide({ principal: role('orders-operators'), action: 'dynamodb:PutItem', resource: table(region), identity: [allowAll(['dynamodb:*'])], resourcePolicy: policy }))
      .resolves.toBe('ExplicitlyDenied');
  });
});

describe('origin-verify rotation: only the platform\'s own distribution', () => {
  const distribution = `arn:aws:cloudfront::${ACCOUNT}:distribution/E2QWRUHAPOMQZL`;

  test('the edge stack tags its distribution with the platform name', () => {
    const [dist] = resources('Orders-Edge', 'AWS::CloudFront::Distribution');
    expect(dist.Tags).toEqual(expect.arrayContaining([{ Key: 'secure-api-platform:origin-verify', Value: 'orders' }]));
  });

  test('the rotation may read and update a distribution with that tag, and no other distribution of the account', async () => {
    const policies = resources('Orders-Global', 'AWS::IAM::ManagedPolicy')
      .filter((p) => JSON.stringify(p.PolicyDocument).includes('cloudfront:UpdateDistribution'));
    expect(policies).toHaveLength(1);
    // The CloudFront statements of the rotation's policy (the others name its own log group, secret and key).
    const cloudfront = policies[0].PolicyDocument.Statement.filter((st: { Action: string | string[] }) => [st.Action].flat().some((a) => a.startsWith('cloudfront:')));
    const identity = [resolvePolicy({ Version: '2012-10-17', Statement: cloudfront }, ACCOUNT, 'eu-west-1')];
    const principal = role('Orders-Global-OriginVerifyRotationFunctionRole-ABC');
    for (const action of ['cloudfront:GetDistributionConfig', 'cloudfront:UpdateDistribution']) {
      await expect(decide({ principal, action, resource: distribution, identity, context: { 'aws:ResourceTag/secure-api-platform:origin-verify': 'orders' } }))
        .resolves.toBe('Allowed');
      await expect(decide({ principal, action, resource: distribution, identity })).resolves.toBe('ImplicitlyDenied');
      await expect(decide({ principal, action, resource: distribution, identity, context: { 'aws:ResourceTag/secure-api-platform:origin-verify': 'billing' } }))
        .resolves.toBe('ImplicitlyDenied');
    }
  });
});

describe('key policies: administration for IAM, use only through the purpose\'s services by the purpose\'s principals', () => {
  const keyPolicies = (stack: string) => [...resources(stack, 'AWS::KMS::Key'), ...resources(stack, 'AWS::KMS::ReplicaKey')]
    .map((k) => ({ description: k.Description as string, policy: k.KeyPolicy }));
  const keyOf = (stack: string, region: string, purpose: string) => {
    const found = keyPolicies(stack).filter((k) => k.description.startsWith(`orders ${purpose} key`) || k.description.includes(`${purpose === 'logs' ? 'CloudFront web ACL' : purpose === 'audit' ? 'audit archive' : 'origin-verify'}`));
    expect(found).toHaveLength(1);
    return resolvePolicy(found[0].policy, ACCOUNT, region);
  };
  const key = (region: string) => `arn:aws:kms:${region}:${ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab`;
  const authorizer = role('orders/Orders-Region-eu-west-1-ApiordersV1AuthorizerRole-1A2B3C');
  const admin = role('Admin');
  const deployer = (region: string) => role(`cdk-hnb659fds-cfn-exec-role-${ACCOUNT}-${region}`);
  const via = (service: string, region: string) => ({ 'kms:ViaService': `${service}.${region}.amazonaws.com`, 'kms:CallerAccount': ACCOUNT });

  test('every role of every platform stack is under /orders/, the path the key policies name', () => {
    const paths = Object.entries(templates).flatMap(([stack]) => resources(stack, 'AWS::IAM::Role').map((r) => r.Path));
    expect(paths.length).toBeGreaterThan(10);
    expect(new Set(paths)).toEqual(new Set(['/orders/']));
  });

  test('no key policy lets the account root (hence IAM policies) use a key', () => {
    const use = /^kms:(\*|Encrypt|Decrypt|ReEncrypt|GenerateDataKey|CreateGrant)/;
    for (const stack of ['Orders-Keys-eu-west-1', 'Orders-Keys-eu-central-1', 'Orders-EdgeKeys']) {
      const policies = keyPolicies(stack);
      expect(policies.length).toBeGreaterThanOrEqual(3);
      for (const { policy } of policies) {
        for (const st of resolvePolicy(policy).Statement) {
          const aws = [st.Principal?.AWS ?? []].flat().map(String);
          if (aws.some((p) => p.endsWith(':root'))) expect([st.Action].flat().filter((a: string) => use.test(a))).toEqual([]);
        }
      }
    }
  });

  test.each([['Orders-Keys-eu-west-1', 'eu-west-1'], ['Orders-Keys-eu-central-1', 'eu-central-1']])('%s: an IAM admin with kms:* administers the data key but cannot use it', async (stack, region) => {
    const resourcePolicy = keyOf(stack, region, 'data');
    const identity = [allowAll(['kms:*'])];
    await expect(decide({ principal: admin, action: 'kms:Decrypt', resource: key(region), identity, resourcePolicy, context: via('dynamodb', region) })).resolves.not.toBe('Allowed');
    await expect(decide({ principal: admin, action: 'kms:CreateGrant', resource: key(region), identity, resourcePolicy, context: via('dynamodb', region) })).resolves.not.toBe('Allowed');
    await expect(decide({ principal: admin, action: 'kms:PutKeyPolicy', resource: key(region), identity, resourcePolicy })).resolves.toBe('Allowed');
    await expect(decide({ principal: admin, action: 'kms:ScheduleKeyDeletion', resource: key(region), identity, resourcePolicy })).resolves.toBe('Allowed');
  });

  test.each([['Orders-Keys-eu-west-1', 'eu-west-1'], ['Orders-Keys-eu-central-1', 'eu-central-1']])('%s: the platform\'s roles use the data key through DynamoDB only', async (stack, region) => {
    const resourcePolicy = keyOf(stack, region, 'data');
    await expect(decide({ principal: authorizer, action: 'kms:Decrypt', resource: key(region), resourcePolicy, context: via('dynamodb', region) })).resolves.toBe('Allowed');
    await expect(decide({ principal: role('orders/orders-operators'), action: 'kms:GenerateDataKey', resource: key(region), resourcePolicy, context: via('dynamodb', region) }))
      .resolves.toBe('Allowed');
    await expect(decide({ principal: authorizer, action: 'kms:Decrypt', resource: key(region), resourcePolicy, context: { 'kms:CallerAccount': ACCOUNT } })).resolves.not.toBe('Allowed');
    await expect(decide({ principal: authorizer, action: 'kms:Decrypt', resource: key(region), resourcePolicy, context: via('secretsmanager', region) })).resolves.not.toBe('Allowed');
    // The deployer creates the table (DynamoDB creates its grant as the caller); replication decrypts in every replica.
    await expect(decide({ principal: deployer('eu-west-1'), action: 'kms:CreateGrant', resource: key(region), resourcePolicy, context: via('dynamodb', region) })).resolves.toBe('Allowed');
    const replication = role('aws-service-role/replication.dynamodb.amazonaws.com/AWSServiceRoleForDynamoDBReplication');
    await expect(decide({ principal: replication, action: 'kms:Decrypt', resource: key(region), resourcePolicy, context: via('dynamodb', region) })).resolves.toBe('Allowed');
  });

  test.each([['Orders-Keys-eu-west-1', 'eu-west-1'], ['Orders-Keys-eu-central-1', 'eu-central-1'], ['Orders-EdgeKeys', 'us-east-1']])('%s: secrets through Secrets Manager, the archive through S3, logs through CloudWatch Logs', async (stack, region) => {
    const rotation = role('orders/Orders-Global-OriginVerifyRotationFunctionRole-XYZ');
    await expect(decide({ principal: rotation, action: 'kms:Decrypt', resource: key(region), resourcePolicy: keyOf(stack, region, 'secrets'), context: via('secretsmanager', region) }))
      .resolves.toBe('Allowed');
    await expect(decide({ principal: role('SomeoneElse'), action: 'kms:Decrypt', resource: key(region), identity: [allowAll(['kms:*'])], resourcePolicy: keyOf(stack, region, 'secrets'), context: via('secretsmanager', region) }))
      .resolves.not.toBe('Allowed');
    const firehose = role('orders/Orders-Region-eu-west-1-LogShippingDeliveryRole-XYZ');
    await expect(decide({ principal: firehose, action: 'kms:GenerateDataKey', resource: key(region), resourcePolicy: keyOf(stack, region, 'audit'), context: via('s3', region) }))
      .resolves.toBe('Allowed');
    // CloudWatch Logs is a service principal scoped by encryption context (a key the simulator cannot evaluate).
    expect(keyOf(stack, region, 'logs').Statement).toEqual(expect.arrayContaining([expect.objectContaining({
      Principal: { Service: `logs.${region}.amazonaws.com` },
      Condition: { ArnLike: { 'kms:EncryptionContext:aws:logs:arn': `arn:aws:logs:${region}:${ACCOUNT}:log-group:*` } },
    })]));
  });
});
