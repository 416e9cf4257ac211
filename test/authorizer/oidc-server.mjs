// A real OpenID provider for the authorizer tests: oidc-provider (ESM-only, hence a child process) on 127.0.0.1
// with a random port. It issues client-credentials JWT access tokens for the resource `urn:api:orders` and
// prints one JSON line `{ "issuer": ..., "jwksUri": ..., "tokenEndpoint": ... }` once it listens.
import { generateKeyPairSync } from 'node:crypto';
import { createServer } from 'node:http';
import Provider from 'oidc-provider';

const RESOURCE = 'urn:api:orders';
const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ format: 'jwk' });
const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ format: 'jwk' });

const server = createServer();
await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
const { port } = server.address();
const issuer = `http://127.0.0.1:${port}`;

const provider = new Provider(issuer, {
  clients: [
    { client_id: 'orders-client', client_secret: 'orders-client-secret-for-tests-only', grant_types: ['client_credentials'], redirect_uris: [], response_types: [], scope: 'orders:read orders:write' },
    { client_id: 'es-client', client_secret: 'es-client-secret-for-tests-only', grant_types: ['client_credentials'], redirect_uris: [], response_types: [], scope: 'orders:read' },
  ],
  jwks: { keys: [{ ...rsa, kid: 'rsa-1', use: 'sig', alg: 'RS256' }, { ...ec, kid: 'ec-1', use: 'sig', alg: 'ES256' }] },
  scopes: ['orders:read', 'orders:write'],
  features: {
    devInteractions: { enabled: false },
    clientCredentials: { enabled: true },
    resourceIndicators: {
      enabled: true,
      defaultResource: () => RESOURCE,
      useGrantedResource: () => true,
      getResourceServerInfo: (ctx, resourceIndicator, client) => {
        if (resourceIndicator !== RESOURCE) throw new Error('unknown resource');
        return {
          scope: 'orders:read orders:write',
          audience: RESOURCE,
          accessTokenFormat: 'jwt',
          accessTokenTTL: 300,
          jwt: { sign: { alg: client.clientId === 'es-client' ? 'ES256' : 'RS256' } },
        };
      },
    },
  },
  extraTokenClaims: (ctx, token) => (token.kind === 'ClientCredentials' ? { tenant: `tenant-${token.clientId}` } : undefined),
});
provider.on('server_error', (_ctx, err) => process.stderr.write(`oidc-provider error: ${err.stack}\n`));
server.on('request', provider.callback());

process.stdout.write(JSON.stringify({ issuer, jwksUri: `${issuer}/jwks`, tokenEndpoint: `${issuer}/token`, resource: RESOURCE }) + '\n');
// The parent test ends us by closing stdin (or killing us); never outlive it.
process.stdin.on('end', () => process.exit(0));
process.stdin.resume();
