import { createHash } from 'node:crypto';
import { bearerToken } from './credentials';
import type { Authenticated, Eventually } from './identity';
import type { JwtAuthenticator, JwtIdentity } from './jwt';
import type { DecisionFields } from './observability';
import type { PrincipalHashes } from './principal';
import { Denial, Reason } from './reasons';
import type { RevocationCheck } from './revocation';
import type { AuthorizerRequest } from './types';
import { jwtPrincipal } from '../spec/contracts/identity';

const PEM = /-----BEGIN CERTIFICATE-----([A-Za-z0-9+/=\s]+)-----END CERTIFICATE-----/;

/** SHA-256 thumbprint (base64url) of the DER of a PEM certificate: RFC 8705 `x5t#S256`. */
export function certificateThumbprint(pem: string): string | undefined {
  const m = PEM.exec(pem);
  if (!m) return undefined;
  return createHash('sha256').update(Buffer.from(m[1].replace(/\s+/g, ''), 'base64')).digest('base64url');
}

export interface BearerOptions {
  /** Every token must be certificate-bound (RFC 8705). */
  readonly certificateRequired: boolean;
  readonly clock: () => number;
}

/**
 * The bearer path: `Authorization: Bearer <token>` → the token validated ({@link JwtAuthenticator}) → certificate
 * binding → revocation. Synchronous when the JWKS key and the revocation answers are cached (the hot path: no promise,
 * no await).
 */
export class BearerAuthenticator {
  constructor(
    private readonly jwt: JwtAuthenticator,
    private readonly revocation: RevocationCheck | undefined,
    private readonly principals: PrincipalHashes,
    private readonly options: BearerOptions,
  ) {}

  authenticate(authorization: string, event: AuthorizerRequest, fields: DecisionFields, now: number): Eventually<Authenticated> {
    fields.authMethod = 'jwt';
    const token = bearerToken(authorization);
    if (token === undefined) throw new Denial(Reason.MALFORMED_HEADER, 'authorization is not a Bearer token');
    // The validator writes the issuer and kid into the line's fields as soon as it knows them (before any fetch starts,
    // so they hold for the asynchronous path and for a denial too).
    const id = this.jwt.authenticate(token, fields, now);
    // After a fetch, the clock has moved on: the caches are read at the time of the read.
    return id instanceof Promise ? id.then((i) => this.identity(i, event, fields, this.options.clock())) : this.identity(id, event, fields, now);
  }

  private identity(id: JwtIdentity, event: AuthorizerRequest, fields: DecisionFields, now: number): Eventually<Authenticated> {
    fields.tenant = id.tenantId;
    fields.principal = this.principals.of(id.issuer, id.subject);

    let certificateBound = false;
    const pem = event.requestContext?.identity?.clientCert?.clientCertPem;
    if (id.certificateThumbprint !== undefined) {
      if (!pem) throw new Denial(Reason.CERTIFICATE_REQUIRED, 'token is certificate-bound; no client certificate presented');
      if (certificateThumbprint(pem) !== id.certificateThumbprint) throw new Denial(Reason.CERTIFICATE_MISMATCH);
      certificateBound = true;
    } else if (this.options.certificateRequired) {
      throw new Denial(Reason.CERTIFICATE_REQUIRED, 'configuration requires certificate-bound tokens');
    }
    const who: Authenticated = {
      principalId: jwtPrincipal(id.issuer, id.subject),
      tenantId: id.tenantId,
      scopes: id.scopes,
      scopeText: id.scopeText,
      clientId: id.clientId ?? '',
      authMethod: 'jwt',
      jwt: id,
      certificateBound,
    };
    const pending = this.revocation?.check(id, fields, now);
    return pending === undefined ? who : pending.then(() => who);
  }
}
