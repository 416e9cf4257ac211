import {
  AZURE_AUTHORIZER_ROUTE, AZURE_AUTHZ_REQUEST as REQ, AZURE_AUTHZ_RESPONSE, AZURE_TRUSTED_HEADERS,
} from '../../lib/authorizer/adapters/azure-contract';
import {
  AUTHORIZATION_HEADER_NAME, CORS_PREFLIGHT_MAX_AGE_SECONDS, corsAllowHeaders, DENIAL_MESSAGES, ResolvedIssuer, ResolvedRoute, ResolvedSpec,
  SECURITY_HEADERS, SignatureAlgorithm,
} from '../../lib/spec';

/** Escapes a value for XML text and attribute content (every spec value goes through it). */
export function xmlEscape(value: string | number | boolean): string {
  return String(value).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&apos;');
}

/** Variable holding the authorizer function's answer (`<status>|<json>`), cached per region under the decision key. */
export const AUTHZ_ANSWER_VARIABLE = 'authzAnswer';
/** Variable holding the client IP the decision and its cache key use. */
export const CLIENT_IP_VARIABLE = 'clientIp';
/** Variables holding the token's unverified `iss` and `alg` (empty when the credential is not a JWT). */
export const TOKEN_ISSUER_VARIABLE = 'tokenIssuer';
export const TOKEN_ALG_VARIABLE = 'tokenAlg';
/**
 * The signature algorithms `validate-jwt` verifies with keys from an OpenID configuration, a subset of the contract's
 * (API Management documents PS256, RS256 and RS512 for asymmetric keys; no ECDSA or EdDSA): tokens of the other
 * algorithms are validated by the authorizer function alone.
 */
export const APIM_JWT_ALGORITHMS = ['RS256', 'RS512', 'PS256'] as const satisfies readonly SignatureAlgorithm[];
const isApimAlgorithm = (alg: SignatureAlgorithm): boolean => (APIM_JWT_ALGORITHMS as readonly SignatureAlgorithm[]).includes(alg);
/** Prefix of the decision cache key (`cache-store-value`). */
export const AUTHZ_CACHE_PREFIX = 'authz-';

/** Policy expression of the tenant id, from the authorizer function's decision (JWT and API-key callers alike). */
function tenantKey(): string {
  return `@(((string)context.Variables["${AUTHZ_ANSWER_VARIABLE}"]).StartsWith("200|") ? (string)JObject.Parse(((string)context.Variables["${AUTHZ_ANSWER_VARIABLE}"]).Substring(4))["${AZURE_AUTHZ_RESPONSE.tenantId}"] : "")`;
}

function securityHeaders(): string {
  const set = Object.entries(SECURITY_HEADERS)
    .map(([name, value]) => `<set-header name="${xmlEscape(name)}" exists-action="override"><value>${xmlEscape(value)}</value></set-header>`)
    .join('');
  return `${set}<set-header name="X-Powered-By" exists-action="delete" /><set-header name="X-AspNet-Version" exists-action="delete" />`;
}

function cors(spec: ResolvedSpec): string {
  if (spec.corsOrigins.length === 0) return '';
  const origins = spec.corsOrigins.map((o) => `<origin>${xmlEscape(o)}</origin>`).join('');
  const methods = [...new Set(spec.routes.map((r) => r.method))].map((m) => `<method>${xmlEscape(m)}</method>`).join('');
  return `<cors allow-credentials="${spec.corsAllowCredentials}" terminate-unmatched-request="true"><allowed-origins>${origins}</allowed-origins>`
    + `<allowed-methods preflight-result-max-age="${CORS_PREFLIGHT_MAX_AGE_SECONDS}">${methods}</allowed-methods>`
    + `<allowed-headers>${corsAllowHeaders(spec).map((h) => `<header>${xmlEscape(h)}</header>`).join('')}</allowed-headers></cors>`;
}

function planLimits(spec: ResolvedSpec, planName: string): string {
  const plan = spec.plans[planName];
  if (!plan) return '';
  const period = Math.max(1, Math.round(plan.burst / plan.rate));
  const key = xmlEscape(tenantKey());
  return `<rate-limit-by-key calls="${plan.burst}" renewal-period="${period}" counter-key="${key}" />`
    + `<quota-by-key calls="${plan.dailyQuota}" renewal-period="86400" counter-key="${key}" />`;
}

/**
 * The tenant claim an issuer's tokens must carry; an issuer bound to tenants (`identity.issuers[].tenants`) may assert
 * only those, as the authorizer function checks on both clouds (a token of issuer A naming a tenant of issuer B is
 * refused here already).
 */
export function tenantClaimOf(issuer: ResolvedIssuer): string {
  const name = `name="${xmlEscape(issuer.tenantClaim)}"`;
  if (!issuer.tenants) return `<claim ${name} />`;
  return `<claim ${name} match="any">${issuer.tenants.map((t) => `<value>${xmlEscape(t)}</value>`).join('')}</claim>`;
}

/** One region's authorizer function, as the API policy calls it. */
export interface AuthorizerEndpoint {
  /** Azure region name, e.g. `westeurope`. */
  readonly region: string;
  /** Host name of the function app (a Terraform reference at synth). */
  readonly hostName: string;
  /** Name of the API Management named value (secret) holding the function key of this region's app. */
  readonly keyNamedValue: string;
}

/** Inputs of the API-level policy that are not in the spec. */
export interface ApiPolicyInputs {
  /** The Front Door profile's resource GUID (a Terraform reference at synth), checked in X-Azure-FDID. */
  readonly frontDoorId: string;
  /** The API's default plan. */
  readonly plan: string;
  /** Client certificate validation (mTLS APIs). */
  readonly mtls: boolean;
  /** The authorizer function of every region, primary first: each API Management region calls its own. */
  readonly authorizers: readonly AuthorizerEndpoint[];
  /**
   * How long a decision is cached (`cache-store-value`, API Management's per-region internal cache): the bound on how
   * late a revocation applies. 0 turns the cache off (mTLS APIs, as on AWS).
   */
  readonly cacheSeconds: number;
  /** Header carrying API keys (the spec's `edge.apiKeyHeader`). */
  readonly apiKeyHeader: string;
  /**
   * A deprecated version's sunset (ISO date): every response then carries `Deprecation` and `Sunset` (RFC 9745, RFC 8594).
   * @default - not deprecated
   */
  readonly sunset?: string;
  /** The API's backend entity per region, primary first (Lambda-kind APIs: the Functions backend). */
  readonly backends?: readonly { readonly region: string; readonly backendId: string }[];
}

const FDID_CHECK = (frontDoorId: string): string => `<check-header name="X-Azure-FDID" failed-check-httpcode="403" failed-check-error-message="Forbidden" ignore-case="true"><value>${xmlEscape(frontDoorId)}</value></check-header>`;

/** The API Management region, as an Azure region name (`West Europe` becomes `westeurope`). */
const REGION_EXPR = 'context.Deployment.Region.Replace(" ", "").ToLowerInvariant()';

/** A value chosen by region: each region's own, the primary's (first) otherwise. */
function byRegion(entries: readonly { region: string; value: string }[]): string {
  const [primary, ...others] = entries;
  return others.reduceRight((acc, e) => `(r == ${JSON.stringify(e.region)} ? ${e.value} : ${acc})`, primary.value);
}

function returnResponse(code: number, reason: string, message: string): string {
  return `<return-response><set-status code="${code}" reason="${xmlEscape(reason)}" />`
    + '<set-header name="Content-Type" exists-action="override"><value>application/json</value></set-header>'
    + `${securityHeaders()}<set-body>${xmlEscape(JSON.stringify({ message }))}</set-body></return-response>`;
}

/**
 * The decision key: SHA-256 of the credential (Authorization and the API-key header), the method, the path and the
 * client IP, the parts of the API Gateway authorizer's cache key, so a decision is reused only for the same caller,
 * route and address.
 */
function decisionKeyExpr(apiKeyHeader: string): string {
  return '@{ var h = context.Request.Headers; '
    + `var material = string.Join("\\n", h.GetValueOrDefault("Authorization", ""), h.GetValueOrDefault(${JSON.stringify(apiKeyHeader)}, ""), context.Request.Method, context.Request.OriginalUrl.Path, (string)context.Variables["${CLIENT_IP_VARIABLE}"]); `
    + `return "${AUTHZ_CACHE_PREFIX}" + BitConverter.ToString(System.Security.Cryptography.SHA256.Create().ComputeHash(Encoding.UTF8.GetBytes(material))).Replace("-", ""); }`;
}

/** The body API Management posts to the authorizer function (members from the shared contract). */
function authorizerBodyExpr(apiKeyHeader: string): string {
  const header = (name: string) => `new JProperty(${JSON.stringify(name.toLowerCase())}, new JArray(h.ContainsKey(${JSON.stringify(name)}) ? h[${JSON.stringify(name)}] : new string[0]))`;
  return '@{ var h = context.Request.Headers; return new JObject('
    + `new JProperty("${REQ.method}", context.Request.Method), `
    + `new JProperty("${REQ.route}", context.Operation.UrlTemplate), `
    + `new JProperty("${REQ.path}", context.Request.OriginalUrl.Path), `
    + `new JProperty("${REQ.pathParameters}", new JObject(context.Request.MatchedParameters.Select(p => new JProperty(p.Key, p.Value)))), `
    + `new JProperty("${REQ.headers}", new JObject(${header(AUTHORIZATION_HEADER_NAME)}, ${header(apiKeyHeader)})), `
    + `new JProperty("${REQ.clientIp}", (string)context.Variables["${CLIENT_IP_VARIABLE}"]), `
    + `new JProperty("${REQ.requestId}", context.RequestId.ToString()), `
    + `new JProperty("${REQ.clientCertificate}", context.Request.Certificate == null ? "" : Convert.ToBase64String(context.Request.Certificate.RawData))`
    + ').ToString(); }';
}

/**
 * The call to the authorizer function and what follows from its answer: a cached answer (per region, for
 * `cacheSeconds`) or a `send-request` to this region's function; 401/403 are returned as such, no answer is a 500;
 * an allow sets the trusted headers (client-sent copies overridden) for the backend.
 */
function authorizerCall(inputs: ApiPolicyInputs): string {
  const answer = `(string)context.Variables["${AUTHZ_ANSWER_VARIABLE}"]`;
  const url = byRegion(inputs.authorizers.map((a) => ({ region: a.region, value: JSON.stringify(`https://${a.hostName}/api/${AZURE_AUTHORIZER_ROUTE}`) })));
  const key = byRegion(inputs.authorizers.map((a) => ({ region: a.region, value: `"{{${a.keyNamedValue}}}"` })));
  const cache = inputs.cacheSeconds > 0;
  const response = '((IResponse)context.Variables["authzResponse"])';
  const store = cache
    ? `<cache-store-value key="@((string)context.Variables[&quot;authzKey&quot;])" value="@(${xmlEscape(answer)})" duration="${inputs.cacheSeconds}" caching-type="internal" />`
    : '';
  const trusted = (Object.keys(AZURE_TRUSTED_HEADERS) as (keyof typeof AZURE_TRUSTED_HEADERS)[]).map((k) =>
    `<set-header name="${AZURE_TRUSTED_HEADERS[k]}" exists-action="override"><value>${xmlEscape(`@((string)JObject.Parse(${answer}.Substring(4))["${AZURE_AUTHZ_RESPONSE[k]}"])`)}</value></set-header>`).join('');
  return (cache
    ? `<set-variable name="authzKey" value="${xmlEscape(decisionKeyExpr(inputs.apiKeyHeader))}" />`
      + `<cache-lookup-value key="@((string)context.Variables[&quot;authzKey&quot;])" variable-name="${AUTHZ_ANSWER_VARIABLE}" caching-type="internal" />`
    : '')
    + `<choose><when condition="${xmlEscape(`@(!context.Variables.ContainsKey("${AUTHZ_ANSWER_VARIABLE}"))`)}">`
    + '<send-request mode="new" response-variable-name="authzResponse" timeout="5" ignore-error="true">'
    + `<set-url>${xmlEscape(`@{ var r = ${REGION_EXPR}; return ${url}; }`)}</set-url><set-method>POST</set-method>`
    + '<set-header name="Content-Type" exists-action="override"><value>application/json</value></set-header>'
    + `<set-header name="x-functions-key" exists-action="override"><value>${xmlEscape(`@{ var r = ${REGION_EXPR}; return ${key}; }`)}</value></set-header>`
    + `<set-body>${xmlEscape(authorizerBodyExpr(inputs.apiKeyHeader))}</set-body></send-request>`
    + `<choose><when condition="${xmlEscape(`@(context.Variables["authzResponse"] != null && new[] { 200, 401, 403 }.Contains(${response}.StatusCode))`)}">`
    + `<set-variable name="${AUTHZ_ANSWER_VARIABLE}" value="${xmlEscape(`@(${response}.StatusCode + "|" + ${response}.Body.As<string>())`)}" />`
    + `${store}</when></choose></when></choose>`
    + '<choose>'
    + `<when condition="${xmlEscape(`@(!context.Variables.ContainsKey("${AUTHZ_ANSWER_VARIABLE}"))`)}">${returnResponse(500, 'Internal Server Error', 'Internal error')}</when>`
    + `<when condition="${xmlEscape(`@(${answer}.StartsWith("403|"))`)}">${returnResponse(403, DENIAL_MESSAGES[403], DENIAL_MESSAGES[403])}</when>`
    + `<when condition="${xmlEscape(`@(!${answer}.StartsWith("200|"))`)}">${returnResponse(401, DENIAL_MESSAGES[401], DENIAL_MESSAGES[401])}</when>`
    + `</choose>${trusted}`;
}

/** The backend of a Lambda-kind API: this region's Functions app (backend entity), the primary's otherwise. */
function backendChoice(backends: readonly { region: string; backendId: string }[]): string {
  const [primary, ...others] = backends;
  if (!primary) return '';
  const whens = others.map((b) => `<when condition="${xmlEscape(`@(${REGION_EXPR} == ${JSON.stringify(b.region)})`)}"><set-backend-service backend-id="${xmlEscape(b.backendId)}" /></when>`).join('');
  return `<choose>${whens}<otherwise><set-backend-service backend-id="${xmlEscape(primary.backendId)}" /></otherwise></choose>`;
}

/**
 * The API-level policy: Front Door only (check-header X-Azure-FDID, then X-Azure-ClientIP is trusted as the client
 * IP), CORS, mTLS client certificate, per-issuer token validation, the authorizer function's decision (cached per
 * region), per-tenant rate limit and quota, the backend, security headers.
 */
export function apiPolicy(spec: ResolvedSpec, inputs: ApiPolicyInputs): string {
  const mtls = inputs.mtls
    ? '<validate-client-certificate validate-revocation="true" validate-trust="true" validate-not-before="true" validate-not-after="true" ignore-error="false" />'
    : '';
  return '<policies><inbound><base />'
    + FDID_CHECK(inputs.frontDoorId)
    // Front Door overwrites X-Azure-ClientIP with the address it saw; only trusted once the Front Door id matched.
    + `<set-variable name="${CLIENT_IP_VARIABLE}" value="${xmlEscape('@(context.Request.Headers.GetValueOrDefault("X-Azure-ClientIP", context.Request.IpAddress))')}" />`
    + cors(spec)
    + mtls
    + perIssuerValidation(spec, { httpCode: 401, message: DENIAL_MESSAGES[401], requiredClaims: tenantClaimOf, rejectUnknown: true })
    + authorizerCall(inputs)
    + planLimits(spec, inputs.plan)
    + backendChoice(inputs.backends ?? [])
    + '</inbound><backend><base /></backend>'
    + `<outbound><base />${securityHeaders()}${deprecationHeaders(inputs.sunset)}</outbound>`
    + `<on-error><base />${securityHeaders()}${deprecationHeaders(inputs.sunset)}</on-error></policies>`;
}

/** `Deprecation` and `Sunset` of a deprecated API version (the same values as the AWS gateway's). */
function deprecationHeaders(sunset: string | undefined): string {
  if (!sunset) return '';
  return '<set-header name="Deprecation" exists-action="override"><value>true</value></set-header>'
    + `<set-header name="Sunset" exists-action="override"><value>${xmlEscape(new Date(sunset).toUTCString())}</value></set-header>`;
}

/** Clock skew validate-jwt tolerates on exp and nbf, in seconds (the same as the AWS authorizer). */
export const JWT_CLOCK_SKEW_SECONDS = 60;

/** The issuer's OpenID configuration document, where API Management reads its signing keys. */
export const openIdConfigUrl = (issuer: string): string => `${issuer.replace(/\/$/, '')}/.well-known/openid-configuration`;

/**
 * A complete `<validate-jwt>` for ONE issuer: Bearer scheme, signed tokens only, `exp` required, bounded clock skew,
 * that issuer's own OpenID configuration, audiences and issuer name, then `requiredClaims`. Children follow the order
 * of the policy reference. One issuer per element: API Management does not document how it binds signing keys to
 * issuers, so a validate-jwt that listed two issuers' configurations could accept a token signed with one issuer's
 * key that claims the other.
 *
 * Signing keys: API Management takes them from an OpenID configuration document (`<openid-config url>`, whose
 * `jwks_uri` it fetches and refreshes) or inline; it cannot take a JWKS URL. Inline keys would freeze the issuer's
 * key rotation into the policy, so the issuer is trusted through `${issuer}/.well-known/openid-configuration`, and a
 * spec's explicit `jwksUri` is not used by API Management (AzureGateway warns at synth when one is set).
 */
export function validateJwt(
  issuer: ResolvedIssuer,
  options: { httpCode: 401 | 403; message: string; requiredClaims: string },
): string {
  const audiences = [...new Set(issuer.audience)].map((a) => `<audience>${xmlEscape(a)}</audience>`).join('');
  return `<validate-jwt header-name="Authorization" failed-validation-httpcode="${options.httpCode}" failed-validation-error-message="${xmlEscape(options.message)}"`
    + ` require-expiration-time="true" require-signed-tokens="true" require-scheme="Bearer" clock-skew="${JWT_CLOCK_SKEW_SECONDS}">`
    + `<openid-config url="${xmlEscape(openIdConfigUrl(issuer.issuer))}" /><audiences>${audiences}</audiences><issuers><issuer>${xmlEscape(issuer.issuer)}</issuer></issuers>`
    + `<required-claims>${options.requiredClaims}</required-claims></validate-jwt>`;
}

/**
 * Token validation chosen by the token's unverified `iss` (and `alg`): a bearer JWT naming issuer X is validated with
 * X's configuration only. Tokens of an algorithm API Management cannot verify (ES256, EdDSA...) go on to the
 * authorizer function, which validates every token whatever happened here. With `rejectUnknown`, a bearer JWT
 * naming no configured issuer is refused here; a credential that is no JWT (an API key) goes on to the function.
 */
export function perIssuerValidation(
  spec: ResolvedSpec,
  options: { httpCode: 401 | 403; message: string; requiredClaims: (issuer: ResolvedIssuer) => string; rejectUnknown?: boolean },
): string {
  const issuerVar = `(string)context.Variables["${TOKEN_ISSUER_VARIABLE}"]`;
  const algVar = `(string)context.Variables["${TOKEN_ALG_VARIABLE}"]`;
  const whens = spec.issuers
    .filter((i) => i.algorithms.some(isApimAlgorithm))
    .map((i) => {
      const algs = i.algorithms.filter(isApimAlgorithm).map((a) => `${algVar} == ${JSON.stringify(a)}`).join(' || ');
      return `<when condition="${xmlEscape(`@(${issuerVar} == ${JSON.stringify(i.issuer)} && (${algs}))`)}">${validateJwt(i, { ...options, requiredClaims: options.requiredClaims(i) })}</when>`;
    });
  const known = spec.issuers.map((i) => `${issuerVar} != ${JSON.stringify(i.issuer)}`).join(' && ');
  const unknown = options.rejectUnknown
    ? [`<when condition="${xmlEscape(`@(${issuerVar} != "" && ${known})`)}">${returnResponse(options.httpCode, DENIAL_MESSAGES[options.httpCode], options.message)}</when>`]
    : [];
  const token = 'context.Request.Headers.GetValueOrDefault("Authorization", "").Split(\' \').Last().AsJwt()';
  const setVars = options.rejectUnknown
    ? `<set-variable name="${TOKEN_ISSUER_VARIABLE}" value="${xmlEscape(`@(${token}?.Issuer ?? "")`)}" />`
      + `<set-variable name="${TOKEN_ALG_VARIABLE}" value="${xmlEscape(`@(${token}?.Algorithm ?? "")`)}" />`
    : '';
  const all = [...whens, ...unknown];
  return all.length === 0 ? setVars : `${setVars}<choose>${all.join('')}</choose>`;
}

/**
 * An operation's policy: the API policy (`<base />`) plus required scopes (per issuer, as in the API policy; the
 * authorizer function checks them for every credential), the route's plan when it differs from the API's, and body
 * validation from the route's JSON Schema. A public route replaces the API policy (no `<base />`) with the Front
 * Door check and security headers only; it is acknowledged in the compliance report.
 */
export function operationPolicy(
  spec: ResolvedSpec,
  route: ResolvedRoute,
  inputs: {
    frontDoorId: string; apiPlan: string; schemaId?: string; maxBodyBytes: number; backends?: readonly { region: string; backendId: string }[];
  },
): string {
  if (route.public) {
    return '<policies><inbound>'
      + FDID_CHECK(inputs.frontDoorId)
      + backendChoice(inputs.backends ?? [])
      + '</inbound><backend><base /></backend>'
      + `<outbound><base />${securityHeaders()}</outbound><on-error><base />${securityHeaders()}</on-error></policies>`;
  }
  const scopes = route.scopes.length === 0
    ? ''
    : perIssuerValidation(spec, {
      httpCode: 403,
      message: DENIAL_MESSAGES[403],
      requiredClaims: () => `<claim name="scp" match="all" separator=" ">${route.scopes.map((s) => `<value>${xmlEscape(s)}</value>`).join('')}</claim>`,
    });
  const body = route.body && inputs.schemaId
    ? `<validate-content unspecified-content-type-action="prevent" max-size="${inputs.maxBodyBytes}" size-exceeded-action="prevent" errors-variable-name="requestBodyValidation">`
      + `<content type="application/json" validate-as="json" action="prevent" schema-id="${xmlEscape(inputs.schemaId)}" /></validate-content>`
    : '';
  const plan = route.plan !== inputs.apiPlan ? planLimits(spec, route.plan) : '';
  return `<policies><inbound><base />${scopes}${plan}${body}</inbound><backend><base /></backend><outbound><base /></outbound><on-error><base /></on-error></policies>`;
}
