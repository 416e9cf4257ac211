// Bad input, dry runs and failures: every one gives its documented exit code and a one-line error that says what
// to fix, never a stack trace, and leaves the table exactly as it was.
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { expectOneLineError, ON, REGIONS, SPEC, World } from './helpers';
import { ExitCode } from '../../lib/cli/main';

const world = new World();
let activeKeyId = '';

beforeAll(async () => {
  await world.start();
  const add = await world.cli(['tenant', 'add', 'acme', '--plan', 'standard', '--contact', 'ops@acme.example', '--plans', 'standard', '--no-metering', ...ON]);
  expect(add.stderr).toBe('');
  expect(add.code).toBe(0);
  activeKeyId = (await world.cli(['key', 'issue', '--tenant', 'acme', '--scopes', 'orders:read', ...SPEC, ...ON, '--json'])).json<{ keyId: string }>().keyId;
});
afterAll(async () => world.stop());

const cases: Array<[string, string[], number, RegExp]> = [
  ['unknown tenant (key issue)', ['key', 'issue', '--tenant', 'nobody', '--scopes', 'orders:read', ...SPEC, ...ON], ExitCode.NOT_FOUND, /tenant nobody not found .*tenant list/],
  ['unknown tenant (show)', ['tenant', 'show', 'nobody', ...ON], ExitCode.NOT_FOUND, /tenant nobody not found/],
  ['unknown tenant (disable)', ['tenant', 'disable', 'nobody', ...ON], ExitCode.NOT_FOUND, /tenant nobody not found/],
  ['malformed tenant id', ['tenant', 'show', 'acme corp!', ...ON], ExitCode.USAGE, /tenant id must be 1 to 64 letters/],
  ['malformed key (revoke --key)', ['key', 'revoke', '--key', 'not-a-key', ...ON], ExitCode.USAGE, /--key is not an API key issued by this CLI/],
  ['malformed key id (rotate)', ['key', 'rotate', 'abc', '--grace', '1h', ...ON], ExitCode.USAGE, /key id must look like key_/],
  ['unknown key id', ['key', 'revoke', 'key_0000000000000000', ...ON], ExitCode.NOT_FOUND, /key key_0000000000000000 not found/],
  ['unknown key value', ['key', 'revoke', '--key', `sap_${'A'.repeat(43)}`, ...ON], ExitCode.NOT_FOUND, /no record for this key/],
  ['malformed grace', ['key', 'rotate', 'key_0000000000000000', '--grace', 'tomorrow', ...ON], ExitCode.USAGE, /--grace must be a duration like 30m, 24h or 7d/],
  ['grace too long', ['key', 'rotate', 'key_0000000000000000', '--grace', '45d', ...ON], ExitCode.USAGE, /--grace must be at most 30d/],
  ['missing --grace', ['key', 'rotate', 'key_0000000000000000', ...ON], ExitCode.USAGE, /required option '--grace <duration>'/],
  ['unknown plan', ['tenant', 'add', 'globex', '--plan', 'gold', '--contact', 'a@globex.example', '--plans', 'standard,premium', '--no-metering', ...ON], ExitCode.USAGE, /unknown plan "gold": the platform's plans are standard, premium/],
  ['no plans given', ['tenant', 'add', 'globex', '--plan', 'standard', '--contact', 'a@globex.example', ...ON], ExitCode.USAGE, /pass --plans standard,premium or --spec/],
  ['bad contact', ['tenant', 'add', 'globex', '--plan', 'standard', '--contact', 'nobody', '--plans', 'standard', ...ON], ExitCode.USAGE, /--contact must be an email address/],
  ['tenant exists', ['tenant', 'add', 'acme', '--plan', 'standard', '--contact', 'a@acme.example', '--plans', 'standard', '--no-metering', ...ON], ExitCode.CONFLICT, /tenant acme already exists/],
  ['usage plan missing', ['tenant', 'add', 'globex', '--plan', 'standard', '--contact', 'a@globex.example', '--plans', 'standard', '--api', 'billing:v2', ...ON], ExitCode.NOT_FOUND, /usage plan orders-billing-v2-standard not found in eu-west-1/],
  ['metering without --api', ['tenant', 'add', 'globex', '--plan', 'standard', '--contact', 'a@globex.example', '--plans', 'standard', ...ON], ExitCode.USAGE, /--api orders:v1 .* or pass --no-metering/],
  ['no platform or table', ['tenant', 'list'], ExitCode.USAGE, /name the platform: --platform <name>/],
  ['bad platform name', ['tenant', 'list', '--platform', 'Orders!'], ExitCode.USAGE, /--platform must be the spec's name/],
  ['table missing', ['tenant', 'list', '--platform', 'ghost', '--region', 'eu-west-1'], ExitCode.NOT_FOUND, /table ghost-platform not found: check --platform/],
  ['unknown command', ['tenants', 'list'], ExitCode.USAGE, /unknown command 'tenants'/],
  ['unknown option', ['tenant', 'list', '--colour', ...ON], ExitCode.USAGE, /unknown option '--colour'/],
  ['scopes missing', ['key', 'issue', '--tenant', 'acme', '--scopes', ' , ', ...SPEC, ...ON], ExitCode.USAGE, /--scopes must list at least one scope/],
  ['key lifetime too long', ['key', 'issue', '--tenant', 'acme', '--scopes', 'a', ...SPEC, '--expires-in', '1000d', ...ON], ExitCode.USAGE, /--expires-in must be at most 730d/],
];

describe('bad input: documented exit code, one-line error, nothing changed', () => {
  test.each(cases)('%s', async (_name, argv, code, message) => {
    const before = await world.items();
    const audited = (await world.auditEvents()).length;
    const r = await world.cli(argv);
    expect(r.code).toBe(code);
    expectOneLineError(r.stderr, message);
    expect(await world.items()).toEqual(before);
    expect(await world.auditEvents()).toHaveLength(audited);
  });

  test('--json errors are machine-readable too', async () => {
    const r = await world.cli(['tenant', 'show', 'nobody', ...ON, '--json']);
    expect(r.code).toBe(3);
    expect(r.json()).toEqual({ error: { exitCode: 3, message: expect.stringMatching(/tenant nobody not found/) } });
  });

  test('help exits 0 and lists the exit codes', async () => {
    const r = await world.cli(['--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/Exit codes:[\s\S]*4 {2}conflict/);
  });
});

describe('--dry-run changes nothing (and audits nothing) for every write', () => {
  const writes: Array<[string, () => string[]]> = [
    ['tenant add', () => ['tenant', 'add', 'initech', '--plan', 'standard', '--contact', 'a@initech.example', '--plans', 'standard', '--api', 'orders:v1', '--metering-regions', 'eu-west-1,eu-central-1']],
    ['tenant disable', () => ['tenant', 'disable', 'acme']],
    ['key issue', () => ['key', 'issue', '--tenant', 'acme', '--scopes', 'orders:read', ...SPEC]],
    ['key rotate', () => ['key', 'rotate', activeKeyId, '--grace', '24h']],
    ['key revoke', () => ['key', 'revoke', activeKeyId]],
    ['token revoke', () => ['token', 'revoke', 'jti-1']],
  ];
  test.each(writes)('%s', async (_name, argv) => {
    const before = await world.items();
    const audited = (await world.auditEvents()).length;
    const gatewayKeys = await Promise.all(REGIONS.map(async (r) => (await world.gatewayKeys(r)).length));
    const r = await world.cli([...argv(), ...ON, '--dry-run']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^dry run: nothing was changed; would:\n {2}\S+/);
    expect(r.stdout).not.toMatch(/sap_/);
    expect(await world.items()).toEqual(before);
    expect(await world.auditEvents()).toHaveLength(audited);
    expect(await Promise.all(REGIONS.map(async (region) => (await world.gatewayKeys(region)).length))).toEqual(gatewayKeys);
    expect(world.identityCalls).toBe(2); // only the two real writes of beforeAll asked STS who is operating
  });
});

describe('failures outside the CLI', () => {
  test('an audit log that cannot be opened stops the change before anything is written (exit 5)', async () => {
    const before = await world.items();
    const r = await world.cli(['key', 'issue', '--tenant', 'acme', '--scopes', 'orders:read', ...SPEC, ...ON], {
      audit: () => ({
        prepare: async () => {
          throw Object.assign(new Error('The specified log group does not exist.'), { name: 'ResourceNotFoundException', $metadata: {} });
        },
        write: async () => undefined,
      }),
    });
    expect(r.code).toBe(ExitCode.AWS);
    expectOneLineError(r.stderr, /CloudWatch Logs error ResourceNotFoundException/);
    expect(await world.items()).toEqual(before);
  });

  test('DynamoDB unreachable: exit 5, one line', async () => {
    const dead = new DynamoDBClient({ endpoint: 'http://127.0.0.1:9', region: 'eu-west-1', credentials: { accessKeyId: 'x', secretAccessKey: 'y' }, maxAttempts: 1 });
    const r = await world.cli(['tenant', 'list', ...ON], { dynamodb: () => dead });
    dead.destroy();
    expect(r.code).toBe(ExitCode.AWS);
    expectOneLineError(r.stderr, /network error \(ECONNREFUSED\)/);
  });

  test('no credentials: exit 5 with how to provide them', async () => {
    const r = await world.cli(['key', 'issue', '--tenant', 'acme', '--scopes', 'orders:read', ...SPEC, ...ON], {
      identity: () => ({
        whoAmI: async () => {
          throw Object.assign(new Error('Could not load credentials from any providers'), { name: 'CredentialsProviderError' });
        },
      }),
    });
    expect(r.code).toBe(ExitCode.AWS);
    expectOneLineError(r.stderr, /no AWS credentials found: pass --profile/);
  });

  test('--actor replaces the STS lookup in the audit line', async () => {
    const calls = world.identityCalls;
    const r = await world.cli(['token', 'revoke', 'jti-actor', '--actor', 'oncall:bob', ...ON]);
    expect(r.code).toBe(0);
    expect(world.identityCalls).toBe(calls);
    expect((await world.auditEvents()).at(-1)).toMatchObject({ actor: 'oncall:bob', action: 'token.revoke', target: 'jti-actor', time: expect.stringMatching(/Z$/) });
  });
});
