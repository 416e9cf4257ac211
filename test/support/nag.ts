import { App, Stack, Stage } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';
import { Compliance, PROFILE_PACKS } from '../../lib/compliance';
import { COMPLIANCE_PROFILES, ComplianceProfile } from '../../lib/spec';

export const ALL_PROFILES: ComplianceProfile[] = [...COMPLIANCE_PROFILES];

/**
 * Runs every pack of `profiles` over `scope` (after the app has been synthesized, so the tree is prepared)
 * and returns each unacknowledged finding as `rule at path: description`. Faster and clearer in a test
 * failure than a synth that stops with ValidationFailed.
 */
export function nagFindings(scope: IConstruct, profiles: ComplianceProfile[] = ALL_PROFILES): string[] {
  const root = scope.node.root as App;
  root.synth({ force: false });
  const packs = Compliance.packProfiles(profiles).map((p) => PROFILE_PACKS[p](scope, { verbose: false }));
  return packs.flatMap((pack) =>
    pack.validateScope(scope).violations.flatMap((v) => v.violatingResources.map((r) => `${v.ruleName} at ${r.constructPath}: ${v.description}`)),
  );
}

/** A stack in a fresh App with CDK's built-in CloudFormation validation off (4 s a synth) (tests that check packs call `nagFindings`). */
export function testStack(id = 'Test', region = 'eu-west-1'): { app: App; stack: Stack } {
  const app = new App({ builtinCloudFormationValidation: false });
  const stack = new Stack(app, id, { env: { account: '111111111111', region } });
  return { app, stack };
}

export { Stage };
