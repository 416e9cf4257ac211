import { CedarContextSource, CedarPolicies } from './cedar';
import type { Authenticated, MatchedRoute } from './identity';
import { Denial, Reason } from './reasons';
import type { AuthorizerRequest } from './types';
import { HTTP_METHODS } from '../spec/types';

/**
 * The configured routes, matched in O(1) per request whatever their number: by resource path, then method. An `ANY`
 * route answers each of the HTTP methods API Gateway sends that the path has no route of its own for; any other method
 * matches nothing. Each match (its key, resource and scopes) is built once per cold start, so a request allocates none.
 */
export class RouteTable {
  private readonly byResource = new Map<string, Map<string, MatchedRoute>>();

  constructor(routes: ReadonlyMap<string, { readonly scopes: readonly string[] }>) {
    for (const [key, { scopes }] of routes) {
      const space = key.indexOf(' ');
      const method = key.slice(0, space);
      const resource = key.slice(space + 1);
      let methods = this.byResource.get(resource);
      if (!methods) this.byResource.set(resource, methods = new Map());
      if (method !== 'ANY') {
        methods.set(method, Object.freeze({ key, resource, scopes }));
        continue;
      }
      for (const m of HTTP_METHODS) {
        const own = `${m} ${resource}`;
        if (!routes.has(own) && !methods.has(m)) methods.set(m, Object.freeze({ key: own, resource, scopes }));
      }
    }
  }

  /** The route of a request's method and API Gateway resource path, if one is configured. */
  match(method: string, resource: string): MatchedRoute | undefined {
    return this.byResource.get(resource)?.get(method);
  }

  /** The Cedar actions the routes can be asked about: every matched route's key (an `ANY` route's, one per method). */
  actions(): string[] {
    return [...this.byResource.values()].flatMap((methods) => [...methods.values()].map((r) => r.key));
  }
}

/**
 * The access policy of an authenticated caller: every scope the route requires, then the Cedar policies (when
 * configured) with the request's context. Synchronous.
 */
export class AccessPolicy {
  /** `cedar`: the policies, built for the configured routes' actions (unlisted routes are denied first). */
  constructor(private readonly cedar: CedarPolicies | undefined) {}

  /** Throws a {@link Denial} (`insufficient_scope`, `policy_deny`, `policy_error`) unless the caller may call the route. */
  authorize(who: Authenticated, route: MatchedRoute, event: AuthorizerRequest): void {
    for (const scope of route.scopes) if (!who.scopes.includes(scope)) throw new Denial(Reason.INSUFFICIENT_SCOPE, scope);
    if (!this.cedar) return;
    const answer = this.cedar.isAuthorized({
      principal: who.authMethod === 'jwt' ? { type: 'User', id: who.principalId } : { type: 'ApiClient', id: who.clientId },
      action: route.key,
      resource: event.path ?? route.resource,
      context: cedarContext(who, event, route.key),
    });
    if (!answer.allowed) {
      throw new Denial(answer.errors.length > 0 ? Reason.POLICY_ERROR : Reason.POLICY_DENY, answer.errors.join('; ').slice(0, 300) || undefined);
    }
  }
}

/**
 * The request's Cedar context, one attribute at a time: Cedar is sent only the attributes (and path parameters) the
 * policies that can apply to the action read, so only those are built.
 */
function cedarContext(who: Authenticated, event: AuthorizerRequest, route: string): CedarContextSource {
  let now: Date | undefined;
  const amr = who.jwt?.amr ?? [];
  return (key) => {
    switch (key) {
      case 'tenant': return who.tenantId;
      case 'authMethod': return who.authMethod;
      case 'issuer': return who.jwt?.issuer ?? '';
      case 'subject': return who.jwt?.subject ?? '';
      case 'clientId': return who.clientId;
      // Read-only views, not copies: Cedar converts them to its own values and never writes to them.
      case 'scopes': return who.scopes as string[];
      case 'groups': return (who.jwt?.groups ?? []) as string[];
      case 'roles': return (who.jwt?.roles ?? []) as string[];
      case 'amr': return amr as string[];
      case 'mfa': return who.jwt?.mfa ?? false;
      // Every path parameter; CedarPolicies keeps those the policies read, with a string value.
      case 'params': return (event.pathParameters ?? {}) as Record<string, string>;
      case 'route': return route;
      case 'sourceIp': return event.requestContext?.identity?.sourceIp ?? '';
      case 'certificateBound': return who.certificateBound;
      case 'mtls': return Boolean(event.requestContext?.identity?.clientCert?.clientCertPem);
      // One reading of the clock for the three time attributes.
      case 'time': return Math.floor((now ??= new Date()).getTime() / 1000);
      case 'hourUtc': return (now ??= new Date()).getUTCHours();
      case 'dayOfWeekUtc': return (now ??= new Date()).getUTCDay();
      default: throw new Error(`unknown Cedar context attribute ${String(key)}`);
    }
  };
}
