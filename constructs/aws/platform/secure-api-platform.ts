import { Aspects, IAspect, Stack, Stage, Token } from 'aws-cdk-lib';
import { Construct, IConstruct } from 'constructs';
import { BackendFactory, lambdaBackend, LambdaBackendOptions } from './backends';
import { EdgeKeysStack } from './edge-keys-stack';
import { EdgeStack } from './edge-stack';
import { GlobalDataStack } from './global-data-stack';
import { RegionalKeysStack } from './regional-keys-stack';
import { RegionalPlatformStack } from './regional-platform-stack';
import { PlatformValidationError } from '../../../lib/errors';
import { PlatformSpec, resolveSpec, ResolvedSpec } from '../../../lib/spec';
import { RoleNames, ROUTE53_METRICS_REGION } from '../../../lib/spec/contracts/names';
import { RolePathAspect } from '../common/role-path';
import { CloudHsmInitialization } from '../keys/cloudhsm-key-store';
import { AccountBaseline } from '../observability/account-baseline';
import { HealthCheckAlarms } from '../observability/health-alarms';

export interface SecureApiPlatformProps {
  /** What to build. Validated (every problem reported at once) before any resource is created. */
  readonly spec: PlatformSpec;
  /**
   * The AWS account of every stack.
   * @default - the CLI's account at deploy time (environment-agnostic account; regions are always explicit)
   */
  readonly account?: string;
  /**
   * Lambda backends by API name (required for each API whose backend kind is `lambda`).
   * @default - none
   */
  readonly backends?: Record<string, BackendFactory>;
  /**
   * Cedar policies evaluated by the authorizer after the scope check (RBAC + ABAC).
   * @default - scopes only
   */
  readonly policies?: string;
  /**
   * CloudHSM initialization (trust anchor, KMS user password) for `spec.keys.hsmBacked`. Without it the cluster and
   * HSMs are created and the key store waits for the manual steps documented on `CloudHsmKeyStore`.
   * @default - cluster only
   */
  readonly hsmInitialization?: CloudHsmInitialization;
  /**
   * Also create the per-account baseline (GuardDuty, Security Hub, Config rules, the API Gateway logs role) in
   * every region. Deploying it over existing detectors or hubs fails, so it is never created unasked.
   * @default false
   */
  readonly accountBaseline?: boolean;
  /**
   * Trail every account of the AWS Organization (the stack must then be deployed in the management account).
   * @default false
   */
  readonly organizationTrail?: boolean;
  /**
   * Prefix of the stack names.
   * @default - the construct id
   */
  readonly stackPrefix?: string;
}

/**
 * The complete platform from one spec: per-region keys, the global data stack, a regional platform per region and
 * the us-east-1 edge, wired by computed names (aliases, table and secret names, SSM parameters) instead of tokens
 * across regions, in a fixed deployment order:
 *
 * 1. `<prefix>-Keys-<region>` (primary first, then secondaries: replicas of the primary's multi-region keys, the
 *    secondary archives), and `<prefix>-EdgeKeys` in us-east-1 when the CDN is on;
 * 2. `<prefix>-Global` (primary region): global table, audit archive + trail, user pool, origin-verify secret;
 * 3. `<prefix>-Region-<region>`: WAF, gateway, authorizer, backends, alarms, dashboard, log shipping, failover;
 * 4. `<prefix>-Edge` (us-east-1): CloudFront, its web ACL, Shield Advanced.
 *
 * Where the stacks live: `scope` must be an `App` or a `Stage`, and every stack is created in that scope, beside the
 * platform construct (not under it), so their names and `cdk.out` artifacts are `<prefix>-…` exactly as listed
 * above (`cdk deploy '<prefix>-*'`). `platform.stacks` lists them all; `Aspects.of(platform)` reaches every one of
 * them (an aspect added to the platform is applied to each of its stacks), while `platform.node.children` holds none.
 * To deploy several platforms or environments side by side, give each its own `Stage`.
 */
export class SecureApiPlatform extends Construct {
  /**
   * A backend factory for a pre-built asset folder (bundled ahead of synth) with the platform's defaults (see
   * `BackendFunction`): the regional idempotency table and the given tables granted, IDEMPOTENCY_TABLE set.
   */
  public static lambdaBackend(assetPath: string, options: LambdaBackendOptions = {}): BackendFactory {
    return lambdaBackend(assetPath, options);
  }

  public readonly spec: ResolvedSpec;
  public readonly keys: Record<string, RegionalKeysStack> = {};
  public readonly edgeKeys?: EdgeKeysStack;
  public readonly global: GlobalDataStack;
  public readonly regions: Record<string, RegionalPlatformStack> = {};
  public readonly edge?: EdgeStack;
  public readonly baselines: Record<string, Stack> = {};
  /** us-east-1: alarms on the regions' Route 53 health checks (when any region has one). */
  public readonly healthAlarms?: Stack;
  /** Every stack this platform created, in creation order (they live in the App or Stage given as scope). */
  public readonly stacks: Stack[] = [];

  constructor(scope: Construct, id: string, props: SecureApiPlatformProps) {
    super(scope, id);
    if (!Stage.isStage(scope)) {
      throw new PlatformValidationError(`scope must be an App or a Stage: the platform creates its stacks there (received: ${describeScope(scope)}); `
        + 'pass the App, or a Stage of your own to group the platform\'s stacks', this);
    }
    this.spec = resolveSpec(props.spec);
    const spec = this.spec;
    const prefix = props.stackPrefix ?? id;
    if (!/^[A-Za-z][A-Za-z0-9-]{0,80}$/.test(prefix)) {
      throw new PlatformValidationError(`stackPrefix must be letters, digits and hyphens (received: ${JSON.stringify(prefix)}); stack names are built from it`, this);
    }
    if (props.account !== undefined && !Token.isUnresolved(props.account) && !/^\d{12}$/.test(props.account)) {
      throw new PlatformValidationError(`account must be a 12-digit AWS account id (received: ${JSON.stringify(props.account)})`, this);
    }
    const env = (region: string) => ({ account: props.account, region });
    const root = scope;
    const description = (what: string) => `${spec.name}: ${what} (secure-api-platform)`;

    for (const region of spec.regions) {
      const stack = new RegionalKeysStack(root, `${prefix}-Keys-${region}`, { env: env(region), spec, hsmInitialization: props.hsmInitialization, description: description(`keys of ${region}`) });
      if (region !== spec.primaryRegion) stack.addStackDependency(this.keys[spec.primaryRegion]);
      this.keys[region] = stack;
    }
    const needsEdge = spec.needsEdge;
    if (needsEdge && !spec.regions.includes('us-east-1')) {
      this.edgeKeys = new EdgeKeysStack(root, `${prefix}-EdgeKeys`, { env: env('us-east-1'), spec, description: description('us-east-1 keys of the edge') });
    }
    this.global = new GlobalDataStack(root, `${prefix}-Global`, {
      env: env(spec.primaryRegion),
      spec,
      keys: this.keys[spec.primaryRegion].keys,
      organizationTrail: props.organizationTrail,
      description: description('global data, identity and audit'),
      hsmTableKey: this.keys[spec.primaryRegion].hsm?.keyArn !== undefined,
    });
    Object.values(this.keys).forEach((k) => this.global.addStackDependency(k));
    if (this.edgeKeys) this.global.addStackDependency(this.edgeKeys);

    for (const region of spec.regions) {
      const keysStack = this.keys[region];
      const archive = region === spec.primaryRegion ? this.global.archive : keysStack.archive!;
      const stack = new RegionalPlatformStack(root, `${prefix}-Region-${region}`, {
        env: env(region), spec, keys: keysStack.keys, archive, backends: props.backends, policies: props.policies, description: description(`regional platform in ${region}`),
      });
      stack.addStackDependency(this.global);
      stack.addStackDependency(keysStack);
      this.regions[region] = stack;
    }

    if (needsEdge) {
      const usEast1 = this.keys['us-east-1']?.keys;
      this.edge = new EdgeStack(root, `${prefix}-Edge`, {
        env: env('us-east-1'),
        spec,
        logKey: this.edgeKeys?.logs,
        archiveKey: this.edgeKeys?.audit ?? usEast1!.audit,
        shippingKey: this.edgeKeys?.logs ?? usEast1!.logs,
        description: description('CloudFront edge, web ACL and Shield'),
      });
      Object.values(this.regions).forEach((r) => this.edge!.addStackDependency(r));
      if (this.edgeKeys) this.edge.addStackDependency(this.edgeKeys);
    }

    // Route 53 health-check metrics exist only in us-east-1: the alarms on them live there, CDN or not.
    const checked = Object.entries(this.regions).filter(([, r]) => r.failover).map(([region]) => region);
    if (checked.length > 0) {
      this.healthAlarms = new Stack(root, `${prefix}-HealthAlarms`, { env: env(ROUTE53_METRICS_REGION), description: description('Route 53 health-check alarms (us-east-1)') });
      new HealthCheckAlarms(this.healthAlarms, 'Health', { spec, regions: checked });
      checked.forEach((r) => this.healthAlarms!.addStackDependency(this.regions[r]));
    }

    if (props.accountBaseline) {
      for (const region of spec.regions) {
        const stack = new Stack(root, `${prefix}-Baseline-${region}`, { env: env(region), description: description(`account baseline in ${region}`) });
        // The regional platform stacks already create the API Gateway logs role (or the spec says it exists).
        new AccountBaseline(stack, 'Baseline', { apiGatewayLoggingRole: false });
        this.keys[region].addStackDependency(stack);
        this.baselines[region] = stack;
      }
    }

    this.stacks.push(
      ...Object.values(this.keys), ...(this.edgeKeys ? [this.edgeKeys] : []), this.global, ...Object.values(this.regions),
      ...(this.edge ? [this.edge] : []), ...(this.healthAlarms ? [this.healthAlarms] : []), ...Object.values(this.baselines),
    );
    Aspects.of(this).add(new ForwardToStacks(this, this.stacks));
    // Every role of the platform under /<platform>/: the key policies name the platform's roles by that path.
    for (const stack of this.stacks) Aspects.of(stack).add(new RolePathAspect(RoleNames.path(spec.name)));
  }
}

/** `Stack 'Name'`, `Construct 'path'`: what the scope given to the platform was. */
function describeScope(scope: IConstruct): string {
  const kind = Stack.isStack(scope) ? 'Stack' : scope.constructor.name;
  return `${kind} "${scope.node.path || '(root)'}"`;
}

/**
 * Applies the aspects added to the platform construct to each of its stacks: the stacks live beside the platform in
 * its App or Stage, outside the subtree the platform's own aspects visit. Invoked on the platform node, which comes
 * before its stacks in the tree, so the forwarded aspects run on each stack in the same synthesis.
 */
class ForwardToStacks implements IAspect {
  constructor(private readonly platform: IConstruct, private readonly stacks: readonly Stack[]) {}

  public visit(node: IConstruct): void {
    if (node !== this.platform) return;
    for (const applied of Aspects.of(this.platform).applied) {
      if (applied.aspect === this) continue;
      for (const stack of this.stacks) {
        if (!Aspects.of(stack).all.includes(applied.aspect)) Aspects.of(stack).add(applied.aspect, { priority: applied.priority });
      }
    }
  }
}
