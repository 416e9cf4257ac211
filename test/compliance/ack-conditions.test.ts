// Acknowledgments are conditions: each is emitted only where its reason holds, records the condition, and the
// finding comes back when the condition is flipped.
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { PlatformKeys } from '../../constructs/aws';
import { EdgeDistribution } from '../../constructs/aws/edge';
import { SecureRestApi } from '../../constructs/aws/gateway';
import { BackendFunction } from '../../constructs/aws/platform/backend-function';
import { acknowledgmentsOf } from '../../lib/compliance';
import { resolveSpec } from '../../lib/spec';
import { fixtureSpec } from '../fixtures/platform-spec';
import { nagFindings, testStack } from '../support/nag';

const raw = fixtureSpec('aws');

describe('CFR1 (CloudFront geo restriction)', () => {
  const cfr1 = (blockCountries: string[] | undefined) => {
    const spec = resolveSpec({ ...raw, edge: { ...raw.edge, blockCountries } });
    const { stack } = testStack('Edge', 'us-east-1');
    new EdgeDistribution(stack, 'Edge', { spec });
    return acknowledgmentsOf(stack).filter((a) => a.ruleId === 'AwsSolutions-CFR1');
  };
  test('cites the BlockCountries rule only when spec.edge.blockCountries is set', () => {
    const set = cfr1(['KP', 'IR']);
    expect(set).toHaveLength(1);
    expect(set[0]).toMatchObject({ condition: 'spec.edge.blockCountries is set', reason: expect.stringContaining('BlockCountries rule: KP, IR') });
    const unset = cfr1([]);
    expect(unset).toHaveLength(1);
    expect(unset[0].condition).toBe('spec.edge.blockCountries is empty');
    expect(unset[0].reason).not.toMatch(/BlockCountries rule/);
  });
});

describe('backend acknowledgments say nothing about the user\'s code', () => {
  const backend = (noVpcReason?: string) => {
    const spec = resolveSpec(raw);
    const { stack } = testStack('Backend');
    const keys = new PlatformKeys(stack, 'Keys', { spec });
    new BackendFunction(stack, 'Fn', { spec, description: 'orders v1', code: lambda.Code.fromInline('exports.handler=async()=>({})'), key: keys.logs, noVpcReason });
    return stack;
  };
  test('without the owner\'s reason, the LambdaInsideVPC findings come back', () => {
    const findings = nagFindings(backend()).filter((f) => f.includes('LambdaInsideVPC'));
    expect(findings.map((f) => f.split(' ')[0]).sort()).toEqual(['HIPAA.Security-LambdaInsideVPC', 'NIST.800.53.R5-LambdaInsideVPC', 'PCI.DSS.321-LambdaInsideVPC']);
  });
  test('with it, they are acknowledged with that reason and the condition recorded', () => {
    const stack = backend('This backend calls only the public DynamoDB endpoint over TLS with IAM authentication');
    expect(nagFindings(stack).filter((f) => f.includes('LambdaInsideVPC'))).toEqual([]);
    const acks = acknowledgmentsOf(stack).filter((a) => a.ruleId.endsWith('LambdaInsideVPC'));
    expect(acks).toHaveLength(3);
    for (const a of acks) expect(a).toMatchObject({ reason: expect.stringContaining('public DynamoDB endpoint'), condition: expect.stringContaining('noVpcReason') });
    for (const a of acknowledgmentsOf(stack)) expect(a.reason).not.toMatch(/Idempotency-Key|reaches only DynamoDB/);
  });
});

describe('COG4 names only the checks that are on', () => {
  const cog4 = (withTable: boolean, policies?: string) => {
    const spec = resolveSpec(raw);
    const { stack } = testStack('Gateway');
    const backend = new lambda.Function(stack, 'Backend', { runtime: lambda.Runtime.NODEJS_22_X, handler: 'index.handler', code: lambda.Code.fromInline('exports.handler=async()=>({})') });
    const table = withTable ? dynamodb.TableV2.fromTableName(stack, 'Table', 'orders-platform') : undefined;
    new SecureRestApi(stack, 'Api', { spec, api: 'orders', backend, table, policies });
    return acknowledgmentsOf(stack).filter((a) => a.ruleId === 'AwsSolutions-COG4' && a.reason.startsWith('The method is authorized'));
  };
  test('revocation only with the table, Cedar only with policies', () => {
    const bare = cog4(false);
    expect(bare.length).toBeGreaterThan(0);
    for (const a of bare) {
      expect(a.reason).not.toMatch(/revocation|Cedar/);
      expect(a.condition).toBe('the platform authorizer guards the method (route scopes)');
    }
    for (const a of cog4(true, 'permit(principal, action, resource);')) expect(a.reason).toMatch(/route scopes, Cedar policies, revocation/);
  });
});
