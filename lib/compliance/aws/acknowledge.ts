import { Stack, Stage, Validations } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';
import { PlatformValidationError } from '../../errors';
import { ACK_CONDITION_METADATA_KEY, Acknowledgment, AWS_RULE_ID_RE, reasonProblem } from '../acknowledge';

/** The condition recorded with the acknowledgment of `ruleId` on exactly `scope`. */
export function acknowledgmentCondition(scope: IConstruct, ruleId: string): string | undefined {
  for (const entry of scope.node.metadata) {
    if (entry.type === ACK_CONDITION_METADATA_KEY && entry.data && typeof (entry.data as Record<string, unknown>)[ruleId] === 'string') {
      return (entry.data as Record<string, string>)[ruleId];
    }
  }
  return undefined;
}

/**
 * A rule id as `acknowledge()` records it: the `Pack::Pack-Rule` form CDK prints after "Acknowledge with" (namespace
 * = the plugin's name) becomes `Pack-Rule`, the form cdk-nag looks up. Other ids are returned as given.
 */
export function normalizeRuleId(ruleId: string): string {
  const m = typeof ruleId === 'string' ? /^([A-Za-z0-9. -]+)::(.+)$/.exec(ruleId) : null;
  if (!m) return ruleId;
  const rule = m[2];
  const pack = AWS_RULE_ID_RE.exec(rule)?.[1];
  return pack !== undefined && m[1].replace(/ /g, '-') === pack ? rule : ruleId;
}

/**
 * The only way the library acknowledges a finding: next to the resource it concerns, naming the rule, with a
 * reason an assessor would accept. Refuses a whole Stack, Stage or App as scope (that would hide findings on
 * resources nobody looked at), an unknown rule id, and a missing or trivial reason. The rule id may be given as
 * `Pack-Rule` or in the `Pack::Pack-Rule` form CDK prints after "Acknowledge with". Where the reason holds only in some
 * configuration, the caller emits the acknowledgment only there and names that configuration in `condition`: the
 * evidence lists it next to the reason.
 */
export function acknowledge(scope: IConstruct, ruleIdInput: string, reason: string, condition?: string): void {
  const ruleId = normalizeRuleId(ruleIdInput);
  if (Stage.isStage(scope) || Stack.isStack(scope) || scope.node.scope === undefined) {
    throw new PlatformValidationError(
      `acknowledge(): scope must be the resource (or the construct that owns it) the finding concerns (received: the ${Stack.isStack(scope) ? 'Stack' : 'App or Stage'} "${scope.node.path || '<root>'}"); a blanket acknowledgment would hide findings on every other resource`,
    );
  }
  if (typeof ruleId !== 'string' || !AWS_RULE_ID_RE.test(ruleId)) {
    throw new PlatformValidationError(
      `acknowledge(): ruleId must name one rule of a platform pack, e.g. "AwsSolutions-IAM5[Action::s3:*]", "HIPAA.Security-LambdaDLQ" or CDK's "AwsSolutions::AwsSolutions-SQS2" (received: ${JSON.stringify(ruleIdInput)})`,
      scope,
    );
  }
  const problem = reasonProblem('acknowledge', ruleId, reason);
  if (problem !== undefined) throw new PlatformValidationError(problem, scope);
  Validations.of(scope).acknowledge({ id: ruleId, reason: reason.trim() });
  if (condition !== undefined) scope.node.addMetadata(ACK_CONDITION_METADATA_KEY, { [ruleId]: condition });
}

/** Every acknowledgment recorded under `scope` (from construct metadata, which CDK also writes to the assembly). */
export function acknowledgmentsOf(scope: IConstruct): Acknowledgment[] {
  const out: Acknowledgment[] = [];
  for (const c of scope.node.findAll()) {
    for (const entry of c.node.metadata) {
      if (entry.type !== Validations.ACKNOWLEDGED_RULES_METADATA_KEY || !entry.data) continue;
      for (const [id, why] of Object.entries(entry.data as Record<string, string>)) {
        const ruleId = id.replace(/^annotation::/i, '');
        out.push({ ruleId, reason: String(why), constructPath: c.node.path, condition: acknowledgmentCondition(c, ruleId) });
      }
    }
  }
  return out;
}
