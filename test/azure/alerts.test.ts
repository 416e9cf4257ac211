// The Azure alerts: every KQL query of the synthesized cdk.tf.json is parsed and analyzed by the Kusto language service
// against the tables and columns of the shared Azure log contract, and the fields it filters on are those of the line
// the real authorizer function writes (through the @azure/functions v4 handler).
import { invocationLines, invoke, apimBody } from './function-runtime';
import { exampleStack } from './fixture';
import { bearer, claims, JwksServer, rsaKey, signJwt } from '../authorizer/helpers';
import { Reason } from '../../lib/authorizer';
import { createAzureAuthorizerHandler } from '../../lib/authorizer/adapters/azure-function';
import { ALARMED_DENY_REASONS, AZURE_LOG_TABLES, AuthorizerMetrics, DECISION_LINE } from '../../lib/spec/contracts';

/* eslint-disable @typescript-eslint/no-require-imports, @typescript-eslint/no-explicit-any */
require('@kusto/language-service-next/bridge.js');
require('@kusto/language-service-next');
const K = (globalThis as any).Kusto.Language;
/* eslint-enable @typescript-eslint/no-require-imports */

/** The contract's tables as a Kusto database schema. */
function globals(tables = AZURE_LOG_TABLES): any {
  const symbols = tables.map((t) => new K.Symbols.TableSymbol.$ctor7(t.table, `(${Object.values(t.columns).map((c) => `${c.name}: ${c.type}`).join(', ')})`, null));
  return K.GlobalState.Default.WithDatabase(new K.Symbols.DatabaseSymbol.$ctor2('platform', null, symbols));
}

function diagnostics(query: string, g = globals()): string[] {
  const d = K.KustoCode.ParseAndAnalyze(query, g).GetDiagnostics();
  const out: string[] = [];
  for (let i = 0; i < d.Count; i++) out.push(d.getItem(i).Message as string);
  return out;
}

type Rule = { name: string; criteria: { query: string; threshold: number; operator: string; metric_measure_column: string }[]; scopes: string[] };
let rules: Rule[];
beforeAll(() => {
  const config = exampleStack().config as { resource: Record<string, Record<string, Rule>> };
  rules = Object.values(config.resource.azurerm_monitor_scheduled_query_rules_alert_v2);
});

test('one alert per alarmed deny reason and per health signal of the AWS alarms, on the platform workspace', () => {
  const names = rules.map((r) => r.name.replace(/^orders-/, ''));
  expect(names).toEqual(expect.arrayContaining([
    'DenyBadSignature', 'DenyRevoked', 'DenyUnknownIssuer', 'JwksFetchFailure',
    'Unauthorized401Spike', 'Forbidden403Spike', 'Throttled', 'ServerErrorRate', 'LatencyP99', 'WafBlockedSpike',
  ]));
  expect(names.filter((n) => n.startsWith('Deny'))).toHaveLength(ALARMED_DENY_REASONS.length);
  for (const r of rules) {
    expect(r.scopes).toEqual([expect.stringMatching(/^\$\{azurerm_log_analytics_workspace\..*\.id\}$/)]);
    expect(r.criteria[0]).toMatchObject({ operator: 'GreaterThanOrEqual', metric_measure_column: 'Value' });
  }
  expect(rules.find((r) => r.name === 'orders-LatencyP99')!.criteria[0].threshold).toBe(800);
});

test('every query parses and its tables and columns exist in the contract schema (Kusto language service)', () => {
  expect(rules.length).toBeGreaterThan(10);
  for (const r of rules) expect([r.name, diagnostics(r.criteria[0].query)]).toEqual([r.name, []]);
  // Controls: the analyzer does catch a wrong table or column.
  expect(diagnostics('AppTrace | count')).toEqual([expect.stringMatching(/'AppTrace' does not refer to any known table/)]);
  expect(diagnostics('ApiManagementGatewayLogs | where ResponseCod == 401')).toEqual([expect.stringMatching(/'ResponseCod' does not refer to any known column/)]);
  // ... and the contract's schema is what the queries need: without AppTraces the deny alerts do not analyze.
  const deny = rules.find((r) => r.name === 'orders-DenyBadSignature')!.criteria[0].query;
  expect(diagnostics(deny, globals(AZURE_LOG_TABLES.filter((t) => t.table !== 'AppTraces')))).not.toEqual([]);
});

describe('the queries read what the function writes', () => {
  const server = new JwksServer();
  beforeAll(() => server.start());
  afterAll(() => server.stop());

  test('a bad-signature deny line has the message and members the deny alert filters on', async () => {
    const key = rsaKey('k1');
    server.keys = [key.publicJwk];
    const handler = createAzureAuthorizerHandler({
      issuers: [{ issuer: server.issuer, jwksUri: server.uri, audience: ['urn:api:orders'] }],
      routes: { 'GET /orders/{id}': { scopes: ['orders:read'] } },
      revocation: { enabled: false },
      tenants: { enabled: false },
    });
    const forged = signJwt(rsaKey('k1'), claims(server.issuer));
    invocationLines.length = 0;
    expect((await invoke(handler, JSON.stringify(apimBody(bearer(forged))))).status).toBe(401);
    const raw = invocationLines.find((l) => l.includes(DECISION_LINE.message))!;
    const line = JSON.parse(raw) as Record<string, unknown>;
    const query = rules.find((r) => r.name === 'orders-DenyBadSignature')!.criteria[0].query;
    // The query's `has` term and every `line.<member>` it reads are in the real line, with the values it compares.
    expect(query).toContain(`has "${DECISION_LINE.message}"`);
    expect(raw).toContain(DECISION_LINE.message);
    const members = [...new Set([...rules.flatMap((r) => [...r.criteria[0].query.matchAll(/line\.([A-Za-z_]+)/g)].map((m) => m[1]))])];
    expect(members.sort()).toEqual([DECISION_LINE.decision, DECISION_LINE.reason].sort());
    for (const m of members) expect(line).toHaveProperty(m);
    expect(query).toContain(`tostring(line.${DECISION_LINE.reason}) == "${String(line[DECISION_LINE.reason])}"`);
    expect(line[DECISION_LINE.reason]).toBe(Reason.BAD_SIGNATURE);
  });

  test('a failed JWKS fetch writes the term the JwksFetchFailure alert searches', async () => {
    server.behaviour = 'down';
    const handler = createAzureAuthorizerHandler({
      issuers: [{ issuer: server.issuer, jwksUri: server.uri, audience: ['urn:api:orders'] }],
      routes: { 'GET /orders/{id}': { scopes: ['orders:read'] } },
      revocation: { enabled: false },
      tenants: { enabled: false },
    });
    invocationLines.length = 0;
    await invoke(handler, JSON.stringify(apimBody(bearer(signJwt(rsaKey('k9'), claims(server.issuer))))));
    server.behaviour = 'ok';
    const query = rules.find((r) => r.name === 'orders-JwksFetchFailure')!.criteria[0].query;
    expect(query).toContain(`has "${AuthorizerMetrics.jwksFetchFailure}"`);
    expect(invocationLines.some((l) => l.includes(`"${AuthorizerMetrics.jwksFetchFailure}"`))).toBe(true);
  });
});
