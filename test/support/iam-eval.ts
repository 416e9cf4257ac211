import { runSimulation, type Simulation } from '@cloud-copilot/iam-simulate';

/** The account the policies are resolved for. */
export const ACCOUNT = '111122223333';

/**
 * A synthesized policy value with CloudFormation's pseudo parameters (`AWS::Partition`, `AWS::AccountId`) and `Fn::Join`
 * resolved as CloudFormation would for `account` in the `aws` partition. Any other intrinsic is an error: the policy
 * would depend on something a test cannot know.
 */
export function resolvePolicy<T>(value: T, account = ACCOUNT, region?: string): T {
  const pseudo: Record<string, string | undefined> = { 'AWS::Partition': 'aws', 'AWS::AccountId': account, 'AWS::Region': region, 'AWS::URLSuffix': 'amazonaws.com' };
  const visit = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(visit);
    if (v === null || typeof v !== 'object') return v;
    const o = v as Record<string, unknown>;
    if (typeof o.Ref === 'string') {
      const p = pseudo[o.Ref];
      if (p === undefined) throw new Error(`cannot resolve Ref ${o.Ref} in a policy`);
      return p;
    }
    if (Array.isArray(o['Fn::Join'])) {
      const [sep, items] = o['Fn::Join'] as [string, unknown[]];
      return items.map((x) => {
        const r = visit(x);
        if (typeof r !== 'string') throw new Error(`cannot resolve ${JSON.stringify(x)} in a policy`);
        return r;
      }).join(sep);
    }
    const intrinsic = Object.keys(o).find((k) => k.startsWith('Fn::'));
    if (intrinsic) throw new Error(`cannot resolve ${intrinsic} in a policy: ${JSON.stringify(o).slice(0, 200)}`);
    return Object.fromEntries(Object.entries(o).map(([k, x]) => [k, visit(x)]));
  };
  return visit(value) as T;
}

export interface Request {
  readonly principal: string;
  readonly action: string;
  readonly resource: string;
  /** Request context keys (aws:PrincipalArn is set from `principal`). */
  readonly context?: Record<string, string | string[]>;
  /** Identity policies of the principal. */
  readonly identity?: unknown[];
  /** The resource's policy (a key policy, a table's resource policy). */
  readonly resourcePolicy?: unknown;
}

/** AWS's decision for one request: 'Allowed', 'ExplicitlyDenied' or 'ImplicitlyDenied'. */
export async function decide(r: Request, account = ACCOUNT): Promise<string> {
  const simulation: Simulation = {
    identityPolicies: (r.identity ?? []).map((policy, i) => ({ name: `identity${i}`, policy: policy as never })),
    serviceControlPolicies: [],
    resourceControlPolicies: [],
    resourcePolicy: r.resourcePolicy as never,
    request: {
      principal: r.principal,
      action: r.action,
      resource: { resource: r.resource, accountId: account },
      // A service principal (logs.<region>.amazonaws.com) has no principal ARN or account.
      contextVariables: { ...(r.principal.startsWith('arn:') ? { 'aws:PrincipalArn': r.principal, 'aws:PrincipalAccount': account } : {}), ...r.context },
    },
  };
  const out = await runSimulation(simulation, {});
  if (out.resultType === 'error') throw new Error(`simulation refused: ${JSON.stringify(out.errors).slice(0, 600)}`);
  // A context key the simulator does not know for the action would be evaluated as missing: refuse, never guess.
  const ignored = (out as { ignoredContextKeys?: string[] }).ignoredContextKeys ?? [];
  if (ignored.length > 0) throw new Error(`the simulator ignores context keys ${ignored.join(', ')} for ${r.action}: assert that statement another way`);
  return out.overallResult;
}

/** An identity policy that allows `actions` on every resource (what a careless admin would attach). */
export function allowAll(actions: string[]): unknown {
  return { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: actions, Resource: '*' }] };
}
