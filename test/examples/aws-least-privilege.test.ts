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
      await expect(decide({ principal: role('orders-operators'), action, resource: table(region), identity, resourcePolicy: policy })).resolves.toBe('Allowed');
    }
    const replication = role('aws-service-role/replication.dynamodb.amazonaws.com/AWSServiceRoleForDynamoDBReplication');
    await expect(decide({ principal: replication, action: 'dynamodb:PutItem', resource: table(region), identity: [allowAll(['dynamodb:PutItem'])], resourcePolicy: policy }))
      .resolves.toBe('Allowed');
    // A role merely named like the operators' in another path is not the operators' role.
    await expect(decide({ principal: role('x/orders-operators'), action: 'dynamodb:PutItem', resource: table(region), identity: [allowAll(['dynamodb:*'])], resourcePolicy: policy }))
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
