import { CfnResource, Stack } from 'aws-cdk-lib';
import { RuleStatus, SecureApiChecks, SecureApiChecksProps } from '../../lib/compliance';
import { testStack } from '../support/nag';

/** Raw L1 resource: exactly the CloudFormation a rule sees. */
export function l1(stack: Stack, id: string, type: string, properties: Record<string, unknown> = {}): CfnResource {
  const r = new CfnResource(stack, id, { type, properties });
  r.overrideLogicalId(id);
  return r;
}

export function fresh(): Stack {
  return testStack().stack;
}

/** Runs one platform rule through the pack and returns `ruleId status path` lines for applicable results. */
export function run(stack: Stack, rule: string, props: SecureApiChecksProps = {}): { results: string[]; violations: string[] } {
  const pack = new SecureApiChecks(undefined, { ...props, only: [rule] });
  const report = pack.validateScope(stack);
  return {
    results: pack.recorder.results.map((r) => `${r.ruleId} ${r.status} ${r.constructPath}`),
    violations: report.violations.flatMap((v) => v.violatingResources.map((res) => `${v.ruleName} ${res.constructPath}`)),
  };
}

/** The status one rule gives the resource at `path`. */
export function statusOf(stack: Stack, rule: string, path: string, props: SecureApiChecksProps = {}): RuleStatus | 'n/a' {
  const pack = new SecureApiChecks(undefined, { ...props, only: [rule] });
  pack.validateScope(stack);
  const r = pack.recorder.results.find((x) => x.constructPath === path);
  if (r) expect(r.ruleId).toBe(`SecureApi-${rule}`);
  return r?.status ?? 'n/a';
}
