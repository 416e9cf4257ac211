import type { JwtIdentity } from './jwt';
import type { ApiKeyRecord } from './stores';

/** A value now, or later when a store or the JWKS endpoint must be asked: each step is synchronous on a cache hit. */
export type Eventually<T> = T | Promise<T>;

/** The outcome of authentication: who the caller is, for the checks that follow and for the Allow. */
export interface Authenticated {
  readonly principalId: string;
  readonly tenantId: string;
  readonly scopes: readonly string[];
  /** `scopes` space-separated, for the gateway's context. */
  readonly scopeText: string;
  readonly clientId: string;
  readonly authMethod: 'jwt' | 'apiKey';
  readonly jwt?: JwtIdentity;
  readonly apiKey?: ApiKeyRecord;
  readonly certificateBound: boolean;
}

/** The route a request was matched to: its key as configured (`GET /orders/{id}`, or `ANY /orders`) and its scopes. */
export interface MatchedRoute {
  /** `METHOD /resource` of the request (the Cedar action, the log's route). */
  readonly key: string;
  readonly resource: string;
  readonly scopes: readonly string[];
}
