// Platform, plan and region names (PLATFORM_NAME_PATTERN, PLAN_NAME_PATTERN, AWS_REGION_PATTERN and AZURE_REGION_PATTERN
// in lib/spec/contracts/names): each part that checks one is driven at the pattern's edges (the spec, the CLI, the
// origin-verify secret's propagation regions, the Azure platform's refusal of AWS regions), so a part that drifts fails.
import { TerraformStack, Testing } from 'cdktf';
import { OriginVerifySecret, PlatformKeys } from '../../constructs/aws/keys';
import { AzureSecureApiPlatform } from '../../constructs/azure';
import { checkPlanName, checkPlatform } from '../../lib/cli/validate';
import { PlatformSpec, resolveSpec, validateSpec } from '../../lib/spec';
import { AZURE_BACKEND_PACKAGE, azureSpec } from '../fixtures/azure-spec';
import { fixtureSpec } from '../fixtures/platform-spec';
import { testStack } from '../support/nag';

const raw = fixtureSpec('aws', { lean: true });
const passes = (fn: () => unknown): boolean => {
  try {
    fn();
    return true;
  } catch {
    return false;
  }
};

test.each([
  ['abc', true], [`a${'b'.repeat(22)}c`, true], ['orders-eu', true],
  ['ab', false], [`a${'b'.repeat(23)}c`, false], ['Orders', false], ['-abc', false], ['abc-', false], ['ab_c', false],
])('platform name %j: the spec and the CLI both say %s', (name, expected) => {
  expect({
    spec: !validateSpec({ ...raw, name }).some((i) => i.path === 'name'),
    cli: passes(() => checkPlatform(name)),
  }).toEqual({ spec: expected, cli: expected });
});

test.each([
  ['a', true], ['standard', true], ['gold-2', true], [`a${'b'.repeat(31)}`, true],
  ['Gold', false], ['1st', false], [`a${'b'.repeat(32)}`, false], ['gold_plan', false],
])('plan name %j: the spec and the CLI both say %s', (name, expected) => {
  const spec: PlatformSpec = { ...raw, plans: { ...raw.plans, [name]: { rate: 1, burst: 1, dailyQuota: 100 } } };
  expect({
    spec: !validateSpec(spec).some((i) => i.path === `plans.${name}`),
    cli: passes(() => checkPlanName(name)),
  }).toEqual({ spec: expected, cli: expected });
});

describe('region names', () => {
  const awsRegions = ['eu-west-1', 'us-gov-west-1', 'us-isob-east-1'];
  const azureRegions = ['westeurope', 'swedencentral'];

  test.each([...awsRegions, ...azureRegions])('%s is a region the spec accepts', (region) => {
    const spec = { ...raw, regions: { primary: region } };
    expect(validateSpec(spec).filter((i) => i.path.startsWith('regions'))).toEqual([]);
  });

  test.each(['EU-west-1', 'eu_west_1', 'eu-west-1a'])('%s is refused by the spec', (region) => {
    expect(validateSpec({ ...raw, regions: { primary: region } }).some((i) => i.path === 'regions.primary')).toBe(true);
  });

  test.each([...awsRegions.map((r) => [r, true] as const), ...azureRegions.map((r) => [r, false] as const)])(
    '%s: the origin-verify secret takes it for an AWS region (%s), the Azure platform refuses it as one (the opposite)',
    (region, aws) => {
      const { stack } = testStack('OriginVerify', 'eu-west-1');
      const spec = resolveSpec(raw);
      const keys = new PlatformKeys(stack, 'Keys', { spec });
      const originVerify = passes(() => new OriginVerifySecret(stack, 'OriginVerify', { spec, encryptionKey: keys.secrets, logKey: keys.logs, propagateTo: { regions: [region] } }));
      const azure = azureSpec([{ name: 'a', issuer: 'https://a.example.com', audience: ['api://a'] }]);
      const onAzure = passes(() => new AzureSecureApiPlatform(new TerraformStack(Testing.app(), 's'), 'P', {
        spec: { ...azure, regions: { primary: region } }, publisherEmail: 'a@example.com', backendPackages: { 'orders-v1': { packagePath: AZURE_BACKEND_PACKAGE } }, enforceCompliance: false,
      }));
      expect({ originVerify, onAzure }).toEqual({ originVerify: aws, onAzure: !aws });
    },
  );
});
