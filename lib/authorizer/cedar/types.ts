/** The request and decision shapes shared by the compiled policies and the Cedar engine. */

/**
 * The attributes a request carries into Cedar, all in `context` (entities cost ~2x as much per call):
 * - `principal`: `User::"<sub>"` (token) or `ApiClient::"<keyId>"` (API key)
 * - `action`: `Action::"<METHOD> <resource path>"`, e.g. `Action::"GET /orders/{id}"`
 * - `resource`: `Path::"<request path>"`
 */
export interface CedarContext {
  /** Tenant of the principal (from the token or the API key's record). */
  tenant: string;
  /** `jwt` or `apiKey`. */
  authMethod: string;
  issuer: string;
  subject: string;
  clientId: string;
  scopes: string[];
  groups: string[];
  roles: string[];
  amr: string[];
  /** True when `amr` shows multi-factor authentication (`mfa`, or two or more methods). */
  mfa: boolean;
  /** Path parameters of the route, e.g. `{ tenantId: "acme", id: "42" }` (resource attributes). */
  params: Record<string, string>;
  /** The route key, e.g. `GET /orders/{id}`. */
  route: string;
  sourceIp: string;
  /** True when the request came with an mTLS client certificate that the token is bound to. */
  certificateBound: boolean;
  /** True when the request came with an mTLS client certificate. */
  mtls: boolean;
  /** Request time: epoch seconds, hour of day (UTC), day of week (UTC, 0 = Sunday). */
  time: number;
  hourUtc: number;
  dayOfWeekUtc: number;
}

export interface CedarRequest {
  readonly principal: { readonly type: string; readonly id: string };
  readonly action: string;
  readonly resource: string;
  /** A `params` value may hold any path parameters (undefined values are dropped): only those the policies read are sent. */
  readonly context: CedarContextSource;
}

export interface CedarDecision {
  /** Whether the request is allowed: Cedar allows it and no policy errored. */
  readonly allowed: boolean;
  /** Cedar's own decision (which ignores the policies that errored). */
  readonly decision: 'allow' | 'deny';
  /** Ids of the policies that determined the decision. */
  readonly policies: readonly string[];
  /** Evaluation errors (`<policy id>: <message>`): any error denies (Cedar would skip an erroring `forbid`, which would fail open). */
  readonly errors: readonly string[];
  /** Ids of the policies whose evaluation errored (skipped, as Cedar skips them). */
  readonly erroring: readonly string[];
}

export const CONTEXT_KEYS: ReadonlyArray<keyof CedarContext> = [
  'tenant', 'authMethod', 'issuer', 'subject', 'clientId', 'scopes', 'groups', 'roles', 'amr', 'mfa', 'params', 'route',
  'sourceIp', 'certificateBound', 'mtls', 'time', 'hourUtc', 'dayOfWeekUtc',
];

/**
 * The context of a request, or a function that gives one attribute of it: then only the attributes the applicable
 * policies read are ever built.
 */
export type CedarContextSource = CedarContext | ((key: keyof CedarContext) => CedarContext[keyof CedarContext]);

