import { createHash } from 'node:crypto';
import { EvidenceBundle } from '../evidence';
import { RuleInfo, RuleResult } from '../recording';
import { compareResults } from './model';

/** A SARIF 2.1.0 log (the subset this report writes). */
export interface SarifLog {
  readonly $schema: string;
  readonly version: '2.1.0';
  readonly runs: SarifRun[];
}

export interface SarifRun {
  readonly tool: {
    readonly driver: {
      readonly name: string;
      readonly version: string;
      readonly informationUri?: string;
      readonly rules: SarifRule[];
    };
  };
  readonly automationDetails: { readonly id: string };
  readonly results: SarifResult[];
  readonly properties?: Readonly<Record<string, unknown>>;
}

export interface SarifRule {
  readonly id: string;
  readonly name: string;
  readonly shortDescription: { readonly text: string };
  readonly fullDescription: { readonly text: string };
  readonly help: { readonly text: string; readonly markdown: string };
  readonly helpUri?: string;
  readonly defaultConfiguration: { readonly level: 'error' | 'warning' | 'note' };
  readonly properties: { readonly tags: string[]; readonly controls: string[] };
}

export interface SarifPhysicalLocation {
  readonly artifactLocation: { readonly uri: string; readonly uriBaseId: string };
  readonly region: { readonly startLine: number; readonly startColumn?: number };
}

export interface SarifResult {
  readonly ruleId: string;
  readonly ruleIndex: number;
  readonly level: 'error' | 'warning' | 'note';
  readonly message: { readonly text: string };
  readonly locations: {
    readonly physicalLocation: SarifPhysicalLocation;
    readonly logicalLocations: { readonly name: string; readonly fullyQualifiedName: string; readonly kind: string }[];
  }[];
  readonly relatedLocations: { readonly id: number; readonly physicalLocation: SarifPhysicalLocation; readonly message: { readonly text: string } }[];
  readonly suppressions?: { readonly kind: 'inSource'; readonly status: 'accepted'; readonly justification: string }[];
  readonly partialFingerprints: { readonly primaryLocationLineHash: string };
  readonly properties: Readonly<Record<string, string>>;
}

export interface SarifOptions {
  /** The 1-based line of a resource's logical id in its template (1 when unknown). */
  readonly lineOf?: (template: string | undefined, logicalId: string) => number;
  /**
   * Include acknowledged findings, each with an accepted in-source suppression (the full record). Code scanning gets
   * the file without them: how it treats suppressions has changed over time, and they must not become alerts.
   * @default false
   */
  readonly includeAcknowledged?: boolean;
}

/** GitHub shows at most 20 tags per rule; the full control list stays in `properties.controls`. */
const MAX_TAGS = 20;
/** Where cdk-nag documents its rules. */
const CDK_NAG_RULES = 'https://github.com/cdklabs/cdk-nag/blob/main/RULES.md';
const SRCROOT = '%SRCROOT%';

const levelOf = (l: 'error' | 'warning' | 'info'): 'error' | 'warning' | 'note' => (l === 'info' ? 'note' : l);

/** Control ids of a rule, framework-prefixed, each once. */
export function controlTags(r: RuleInfo): string[] {
  return [...new Set([
    ...(r.controls.pci ?? []).map((c) => `PCI-DSS-4.0:${c}`),
    ...(r.controls.pci321 ?? []).map((c) => `PCI-DSS-3.2.1:${c}`),
    ...(r.controls.hipaa ?? []).map((c) => `HIPAA:${c}`),
    ...(r.controls.nist ?? []).map((c) => `NIST-800-53-R5:${c}`),
  ])];
}

/** The rule's id without the `[finding]` suffix and the finding itself. */
function findingOf(r: RuleResult): string | undefined {
  return r.ruleId.length > r.rule.length && r.ruleId.startsWith(`${r.rule}[`) ? r.ruleId.slice(r.rule.length + 1, -1) : undefined;
}

/** A stable identity of one finding across runs: the rule (with its finding) on one construct path. */
export function findingFingerprint(r: Pick<RuleResult, 'ruleId' | 'constructPath'>): string {
  return `${createHash('sha256').update(`${r.ruleId}\u0000${r.constructPath}`).digest('hex').slice(0, 16)}:1`;
}

/** What to call to acknowledge a finding, as `suggestedFix` and SARIF messages say it. */
export function acknowledgeHint(ruleId: string, constructPath: string): string {
  return `fix the resource, or acknowledge it next to the resource: acknowledge(<the construct at ${constructPath}>, '${ruleId}', '<why an assessor should accept it>')`;
}

function sarifRule(r: RuleInfo): SarifRule {
  const controls = controlTags(r);
  const own = r.pack === 'SecureApi';
  const doc = own ? 'docs/rules.md in the secure-api-platform package' : CDK_NAG_RULES;
  return {
    id: r.id,
    name: r.id.replace(/[^A-Za-z0-9]/g, ''),
    shortDescription: { text: r.requirement ?? r.info },
    fullDescription: { text: r.info },
    help: {
      text: `${r.explanation}${controls.length > 0 ? `\nControls: ${controls.join(', ')}` : ''}\nRule catalogue: ${doc}`,
      markdown: `${r.explanation}${controls.length > 0 ? `\n\n**Controls:** ${controls.join(', ')}` : ''}\n\nRule catalogue: ${own ? '`docs/rules.md` in the `secure-api-platform` package' : `[cdk-nag RULES.md](${CDK_NAG_RULES})`}`,
    },
    ...(own ? {} : { helpUri: CDK_NAG_RULES }),
    defaultConfiguration: { level: levelOf(r.level) },
    properties: { tags: ['security', 'compliance', ...controls].slice(0, MAX_TAGS), controls },
  };
}

/**
 * SARIF 2.1.0 for code scanning: one run per pack, every rule that ran in `tool.driver.rules`, one result per
 * unacknowledged finding (`includeAcknowledged` adds the acknowledged ones as accepted suppressions).
 * A result's primary location is the source line that created the resource (the first frame of CDK's creation stack
 * inside the repository and outside node_modules: for a consumer, their own `new SecureApiPlatform(…)` line), relative
 * to the repository root; the synthesized template is a related location.
 */
export function toSarif(bundle: EvidenceBundle, options: SarifOptions = {}): SarifLog {
  const lineOf = options.lineOf ?? (() => 1);
  const cdkOut = bundle.provenance?.cdkOut;
  const templateUri = (t: string | undefined, stack: string): string => {
    const file = t ?? `${stack}.template.json`;
    return cdkOut && cdkOut !== '.' ? `${cdkOut}/${file}` : file;
  };
  const runs = bundle.packs.map((pack): SarifRun => {
    const rules = [...pack.rules].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0)).map(sarifRule);
    const index = new Map(rules.map((r, i) => [r.id, i]));
    const byId = new Map(pack.rules.map((r) => [r.id, r]));
    const results = bundle.results
      .filter((r) => r.pack === pack.name && (r.status === 'fail' || r.status === 'error' || (options.includeAcknowledged === true && r.status === 'acknowledged')))
      .filter((r) => index.has(r.rule))
      .sort(compareResults)
      .map((r): SarifResult => {
        const info = byId.get(r.rule);
        const finding = findingOf(r);
        const template: SarifPhysicalLocation = {
          artifactLocation: { uri: templateUri(r.template, r.stack), uriBaseId: SRCROOT },
          region: { startLine: Math.max(1, lineOf(r.template, r.logicalId)) },
        };
        const source = bundle.sources?.[r.constructPath];
        const primary: SarifPhysicalLocation = source
          ? {
            artifactLocation: { uri: source.file, uriBaseId: SRCROOT },
            region: { startLine: source.line, ...(source.column ? { startColumn: source.column } : {}) },
          }
          : template;
        const what = r.status === 'error' ? `the rule could not evaluate the resource: ${r.message ?? ''}` : info?.info ?? '';
        return {
          ruleId: r.rule,
          ruleIndex: index.get(r.rule)!,
          level: r.status === 'error' ? 'error' : levelOf(r.level),
          message: { text: `${r.ruleId} on ${r.constructPath} (${r.resourceType} ${r.logicalId} in ${templateUri(r.template, r.stack)}): ${what} To resolve: ${acknowledgeHint(r.ruleId, r.constructPath)}.` },
          locations: [{ physicalLocation: primary, logicalLocations: [{ name: r.logicalId, fullyQualifiedName: r.constructPath, kind: 'resource' }] }],
          relatedLocations: [{ id: 1, physicalLocation: template, message: { text: `${r.logicalId} (${r.resourceType}) in the synthesized template` } }],
          ...(r.status === 'acknowledged' ? { suppressions: [{ kind: 'inSource' as const, status: 'accepted' as const, justification: r.reason ?? '' }] } : {}),
          partialFingerprints: { primaryLocationLineHash: findingFingerprint(r) },
          properties: {
            constructPath: r.constructPath,
            stack: r.stack,
            ...(finding !== undefined ? { finding } : {}),
            ...(r.acknowledgedAt !== undefined ? { acknowledgedAt: r.acknowledgedAt } : {}),
          },
        };
      });
    return {
      tool: {
        driver: {
          name: pack.name,
          version: pack.version ?? bundle.tool.version,
          ...(pack.name === 'SecureApi' ? {} : { informationUri: 'https://github.com/cdklabs/cdk-nag' }),
          rules,
        },
      },
      automationDetails: { id: `secure-api-platform/${pack.name}/` },
      results,
      properties: {
        ...(bundle.provenance?.commit ? { commit: bundle.provenance.commit } : {}),
        ...(bundle.provenance?.versions ? { versions: bundle.provenance.versions } : {}),
      },
    };
  });
  return { $schema: 'https://json.schemastore.org/sarif-2.1.0.json', version: '2.1.0', runs };
}
