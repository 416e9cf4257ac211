// `--cloud azure`: the operators' CLI writes tenants, API keys and revocations into the Azure table the authorizer
// function reads (azurite 3.35, started here; the CLI's own client from AZURE_TABLES_CONNECTION_STRING), and the
// authorizer function, run through the @azure/functions v4 handler over the same table, honours each change.
// No AWS dependency is called: they all throw.
import { randomUUID } from 'node:crypto';
import type { TableClient } from '@azure/data-tables';
import { Capture, SPEC } from './helpers';
import { AZURE_AUTHZ_RESPONSE } from '../../lib/authorizer/adapters/azure-contract';
import { createAzureAuthorizerHandler } from '../../lib/authorizer/adapters/azure-function';
import { AzureTablesAuthorizerStore } from '../../lib/authorizer/stores/azure-tables';
import { AuthorizerConfig, Reason } from '../../lib/authorizer';
import { AZURE_TABLES_CONNECTION_STRING_ENV, EntraCallerIdentity } from '../../lib/cli/azure-store';
import { CliError } from '../../lib/cli/errors';
import { CLI_CLOUD_FORMS } from '../../lib/cli/clouds';
import { CliDependencies, ExitCode, run } from '../../lib/cli/main';
import { apimBody, invoke } from '../azure/function-runtime';
import { claims, event, JwksServer, LogCapture, rsaKey, signJwt, TestKey } from '../authorizer/helpers';
import { startAzuriteTables } from '../support/azurite';

let azurite: Awaited<ReturnType<typeof startAzuriteTables>>;
let table: TableClient;
const TABLE = `authorizer${randomUUID().replace(/-/g, '').slice(0, 10)}`;
const issuer = new JwksServer();
let key: TestKey;
const savedEnv = process.env[AZURE_TABLES_CONNECTION_STRING_ENV];

beforeAll(async () => {
  azurite = await startAzuriteTables();
  await issuer.start();
  key = rsaKey('k1');
  issuer.keys = [key.publicJwk];
  table = azurite.table(TABLE);
  await table.createTable();
  process.env[AZURE_TABLES_CONNECTION_STRING_ENV] = azurite.connectionString;
}, 60_000);

afterAll(async () => {
  if (savedEnv === undefined) delete process.env[AZURE_TABLES_CONNECTION_STRING_ENV];
  else process.env[AZURE_TABLES_CONNECTION_STRING_ENV] = savedEnv;
  await Promise.all([azurite?.stop(), issuer.stop()]);
});

const AZ = ['--cloud', 'azure', '--platform', 'orders', '--table', TABLE];
const AS_ALICE = [...AZ, '--actor', 'alice@example.com'];

const aws = (): never => {
  throw new Error('an AWS dependency was called with --cloud azure');
};

async function cli(argv: string[]) {
  const deps: Partial<CliDependencies> & { stdout: Capture; stderr: Capture } = {
    stdout: new Capture(), stderr: new Capture(), dynamodb: aws, metering: aws, identity: aws, audit: aws,
  };
  const code = await run(argv, deps);
  return { code, stdout: deps.stdout.text, stderr: deps.stderr.text, json: <T = Record<string, unknown>>() => JSON.parse(deps.stdout.text) as T };
}

/** A fresh authorizer function over the table the CLI wrote (fresh: no decision or record cached from before). */
function authorizer() {
  const config: AuthorizerConfig = {
    issuers: [{ issuer: issuer.issuer, jwksUri: issuer.uri, audience: ['urn:api:orders'], algorithms: ['RS256'] }],
    routes: { 'GET /orders/{id}': { scopes: ['orders:read'] } },
    apiKeys: { header: 'x-api-key' },
  };
  const store = new AzureTablesAuthorizerStore({ client: table });
  const log = new LogCapture();
  const h = createAzureAuthorizerHandler(config, { log: log.sink, stores: { apiKeys: store, revocations: store, tenants: store } });
  const answers: Array<Record<string, string> | undefined> = [];
  const call = async (headers: Record<string, string>) => {
    const res = await invoke(h, JSON.stringify(apimBody(event({ headers }))));
    answers.push(res.jsonBody as Record<string, string> | undefined);
    return res.status;
  };
  return { call, log, answers };
}

const bearer = (extra: Record<string, unknown> = {}) => ({ Authorization: `Bearer ${signJwt(key, { ...claims(issuer.issuer), ...extra })}` });

describe('the CLI on Azure: what it writes, the authorizer function honours', () => {
  let apiKey: string;
  let keyId: string;

  test('tenant add: the authorizer allows the tenant\'s tokens; an unknown tenant stays refused', async () => {
    expect(await authorizer().call(bearer())).toBe(403);
    const add = await cli(['tenant', 'add', 'acme', '--plan', 'standard', '--contact', 'ops@acme.example', ...SPEC, ...AS_ALICE]);
    expect([add.code, add.stdout.trim(), add.stderr.replace(/^Azure: no metering key.*\n/, '')]).toEqual([0, 'added tenant acme (plan standard, not metered)', '']);
    expect(add.stderr).toMatch(/Azure: no metering key/);
    expect(await authorizer().call(bearer())).toBe(200);
    const show = await cli(['tenant', 'show', 'acme', '--json', ...AZ]);
    expect(show.json()).toMatchObject({ tenant: { tenantId: 'acme', plan: 'standard', contact: 'ops@acme.example', disabled: false, metered: false } });
  });

  test('key issue: the function allows the key with its scopes and tenant; key list shows it without the key', async () => {
    const issued = await cli(['key', 'issue', '--tenant', 'acme', '--scopes', 'orders:read', ...SPEC, '--json', ...AS_ALICE]);
    expect(issued.code).toBe(0);
    ({ apiKey, keyId } = issued.json<{ apiKey: string; keyId: string }>());
    const { call, answers } = authorizer();
    expect(await call({ 'x-api-key': apiKey })).toBe(200);
    expect(answers[0]).toMatchObject({ [AZURE_AUTHZ_RESPONSE.tenantId]: 'acme', [AZURE_AUTHZ_RESPONSE.clientId]: keyId, [AZURE_AUTHZ_RESPONSE.authMethod]: 'apiKey' });
    const list = await cli(['key', 'list', '--tenant', 'acme', '--json', ...AZ]);
    expect(list.json<{ keys: Array<Record<string, unknown>> }>().keys).toEqual([expect.objectContaining({ keyId, tenantId: 'acme', status: 'active', scopes: ['orders:read'] })]);
    expect(list.stdout).not.toContain(apiKey);
  });

  test('key rotate then key revoke: the new key works, the revoked one is refused', async () => {
    const rotated = await cli(['key', 'rotate', keyId, '--grace', '0', '--json', ...AS_ALICE]);
    expect(rotated.code).toBe(0);
    const next = rotated.json<{ apiKey: string; keyId: string }>();
    expect(await authorizer().call({ 'x-api-key': apiKey })).toBe(401);
    expect(await authorizer().call({ 'x-api-key': next.apiKey })).toBe(200);
    const revoked = await cli(['key', 'revoke', next.keyId, ...AS_ALICE]);
    expect(revoked.code).toBe(0);
    const { call, log } = authorizer();
    expect(await call({ 'x-api-key': next.apiKey })).toBe(401);
    expect(log.last).toMatchObject({ Decision: 'deny', Reason: Reason.API_KEY_DISABLED });
    // The ETag-checked update refuses a second revocation.
    expect((await cli(['key', 'revoke', next.keyId, ...AS_ALICE])).code).toBe(ExitCode.CONFLICT);
  });

  test('token revoke by jti and by subject: the function refuses those tokens only', async () => {
    const jti = randomUUID();
    expect(await authorizer().call(bearer({ jti }))).toBe(200);
    expect((await cli(['token', 'revoke', jti, ...AS_ALICE])).code).toBe(0);
    const { call, log } = authorizer();
    expect(await call(bearer({ jti }))).toBe(401);
    expect(log.last).toMatchObject({ Decision: 'deny', Reason: Reason.REVOKED });
    expect(await call(bearer())).toBe(200);

    const old = bearer({ sub: 'user-logout', iat: Math.floor(Date.now() / 1000) - 60 });
    expect((await cli(['token', 'revoke', '--subject', 'user-logout', '--issuer', issuer.issuer, ...AS_ALICE])).code).toBe(0);
    expect(await authorizer().call(old)).toBe(401);
  });

  test('tenant disable: the function refuses the tenant\'s tokens', async () => {
    expect((await cli(['tenant', 'disable', 'acme', '--reason', 'offboarded', ...AS_ALICE])).code).toBe(0);
    const { call, log } = authorizer();
    expect(await call(bearer())).toBe(403);
    expect(log.last).toMatchObject({ Decision: 'deny', Reason: Reason.TENANT_DISABLED });
    expect((await cli(['tenant', 'disable', 'acme', ...AS_ALICE])).code).toBe(ExitCode.CONFLICT);
  });

  test('every change left an audit entity in the table, with the actor', async () => {
    const entities: Array<Record<string, unknown>> = [];
    for await (const e of table.listEntities<Record<string, unknown>>()) if (decodeURIComponent(String(e.partitionKey)).startsWith('AUDIT#')) entities.push(e);
    const actions = entities.map((e) => e.action);
    expect(actions).toEqual(expect.arrayContaining(['tenant.add', 'key.issue', 'key.rotate', 'key.revoke', 'token.revoke', 'token.revoke-subject', 'tenant.disable']));
    expect(new Set(entities.map((e) => e.actor))).toEqual(new Set(['alice@example.com']));
    expect(JSON.parse(String(entities[0].event))).toMatchObject({ platform: 'orders', table: TABLE });
  });
});

describe('errors on Azure', () => {
  test('an existing tenant is a conflict', async () => {
    await cli(['tenant', 'add', 'globex', '--plan', 'standard', '--contact', 'ops@globex.example', ...SPEC, ...AS_ALICE]);
    const again = await cli(['tenant', 'add', 'globex', '--plan', 'standard', '--contact', 'ops@globex.example', ...SPEC, ...AS_ALICE]);
    expect(again.code).toBe(ExitCode.CONFLICT);
    expect(again.stderr).toMatch(/tenant globex already exists/);
  });

  test('a connection string names no operator: --actor is required before anything changes', async () => {
    const r = await cli(['tenant', 'add', 'initech', '--plan', 'standard', '--contact', 'ops@initech.example', ...SPEC, ...AZ]);
    expect(r.code).toBe(ExitCode.USAGE);
    expect(r.stderr).toMatch(/pass --actor <who>/);
    expect((await cli(['tenant', 'show', 'initech', ...AZ])).code).toBe(ExitCode.NOT_FOUND);
  });

  test('a missing table is named, with the fix', async () => {
    const r = await cli(['tenant', 'list', '--cloud', 'azure', '--table', 'nosuchtable']);
    expect(r.code).toBe(ExitCode.NOT_FOUND);
    expect(r.stderr).toMatch(/table nosuchtable not found .*check --table-endpoint and --table/);
  });

  test('bind-client has no Azure form', async () => {
    const r = await cli(['tenant', 'bind-client', 'globex', '--client-id', 'abc', ...AS_ALICE]);
    expect(r.code).toBe(ExitCode.USAGE);
    expect(r.stderr).toMatch(/Cognito app clients/);
  });

  test('without a connection string or --table-endpoint, the CLI says what to pass', async () => {
    const saved = process.env[AZURE_TABLES_CONNECTION_STRING_ENV];
    delete process.env[AZURE_TABLES_CONNECTION_STRING_ENV];
    try {
      const r = await cli(['tenant', 'list', ...AZ]);
      expect(r.code).toBe(ExitCode.USAGE);
      expect(r.stderr).toMatch(/--table-endpoint https:\/\/<account>\.table\.cosmos\.azure\.com:443\//);
    } finally {
      process.env[AZURE_TABLES_CONNECTION_STRING_ENV] = saved;
    }
  });
});

test('the list of Azure forms (the README\'s parity row) names every command of the CLI, each once', async () => {
  const commandsOf = async (argv: string[]): Promise<string[]> => {
    const help = (await cli([...argv, '--help'])).stdout;
    const block = help.split(/\nCommands:\n/)[1]?.split(/\n\n/)[0] ?? '';
    // Command lines are indented two spaces; wrapped descriptions more.
    return block.split('\n').flatMap((l) => /^ {2}([a-z][\w-]*)/.exec(l)?.[1] ?? []).filter((c) => c !== 'help');
  };
  const leaves: string[] = [];
  for (const group of await commandsOf([])) {
    const subs = await commandsOf([group]);
    leaves.push(...(subs.length === 0 ? [group] : subs.map((s) => `${group} ${s}`)));
  }
  expect(leaves.length).toBeGreaterThan(10);
  expect(CLI_CLOUD_FORMS.map((c) => c.command).sort()).toEqual(leaves.sort());
});

describe('the Entra operator named in the audit entity', () => {
  const credential = (token: string) => ({ getToken: async () => ({ token, expiresOnTimestamp: Date.now() + 3_600_000 }) });

  test('is read from the access token with the authorizer\'s JWT parser: upn first, then preferred_username, appid, oid', async () => {
    const entraKey = rsaKey('entra-1');
    const token = (members: Record<string, unknown>): string => signJwt(entraKey, { iss: 'https://login.microsoftonline.com/t/v2.0', aud: 'https://cosmos.azure.com', ...members });
    expect(await new EntraCallerIdentity(credential(token({ upn: 'ops@contoso.example', oid: 'o-1' }))).whoAmI()).toBe('entra:ops@contoso.example');
    expect(await new EntraCallerIdentity(credential(token({ appid: 'app-1', oid: 'o-1' }))).whoAmI()).toBe('entra:app-1');
    expect(await new EntraCallerIdentity(credential(token({}))).whoAmI()).toBe('entra:unknown');
  });

  test('a token that is not a readable JWT is a one-line CLI error naming the way out, not a JSON parser\'s exception', async () => {
    for (const bad of ['opaque-token', 'a.!!!.c', `e30.${Buffer.from('not json').toString('base64url')}.c2ln`]) {
      const e = await new EntraCallerIdentity(credential(bad)).whoAmI().catch((x: unknown) => x);
      expect(e).toBeInstanceOf(CliError);
      expect((e as CliError).message).toMatch(/access token is not a readable JWT \(.+\): pass --actor <who>/);
    }
  });
});
