import { EvidenceBundle } from '../evidence';
import { RuleResult } from '../recording';

/** A SARIF 2.1.0 log (the subset this report writes). */
export interface SarifLog {
  readonly $schema: string;
  readonly version: '2.1.0';
  readonly runs: SarifRun[];
}

export interface SarifRun {
  readonly tool: {
    readonly driver: { readonly name: string; readonly version: string; readonly informationUri: string; readonly rules: SarifRule[] };
  };
  readonly results: SarifResult[];
}

export interface SarifRule {
  readonly id: string;
  readonly name: string;
  readonly shortDescription: { readonly text: string };
  readonly fullDescription: { readonly text: string };
  readonly help: { readonly text: string };
  readonly defaultConfiguration: { readonly level: 'error' | 'warning' | 'note' };
  readonly properties: { readonly tags: string[] };
}

export interface SarifResult {
  readonly ruleId: string;
  readonly ruleIndex: number;
  readonly level: 'error' | 'warning' | 'note';
  readonly message: { readonly text: string };
  readonly locations: {
    readonly physicalLocation: {
      readonly artifactLocation: { readonly uri: string; readonly uriBaseId: string };
      readonly region: { readonly startLine: number };
    };
    readonly logicalLocations: { readonly name: string; readonly fullyQualifiedName: string; readonly kind: string }[];
  }[];
  readonly suppressions?: { readonly kind: 'inSource'; readonly status: 'accepted'; readonly justification: string }[];
  readonly partialFingerprints: { readonly [key: string]: string };
}

const levelOf = (l: 'error' | 'warning' | 'info'): 'error' | 'warning' | 'note' => (l === 'info' ? 'note' : l);

/**
 * SARIF 2.1.0 for code-scanning UIs: one run per pack, every rule that ran in `tool.driver.rules`, one result per
 * finding; acknowledged findings carry an accepted in-source suppression with the reason.
 * `lineOf(template, logicalId)` places a result on its resource's line in the template.
 */
export function toSarif(bundle: EvidenceBundle, lineOf: (template: string | undefined, logicalId: string) => number = () => 1): SarifLog {
  const runs = bundle.packs.map((pack) => {
    const rules: SarifRule[] = pack.rules.map((r) => ({
      id: r.id,
      name: r.id.replace(/[^A-Za-z0-9]/g, ''),
      shortDescription: { text: r.requirement ?? r.info },
      fullDescription: { text: r.info },
      help: { text: r.explanation },
      defaultConfiguration: { level: levelOf(r.level) },
      properties: {
        tags: ['security', 'compliance',
          ...(r.controls.pci ?? []).map((c) => `PCI-DSS-4.0:${c}`),
          ...(r.controls.pci321 ?? []).map((c) => `PCI-DSS-3.2.1:${c}`),
          ...(r.controls.hipaa ?? []).map((c) => `HIPAA:${c}`),
          ...(r.controls.nist ?? []).map((c) => `NIST-800-53-R5:${c}`)],
      },
    }));
    const index = new Map(rules.map((r, i) => [r.id, i]));
    const results = bundle.results
      .filter((r): r is RuleResult => r.pack === pack.name && r.status !== 'pass')
      .map((r): SarifResult => {
        const info = pack.rules[index.get(r.rule) ?? 0];
        return {
          ruleId: r.ruleId,
          ruleIndex: index.get(r.rule) ?? 0,
          level: r.status === 'error' ? 'error' : levelOf(r.level),
          message: { text: `${r.ruleId} on ${r.constructPath} (${r.resourceType}): ${r.status === 'error' ? `the rule could not evaluate the resource: ${r.message ?? ''}` : info?.info ?? ''}` },
          locations: [{
            physicalLocation: { artifactLocation: { uri: r.template ?? `${r.stack}.template.json`, uriBaseId: 'CDKOUT' }, region: { startLine: lineOf(r.template, r.logicalId) } },
            logicalLocations: [{ name: r.logicalId, fullyQualifiedName: r.constructPath, kind: 'resource' }],
          }],
          suppressions: r.status === 'acknowledged' ? [{ kind: 'inSource', status: 'accepted', justification: r.reason ?? '' }] : undefined,
          partialFingerprints: { 'constructPath/ruleId': `${r.constructPath}/${r.ruleId}` },
        };
      });
    return { tool: { driver: { name: pack.name, version: bundle.tool.version, informationUri: 'https://github.com/cdklabs/cdk-nag', rules } }, results };
  });
  return { $schema: 'https://json.schemastore.org/sarif-2.1.0.json', version: '2.1.0', runs };
}
