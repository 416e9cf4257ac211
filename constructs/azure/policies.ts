import { ResolvedRoute, ResolvedSpec } from '../../lib/spec';

/** Escapes a value for XML text and attribute content (every spec value goes through it). */
export function xmlEscape(value: string | number | boolean): string {
  return String(value).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&apos;');
}

/** Variable the API-level validate-jwt writes the validated token to; tenant keys read it (never a client header). */
export const JWT_VARIABLE = 'jwt';

/** Policy expression of the tenant id, from the validated token. */
function tenantKey(claim: string): string {
  return `@(((Jwt)context.Variables["${JWT_VARIABLE}"]).Claims.GetValueOrDefault("${claim}", ""))`;
}

const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'Strict-Transport-Security': 'max-age=63072000; includeSubDomains; preload',
  'X-Content-Type-Options': 'nosniff',
  'X-Frame-Options': 'DENY',
  'Content-Security-Policy': "default-src 'none'; frame-ancestors 'none'",
  'Referrer-Policy': 'no-referrer',
  'Cache-Control': 'no-store',
};

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
    + `<allowed-methods preflight-result-max-age="600">${methods}</allowed-methods>`
    + '<allowed-headers><header>Authorization</header><header>Content-Type</header></allowed-headers></cors>';
}

function planLimits(spec: ResolvedSpec, planName: string): string {
  const plan = spec.plans[planName];
  if (!plan) return '';
  const period = Math.max(1, Math.round(plan.burst / plan.rate));
  const key = xmlEscape(tenantKey(spec.tenantClaim));
  return `<rate-limit-by-key calls="${plan.burst}" renewal-period="${period}" counter-key="${key}" />`
    + `<quota-by-key calls="${plan.dailyQuota}" renewal-period="86400" counter-key="${key}" />`;
}

/** Inputs of the API-level policy that are not in the spec. */
export interface ApiPolicyInputs {
  /** The Front Door profile's resource GUID (a Terraform reference at synth), checked in X-Azure-FDID. */
  readonly frontDoorId: string;
  /** The API's default plan. */
  readonly plan: string;
  /** Client certificate validation (mTLS APIs). */
  readonly mtls: boolean;
}

/**
 * The API-level policy: Front Door only (check-header X-Azure-FDID), CORS, mTLS client certificate, token
 * validation (issuers, audiences, tenant claim present), per-tenant rate limit and quota, security headers.
 */
export function apiPolicy(spec: ResolvedSpec, inputs: ApiPolicyInputs): string {
  const mtls = inputs.mtls
    ? '<validate-client-certificate validate-revocation="true" validate-trust="true" validate-not-before="true" validate-not-after="true" ignore-error="false" />'
    : '';
  return '<policies><inbound><base />'
    + `<check-header name="X-Azure-FDID" failed-check-httpcode="403" failed-check-error-message="Forbidden" ignore-case="true"><value>${xmlEscape(inputs.frontDoorId)}</value></check-header>`
    + cors(spec)
    + mtls
    + validateJwt(spec, { httpCode: 401, message: 'Unauthorized', outputVariable: JWT_VARIABLE, requiredClaims: `<claim name="${xmlEscape(spec.tenantClaim)}" />` })
    + planLimits(spec, inputs.plan)
    + '</inbound><backend><base /></backend>'
    + `<outbound><base />${securityHeaders()}</outbound>`
    + `<on-error><base />${securityHeaders()}</on-error></policies>`;
}

/** Clock skew validate-jwt tolerates on exp and nbf, in seconds (the same as the AWS authorizer). */
export const JWT_CLOCK_SKEW_SECONDS = 60;

/**
 * A complete `<validate-jwt>` for the spec's issuers: Bearer scheme, signed tokens only, `exp` required, bounded clock
 * skew, the issuers' audiences and issuers, then `requiredClaims`. Children follow the order of the policy reference.
 *
 * Signing keys: API Management takes them from an OpenID configuration document (`<openid-config url>`, whose
 * `jwks_uri` it fetches and refreshes) or inline (`<issuer-signing-keys>`: a base64 symmetric key, an uploaded
 * certificate id, or an RSA modulus/exponent); it cannot take a JWKS URL. Inline keys would freeze the issuer's key
 * rotation into the policy, so every issuer is trusted through `${issuer}/.well-known/openid-configuration`, and a
 * spec's explicit `jwksUri` is not used on Azure (AzureGateway warns at synth when one is set).
 */
export function validateJwt(
  spec: ResolvedSpec,
  options: { httpCode: 401 | 403; message: string; requiredClaims: string; outputVariable?: string },
): string {
  const issuers = spec.issuers;
  const openid = issuers.map((i) => `<openid-config url="${xmlEscape(`${i.issuer.replace(/\/$/, '')}/.well-known/openid-configuration`)}" />`).join('');
  const audiences = [...new Set(issuers.flatMap((i) => i.audience))].map((a) => `<audience>${xmlEscape(a)}</audience>`).join('');
  const iss = issuers.map((i) => `<issuer>${xmlEscape(i.issuer)}</issuer>`).join('');
  const output = options.outputVariable ? ` output-token-variable-name="${xmlEscape(options.outputVariable)}"` : '';
  return `<validate-jwt header-name="Authorization" failed-validation-httpcode="${options.httpCode}" failed-validation-error-message="${xmlEscape(options.message)}"`
    + ` require-expiration-time="true" require-signed-tokens="true" require-scheme="Bearer" clock-skew="${JWT_CLOCK_SKEW_SECONDS}"${output}>`
    + `${openid}<audiences>${audiences}</audiences><issuers>${iss}</issuers>`
    + `<required-claims>${options.requiredClaims}</required-claims></validate-jwt>`;
}

/**
 * An operation's policy: the API policy (`<base />`) plus required scopes, the route's plan when it differs from the
 * API's, and body validation from the route's JSON Schema. A public route replaces the API policy (no `<base />`)
 * with the Front Door check and security headers only; it is acknowledged in the compliance report.
 */
export function operationPolicy(
  spec: ResolvedSpec,
  route: ResolvedRoute,
  inputs: { frontDoorId: string; apiPlan: string; schemaId?: string; maxBodyBytes: number },
): string {
  if (route.public) {
    return '<policies><inbound>'
      + `<check-header name="X-Azure-FDID" failed-check-httpcode="403" failed-check-error-message="Forbidden" ignore-case="true"><value>${xmlEscape(inputs.frontDoorId)}</value></check-header>`
      + '</inbound><backend><base /></backend>'
      + `<outbound><base />${securityHeaders()}</outbound><on-error><base />${securityHeaders()}</on-error></policies>`;
  }
  // The scope check is a complete validation of its own, not a claim lookup on a token someone else validated.
  const scopes = route.scopes.length === 0
    ? ''
    : validateJwt(spec, {
      httpCode: 403,
      message: 'Forbidden',
      requiredClaims: `<claim name="scp" match="all" separator=" ">${route.scopes.map((s) => `<value>${xmlEscape(s)}</value>`).join('')}</claim>`,
    });
  const body = route.body && inputs.schemaId
    ? `<validate-content unspecified-content-type-action="prevent" max-size="${inputs.maxBodyBytes}" size-exceeded-action="prevent" errors-variable-name="requestBodyValidation">`
      + `<content type="application/json" validate-as="json" action="prevent" schema-id="${xmlEscape(inputs.schemaId)}" /></validate-content>`
    : '';
  const plan = route.plan !== inputs.apiPlan ? planLimits(spec, route.plan) : '';
  return `<policies><inbound><base />${scopes}${plan}${body}</inbound><backend><base /></backend><outbound><base /></outbound><on-error><base /></on-error></policies>`;
}
