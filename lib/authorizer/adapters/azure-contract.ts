/**
 * The contract between API Management (the `send-request` the Azure gateway renders) and the authorizer Azure Function
 * (`./azure-function`): the JSON body API Management posts and the JSON the function answers. One home, imported by
 * the policy builder (constructs/azure) and by the function, so the two cannot drift apart. No Azure SDK here.
 */

/** Route of the authorizer function (`POST /api/<route>`). */
export const AZURE_AUTHORIZER_ROUTE = 'authorize';

/** Members of the body API Management posts to the authorizer function. */
export const AZURE_AUTHZ_REQUEST = {
  /** HTTP method of the client request. */
  method: 'method',
  /** The operation's URL template, e.g. `/orders/{id}`: the route of the authorizer configuration. */
  route: 'route',
  /** The request path as the client sent it. */
  path: 'path',
  /** Template parameters matched by API Management, name to value. */
  pathParameters: 'pathParameters',
  /** Credential headers (lowercase names), each with every value the client sent (a header sent twice is refused). */
  headers: 'headers',
  /** The client IP: `X-Azure-ClientIP` once the Front Door id was checked, else the connection's address. */
  clientIp: 'clientIp',
  /** API Management's request id (correlates the decision line with the gateway log). */
  requestId: 'requestId',
  /** The client certificate's DER, base64 (partner hostname), or empty. */
  clientCertificate: 'clientCertificate',
} as const;

/** The body API Management posts. */
export interface AzureAuthzRequestBody {
  readonly method?: unknown;
  readonly route?: unknown;
  readonly path?: unknown;
  readonly pathParameters?: unknown;
  readonly headers?: unknown;
  readonly clientIp?: unknown;
  readonly requestId?: unknown;
  readonly clientCertificate?: unknown;
}

/** Members of the function's answer to an allowed request (strings only), read by the API policy. */
export const AZURE_AUTHZ_RESPONSE = {
  principalId: 'principalId',
  tenantId: 'tenantId',
  scopes: 'scopes',
  clientId: 'clientId',
  authMethod: 'authMethod',
} as const;

/**
 * Headers API Management forwards to the backend with the trusted decision (it removes any a client sent first), the
 * Azure counterpart of API Gateway's `$context.authorizer.*`.
 */
export const AZURE_TRUSTED_HEADERS = {
  principalId: 'X-Platform-Principal',
  tenantId: 'X-Platform-Tenant',
  scopes: 'X-Platform-Scopes',
  clientId: 'X-Platform-Client',
  authMethod: 'X-Platform-Auth-Method',
} as const;

/** Largest request body the function reads (a token is at most 8 KB; the rest is small). */
export const AZURE_AUTHZ_MAX_BODY_BYTES = 32 * 1024;

/** App settings of the authorizer function app, set by constructs/azure and read by `./azure-main`. */
export const AZURE_AUTHORIZER_ENV = {
  /** The authorizer configuration (JSON), as `AUTHORIZER_CONFIG` on Lambda. */
  config: 'AUTHORIZER_CONFIG',
  /** Table service endpoint of the store (Cosmos DB for Table), e.g. `https://<account>.table.cosmos.azure.com:443/`. */
  tableEndpoint: 'AUTHORIZER_TABLE_ENDPOINT',
  /** Table holding API keys, revocations and tenants. */
  tableName: 'AUTHORIZER_TABLE_NAME',
} as const;

/** The table holding API keys, revocations and tenants (created by constructs/azure, written by the operators' CLI). */
export const AZURE_AUTHORIZER_TABLE = 'authorizer';
