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

type PrepareStackTrace = NonNullable<ErrorConstructor['prepareStackTrace']>;

/** The stack text of each call path, as `prepare` renders it; forgotten when another formatter is installed. */
const renderedStacks = { prepare: undefined as PrepareStackTrace | undefined, byCallSites: new Map<string, string>() };

/**
 * Installed while CDK records an acknowledgment, over the formatter `Error.prepareStackTrace` had: each call path's
 * stack text is rendered once by it and reused. CDK captures a trace at each acknowledgment
 * (`Validations.recordAcknowledgment`), and Node's formatter maps every frame through the source maps (tsx, ts-node,
 * `--enable-source-maps`): the 1,000-route portfolio acknowledges COG4 on each of its 1,000 methods from one call
 * path. Its 2,208 acknowledgments took 0.60 s, 0.46 s with the text reused (mean of 4 runs; the rest is CDK's capture
 * and parse of each trace). The text is a function of the captured object and of the call sites (V8's text of each:
 * function, receiver type, generated file, line, column), which are the key.
 */
function reuseRenderedStack(error: Error, sites: NodeJS.CallSite[]): unknown {
  const key = `${String(error)}\n${sites.join('\n')}`;
  let text = renderedStacks.byCallSites.get(key);
  if (text === undefined) {
    const rendered: unknown = renderedStacks.prepare!(error, sites);
    // Only text is reused (a formatter may return structured call sites).
    if (typeof rendered !== 'string') return rendered;
    renderedStacks.byCallSites.set(key, text = rendered);
  }
  return text;
}

/**
 * The formatter to restore after recording an acknowledgment, with `reuseRenderedStack` installed over it when there
 * is one to reuse (Node 20.11 and later expose their own as `Error.prepareStackTrace`).
 */
function installRenderedStacks(): PrepareStackTrace | undefined {
  const previous = Error.prepareStackTrace as PrepareStackTrace | undefined;
  if (typeof previous !== 'function' || previous === reuseRenderedStack) return previous;
  if (renderedStacks.prepare !== previous) {
    renderedStacks.prepare = previous;
    renderedStacks.byCallSites.clear();
  }
  Error.prepareStackTrace = reuseRenderedStack;
  return previous;
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
  // CDK records the trace of this call (the evidence's author and line); each call path's text is rendered once.
  // Called here, not through a helper: a frame more would change the recorded trace.
  const previous = installRenderedStacks();
  try {
    Validations.of(scope).acknowledge({ id: ruleId, reason: reason.trim() });
  } finally {
    if (previous !== undefined) Error.prepareStackTrace = previous;
  }
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
