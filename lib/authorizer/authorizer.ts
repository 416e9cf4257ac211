import { ApiKeyAuthenticator } from './api-keys';
import { BearerAuthenticator } from './bearer';
import { CedarPolicies } from './cedar';
import { AuthorizerConfig, LIMITS, ResolvedConfig } from './config';
import { validateAuthorizerConfig } from './config-validate';
import { CredentialExtractor } from './credentials';
import type { Authenticated, Eventually, MatchedRoute } from './identity';
import { fetchJwksBody, JwksFetcher } from './jwks';
import { JwtAuthenticator } from './jwt';
import { DecisionFields, DecisionLog, LogSink, stdoutSink } from './observability';
import { AccessPolicy, RouteTable } from './policy';
import { PrincipalHashes } from './principal';
import { Denial, Reason, ReasonCode, statusOf } from './reasons';
import { RevocationCheck } from './revocation';
import { StoreDeadline } from './store-call';
import type { AuthorizerStores } from './stores';
import { TenantGate } from './tenants';
import type {
  Authorizer, AuthorizerEvent, AuthorizerRequest, AuthorizerResult, Decider, Decision,
} from './types';
import { scheduleWarmUp } from './warmup';
import { DENIAL_MESSAGES } from '../spec/contracts/identity';

export { bearerToken } from './credentials';
export { certificateThumbprint } from './bearer';

/** What `createAuthorizer` can be given besides the configuration (tests, benchmarks, other runtimes). */
export interface AuthorizerDependencies {
  /**
   * Stores to use instead of the DynamoDB ones built from `tableName`.
   * @default - DynamoDB stores for `config.tableName`
   */
  readonly stores?: AuthorizerStores;
  /**
   * Where decision lines go.
   * @default - stdout (one JSON line each, read by CloudWatch Logs and its EMF extraction)
   */
  readonly log?: LogSink;
  /**
   * Monotonic clock (ms) for the caches and the JWKS back-off. Token times always use the wall clock.
   * @default process.hrtime, in milliseconds
   */
  readonly clock?: () => number;
  /**
   * JWKS fetcher.
   * @default - one GET over node:http(s) with an AbortController deadline and a 64 KB body cap
   */
  readonly jwksFetcher?: JwksFetcher;
  /**
   * Start fetching every issuer's JWKS as soon as the authorizer is built (at Lambda init), instead of at the first
   * request, and warm node:crypto's verify paths while it is awaited (see `scheduleWarmUp`). A failed prefetch never throws and
   * sets no back-off: the first request fetches again, and is denied if that fails.
   * @default false
   */
  readonly prefetchJwks?: boolean;
}

/**
 * Monotonic milliseconds. process.hrtime rather than `performance.now()`: the `performance` global loads perf_hooks
 * on first use, ~2 ms of a cold start, for the same reading.
 */
function monotonicMs(): number {
  const [seconds, nanos] = process.hrtime();
  return seconds * 1000 + nanos / 1e6;
}

function denyPolicy(principalId: string, methodArn: string): AuthorizerResult {
  return {
    principalId,
    policyDocument: { Version: '2012-10-17', Statement: [{ Action: 'execute-api:Invoke', Effect: 'Deny', Resource: methodArn }] },
  };
}

/** The collaborators of one decider, built once per cold start from the configuration. */
interface Collaborators {
  readonly credentials: CredentialExtractor;
  readonly bearer?: BearerAuthenticator;
  readonly apiKeys?: ApiKeyAuthenticator;
  readonly tenants?: TenantGate;
  readonly policy: AccessPolicy;
}

/** The stores the configuration needs: those injected, else the DynamoDB table's. */
function storesFor(cfg: ResolvedConfig, injected: AuthorizerStores | undefined): AuthorizerStores {
  let apiKeys = injected?.apiKeys;
  let revocations = injected?.revocations;
  let tenants = injected?.tenants;
  const needsTable = (cfg.apiKeys && !apiKeys) || (cfg.revocation.enabled && !revocations) || (cfg.tenants.enabled && !tenants);
  if (needsTable && cfg.tableName) {
    // Loaded only when a table is used: keeps the AWS SDK out of the cold start of a JWT-only authorizer.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { DynamoDbAuthorizerStore } = require('./stores/dynamodb') as typeof import('./stores/dynamodb');
    const table = new DynamoDbAuthorizerStore({ tableName: cfg.tableName, requestTimeoutMs: cfg.storeTimeoutMs });
    apiKeys ??= table;
    revocations ??= table;
    tenants ??= table;
  }
  return { apiKeys, revocations, tenants };
}

function collaborators(cfg: ResolvedConfig, deps: AuthorizerDependencies, clock: () => number, log: DecisionLog, routes: RouteTable): Collaborators {
  const jwt = new JwtAuthenticator(cfg, {
    timeoutMs: cfg.jwksTimeoutMs,
    maxAgeMs: cfg.jwksCacheSeconds * 1000,
    clock,
    fetcher: deps.jwksFetcher ?? fetchJwksBody,
    onFetch: (uri, ms, error) => log.jwksFetch(uri, ms, error),
  });
  if (deps.prefetchJwks) {
    // First, so its DNS lookup runs while the rest of the init (stores, the AWS SDK, Cedar) does (Node opens the
    // connection once init yields); the first-use costs of the verify paths are paid while the answer is awaited (one
    // step per turn of the event loop, until the fetch has settled), instead of inside the first decision.
    let settled = false;
    void jwt.warm().then(() => {
      settled = true;
    });
    scheduleWarmUp(new Set(cfg.issuers.flatMap((i) => i.algorithms)), () => settled);
  }
  const stores = storesFor(cfg, deps.stores);
  if (!cfg.revocation.enabled) log.event('WARN', 'token revocation is disabled by configuration (revocation.enabled=false)', {});
  const deadline = new StoreDeadline(cfg.storeTimeoutMs);
  const maxCacheEntries = LIMITS.maxCacheEntries;
  const principals = new PrincipalHashes();
  const revocation = cfg.revocation.enabled ? new RevocationCheck(stores.revocations!, deadline, {
    failOpen: cfg.revocation.failOpen, cacheSeconds: cfg.revocation.cacheSeconds, issuers: cfg.issuers.map((i) => i.issuer), maxCacheEntries, clock,
  }) : undefined;

  // The actions Cedar can be asked about are the route keys (unlisted routes are denied first); an ANY route's, each method's.
  const cedar = cfg.policies !== undefined ? new CedarPolicies(cfg.policies, { actions: routes.actions() }) : undefined;
  // Which engine evaluates the policies (compiled closures, or cedar-wasm for a set outside the compiled subset), once per cold start.
  if (cedar) log.event(cedar.engine === 'compiled' ? 'INFO' : 'WARN', 'Cedar policies loaded', { engine: cedar.engine, fallbackReason: cedar.fallbackReason });

  return {
    credentials: new CredentialExtractor({ bearer: cfg.issuers.length > 0, apiKeys: cfg.apiKeys !== undefined, apiKeyHeader: cfg.apiKeys?.header }),
    bearer: cfg.issuers.length > 0
      ? new BearerAuthenticator(jwt, revocation, principals, { certificateRequired: cfg.certificateBinding.required, clock })
      : undefined,
    apiKeys: cfg.apiKeys ? new ApiKeyAuthenticator(stores.apiKeys!, deadline, principals, {
      cacheSeconds: cfg.apiKeys.cacheSeconds, maxKeyLength: LIMITS.maxApiKeyLength, maxCacheEntries, clock,
    }) : undefined,
    tenants: cfg.tenants.enabled
      ? new TenantGate(stores.tenants!, deadline, { cacheSeconds: cfg.tenants.cacheSeconds, maxCacheEntries, clock })
      : undefined,
    policy: new AccessPolicy(cedar),
  };
}

/** The checks' outcome: who the caller is, and the tenant's metering key. */
interface Decided {
  readonly who: Authenticated;
  readonly usageKey?: string;
}

/** A decision now, or later when a store or the JWKS endpoint must be asked. */
type EventualDecider = (request: AuthorizerRequest) => Eventually<Decision>;

/**
 * The decision core: validated configuration, collaborators (credential extraction, bearer tokens, API keys,
 * revocation, tenant gate, access policy) built once per cold start with their caches; the returned function makes one
 * decision per request, logs it, and never throws. Each step is synchronous when what it needs is cached or held in
 * memory, and so is the whole decision then: no promise is made for it. Throws {@link AuthorizerConfigError} for an
 * invalid configuration.
 */
function createDecisionCore(config: AuthorizerConfig, deps: AuthorizerDependencies): EventualDecider {
  const injected = (['apiKeys', 'revocations', 'tenants'] as const).filter((k) => deps.stores?.[k] !== undefined);
  const cfg: ResolvedConfig = validateAuthorizerConfig(config, { injectedStores: injected });
  const clock = deps.clock ?? monotonicMs;
  const log = new DecisionLog(cfg.metricsNamespace, deps.log ?? stdoutSink);
  const routes = new RouteTable(cfg.routes);
  const { credentials, bearer, apiKeys, tenants, policy } = collaborators(cfg, deps, clock, log, routes);

  function decide(event: AuthorizerRequest, fields: DecisionFields, now: number): Eventually<Decided> {
    const method = event.httpMethod ?? event.requestContext?.httpMethod ?? '';
    const resource = event.resource ?? event.requestContext?.resourcePath ?? '';
    const route = routes.match(method, resource);
    if (!route) {
      fields.route = `${method} ${resource}`;
      throw new Denial(Reason.ROUTE_NOT_LISTED);
    }
    fields.route = route.key;
    const credential = credentials.extract(event);
    const who = credential.kind === 'jwt'
      ? bearer!.authenticate(credential.authorization, event, fields, now)
      : apiKeys!.authenticate(credential.key, fields, now);
    return who instanceof Promise ? who.then((w) => admit(w, route, event, clock())) : admit(who, route, event, now);
  }

  /** The tenant gate, then the access policy. */
  function admit(who: Authenticated, route: MatchedRoute, event: AuthorizerRequest, now: number): Eventually<Decided> {
    if (!tenants) {
      policy.authorize(who, route, event);
      return { who };
    }
    const tenant = tenants.check(who.tenantId, now);
    if (tenant instanceof Promise) {
      return tenant.then((t) => {
        policy.authorize(who, route, event);
        return { who, usageKey: t.meteringKey };
      });
    }
    policy.authorize(who, route, event);
    return { who, usageKey: tenant.meteringKey };
  }

  /** The allow: its context, its log line. */
  function allowed({ who, usageKey }: Decided, fields: DecisionFields, started: number): Decision {
    fields.decision = 'allow';
    fields.status = 200;
    fields.reason = Reason.ALLOWED;
    fields.latencyMs = monotonicMs() - started;
    log.decision(fields);
    return {
      allowed: true,
      status: 200,
      reason: Reason.ALLOWED,
      principalId: who.principalId,
      context: {
        principalId: who.principalId,
        tenantId: who.tenantId,
        scopes: who.scopeText,
        clientId: who.clientId,
        authMethod: who.authMethod,
      },
      usageKey,
    };
  }

  /** A denial (a {@link Denial}, or anything else thrown: an internal error), its log line. */
  function denied(e: unknown, fields: DecisionFields, started: number): Decision {
    let reason: ReasonCode;
    if (e instanceof Denial) {
      reason = e.reason;
      if (e.message !== e.reason) fields.detail = e.message.slice(0, 300);
    } else {
      reason = Reason.INTERNAL_ERROR;
      fields.detail = e instanceof Error ? `${e.name}: ${e.message}`.slice(0, 300) : 'non-error thrown';
    }
    const status = statusOf(reason);
    fields.reason = reason;
    fields.status = status;
    fields.latencyMs = monotonicMs() - started;
    log.decision(fields);
    return { allowed: false, status, reason, principalId: fields.principal ?? 'anonymous' };
  }

  return function decideNow(event: AuthorizerRequest): Eventually<Decision> {
    const started = monotonicMs();
    // Every member present from the start: one object shape for every decision (no shape transitions as members are set).
    const fields: DecisionFields = {
      decision: 'deny',
      status: 401,
      reason: Reason.INTERNAL_ERROR,
      latencyMs: 0,
      requestId: undefined,
      route: undefined,
      authMethod: undefined,
      issuer: undefined,
      kid: undefined,
      tenant: undefined,
      principal: undefined,
      detail: undefined,
      degraded: undefined,
    };
    let decided: Eventually<Decided>;
    try {
      fields.requestId = typeof event?.requestContext?.requestId === 'string' ? event.requestContext.requestId.slice(0, 128) : undefined;
      // One clock reading for every cache lookup of this decision (the default clock is the one `started` read).
      decided = decide(event, fields, deps.clock ? clock() : started);
    } catch (e) {
      return denied(e, fields, started);
    }
    if (decided instanceof Promise) return decided.then((d) => allowed(d, fields, started), (e: unknown) => denied(e, fields, started));
    return allowed(decided, fields, started);
  };
}

/**
 * Builds the cloud-neutral decision (see {@link createDecisionCore}): one decision per request, logged; the promise
 * resolves with it and never rejects. The API Gateway authorizer (`createAuthorizer`) and the Azure Function
 * (`adapters/azure-function`) are thin adapters around it.
 * Throws {@link AuthorizerConfigError} for an invalid configuration.
 */
export function createDecider(config: AuthorizerConfig, deps: AuthorizerDependencies = {}): Decider {
  const decideNow = createDecisionCore(config, deps);
  return (request) => Promise.resolve(decideNow(request));
}

/** The API Gateway answer to a decision: an Allow policy with the context, a Deny policy (403), or `Error('Unauthorized')` (401). */
function answer(d: Decision, event: AuthorizerEvent): Promise<AuthorizerResult> {
  if (d.allowed) {
    const result: AuthorizerResult = {
      principalId: d.principalId,
      policyDocument: { Version: '2012-10-17', Statement: [{ Action: 'execute-api:Invoke', Effect: 'Allow', Resource: event.methodArn }] },
      context: d.context,
    };
    if (d.usageKey !== undefined) result.usageIdentifierKey = d.usageKey;
    return Promise.resolve(result);
  }
  if (d.status === 403 && typeof event?.methodArn === 'string') return Promise.resolve(denyPolicy(d.principalId, event.methodArn));
  return Promise.reject(new Error(DENIAL_MESSAGES[401]));
}

/**
 * Builds the API Gateway authorizer around the decision core (as {@link createDecider} is): an Allow policy with the context, a Deny policy
 * (403), or `Error('Unauthorized')` (401). Throws {@link AuthorizerConfigError} for an invalid configuration.
 */
export function createAuthorizer(config: AuthorizerConfig, deps: AuthorizerDependencies = {}): Authorizer {
  const decideNow = createDecisionCore(config, deps);
  // No async function around the core: a decision made synchronously settles its promise at once.
  return function authorize(event: AuthorizerEvent): Promise<AuthorizerResult> {
    const d = decideNow(event);
    return d instanceof Promise ? d.then((x) => answer(x, event)) : answer(d, event);
  };
}
