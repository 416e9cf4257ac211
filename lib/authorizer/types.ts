import type { ReasonCode } from './reasons';

/**
 * The slice of API Gateway's REQUEST authorizer event and result the authorizer uses. Structurally compatible with
 * `APIGatewayRequestAuthorizerEvent` / `APIGatewayAuthorizerResult` from `@types/aws-lambda`, without depending on it.
 */
export interface AuthorizerEvent extends AuthorizerRequest {
  readonly type?: string;
  readonly methodArn: string;
}

/**
 * What the decision reads of a request, in API Gateway's field names (the Lambda event is one; the Azure Function
 * adapter builds one from what API Management sends): route (`httpMethod` + `resource`, the route template), headers,
 * path parameters, client IP and certificate.
 */
export interface AuthorizerRequest {
  readonly resource?: string;
  readonly path?: string;
  readonly httpMethod?: string;
  readonly headers?: Record<string, string | undefined> | null;
  readonly multiValueHeaders?: Record<string, string[] | undefined> | null;
  readonly pathParameters?: Record<string, string | undefined> | null;
  readonly requestContext?: {
    readonly requestId?: string;
    readonly resourcePath?: string;
    readonly httpMethod?: string;
    readonly identity?: {
      readonly sourceIp?: string;
      readonly clientCert?: { readonly clientCertPem?: string } | null;
    } | null;
  } | null;
}

/** What the integration receives as `$context.authorizer.*`: strings only (API Gateway rejects objects with a 500). */
export interface AuthorizerContext {
  readonly [key: string]: string;
  readonly principalId: string;
  readonly tenantId: string;
  /** Granted scopes, space-separated. */
  readonly scopes: string;
  /** OAuth client id, or the API key's id; empty when the token names none. */
  readonly clientId: string;
  /** `jwt` or `apiKey`. */
  readonly authMethod: string;
}

export interface AuthorizerResult {
  principalId: string;
  policyDocument: {
    Version: '2012-10-17';
    Statement: Array<{ Action: string; Effect: 'Allow' | 'Deny'; Resource: string }>;
  };
  context?: AuthorizerContext;
  usageIdentifierKey?: string;
}

/** An authorizer: resolves with Allow, resolves with Deny (403) or rejects with `Error('Unauthorized')` (401). Nothing else. */
export type Authorizer = (event: AuthorizerEvent) => Promise<AuthorizerResult>;

/** A decision of the cloud-neutral core: an allow with the trusted context, or a deny with its status. */
export type Decision =
  | {
    readonly allowed: true;
    readonly status: 200;
    readonly reason: 'allowed';
    readonly principalId: string;
    readonly context: AuthorizerContext;
    /** The tenant's metering key (API Gateway usage plans), when the tenant record has one. */
    readonly usageKey?: string;
  }
  | {
    readonly allowed: false;
    readonly status: 401 | 403;
    readonly reason: ReasonCode;
    /** `anonymous`, or the short principal hash once the caller was identified. */
    readonly principalId: string;
  };

/** The cloud-neutral decision: resolves with a {@link Decision}, never rejects. */
export type Decider = (request: AuthorizerRequest) => Promise<Decision>;
