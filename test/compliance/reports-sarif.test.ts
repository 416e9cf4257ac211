// SARIF for GitHub code scanning: valid against the official 2.1.0 schema (with upload-sarif's filter), results on the
// source line that created the resource, only unacknowledged findings in the file to upload, stable across runs.
/* eslint-disable security/detect-non-literal-fs-filename -- every path is under a mkdtemp folder of this test */
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { assemblyDir, lineOf, platformApp, readReport, REASON, sarifSchemaErrors, THIS_FILE } from './reports-helpers';
import { Compliance, EvidenceBundle, REPORT_FILES, SarifLog } from '../../lib/compliance';

function synth(outdir: string): void {
  const { app } = platformApp({ acknowledgeHealth: true, outdir });
  Compliance.enforce(app, { profiles: ['PCI_DSS', 'HIPAA', 'NIST_800_53'], printVerdict: false });
  expect(() => app.synth()).toThrow(/SecureApi-ApiMethodAuthorizer/);
}

describe('compliance.sarif', () => {
  const outdir = assemblyDir('sarif-');
  const again = assemblyDir('sarif-again-');
  let sarif: SarifLog;
  let full: SarifLog;
  let evidence: EvidenceBundle;
  beforeAll(() => {
    synth(outdir);
    synth(again);
    sarif = readReport<SarifLog>(outdir, REPORT_FILES.sarif);
    full = readReport<SarifLog>(outdir, REPORT_FILES.sarifFull);
    evidence = readReport<EvidenceBundle>(outdir, REPORT_FILES.evidence);
  });
  afterAll(() => {
    rmSync(outdir, { recursive: true, force: true });
    rmSync(again, { recursive: true, force: true });
  });

  test('both files are valid against the official SARIF 2.1.0 schema, with the filter GitHub upload-sarif applies', () => {
    expect(sarifSchemaErrors(sarif)).toEqual([]);
    expect(sarifSchemaErrors(full)).toEqual([]);
    // The validator does catch what GitHub refuses: a repeated tag.
    const broken = JSON.parse(JSON.stringify(sarif)) as SarifLog;
    broken.runs[0].tool.driver.rules[0].properties.tags.push('security');
    expect(sarifSchemaErrors(broken).map((e) => e.keyword)).toContain('uniqueItems');
  });

  test('every result names the rule at its ruleIndex; every rule\'s tags are unique', () => {
    let results = 0;
    for (const run of [...sarif.runs, ...full.runs]) {
      for (const rule of run.tool.driver.rules) expect(new Set(rule.properties.tags).size).toBe(rule.properties.tags.length);
      for (const r of run.results) {
        expect(run.tool.driver.rules[r.ruleIndex].id).toBe(r.ruleId);
        results++;
      }
    }
    expect(results).toBeGreaterThan(10);
    // A findings-based rule keeps its finding outside the rule id.
    const iam5 = sarif.runs.flatMap((r) => r.results).find((r) => r.ruleId === 'AwsSolutions-IAM5');
    expect(iam5?.properties.finding).toBe('Action::s3:*');
  });

  test('the upload file has only unacknowledged findings; the full record adds the acknowledged ones as accepted suppressions', () => {
    const unacknowledged = evidence.results.filter((r) => r.status === 'fail' || r.status === 'error').length;
    const acknowledged = evidence.results.filter((r) => r.status === 'acknowledged').length;
    expect(acknowledged).toBeGreaterThan(0);
    const upload = sarif.runs.flatMap((r) => r.results);
    expect(upload).toHaveLength(unacknowledged);
    expect(upload.filter((r) => r.suppressions !== undefined)).toEqual([]);
    const all = full.runs.flatMap((r) => r.results);
    expect(all).toHaveLength(unacknowledged + acknowledged);
    expect(all.find((r) => r.suppressions !== undefined)).toMatchObject({
      ruleId: 'SecureApi-ApiMethodAuthorizer', suppressions: [{ kind: 'inSource', status: 'accepted', justification: REASON }],
    });
  });

  test('primary location: the repository-relative source line that created the resource; the template is a related location', () => {
    const results = sarif.runs.flatMap((r) => r.results);
    const at = (path: string) => results.find((r) => r.locations[0].logicalLocations[0].fullyQualifiedName === path)!;
    const stage = at('Api/Rest/DeploymentStage.prod/Resource');
    expect(stage.locations[0].physicalLocation.artifactLocation.uri).toBe(THIS_FILE);
    expect(stage.locations[0].physicalLocation.region.startLine).toBe(lineOf('new apigw.RestApi(stack, \'Rest\''));
    const role = results.find((r) => r.ruleId === 'AwsSolutions-IAM5')!;
    expect(role.locations[0].physicalLocation.artifactLocation.uri).toBe(THIS_FILE);
    expect(role.locations[0].physicalLocation.region.startLine).toBe(lineOf('fn.addToRolePolicy('));
    const template = `${outdir.slice(join(__dirname, '..', '..').length + 1)}/Api.template.json`;
    for (const r of results) {
      expect(r.locations[0].physicalLocation.artifactLocation.uri).not.toMatch(/^\/|node_modules|\.template\.json$/);
      expect(r.relatedLocations[0].physicalLocation.artifactLocation.uri).toBe(template);
      expect(r.relatedLocations[0].physicalLocation.region.startLine).toBeGreaterThan(1);
    }
  });

  test('real versions: cdk-nag\'s for its packs, this library\'s for the platform pack; the own pack links no cdk-nag page', () => {
    const nag = (JSON.parse(readFileSync(require.resolve('cdk-nag/package.json'), 'utf8')) as { version: string }).version;
    const own = (JSON.parse(readFileSync(join(__dirname, '..', '..', 'package.json'), 'utf8')) as { version: string }).version;
    const byName = Object.fromEntries(sarif.runs.map((r) => [r.tool.driver.name, r.tool.driver]));
    expect(Object.keys(byName)).toEqual(['AwsSolutions', 'HIPAA.Security', 'PCI.DSS.321', 'NIST.800.53.R5', 'SecureApi']);
    for (const pack of ['AwsSolutions', 'HIPAA.Security', 'PCI.DSS.321', 'NIST.800.53.R5']) expect(byName[pack].version).toBe(nag);
    expect(byName.SecureApi.version.startsWith(own)).toBe(true);
    expect(byName.SecureApi.informationUri).toBeUndefined();
    expect(byName.SecureApi.rules.filter((r) => r.helpUri !== undefined)).toEqual([]);
    expect(byName.AwsSolutions.rules.every((r) => r.helpUri?.startsWith('https://github.com/cdklabs/cdk-nag/'))).toBe(true);
    expect(byName.SecureApi.rules.every((r) => r.help.markdown.includes('docs/rules.md'))).toBe(true);
  });

  test('fingerprints and content are stable: a second synth of the same app writes the same SARIF', () => {
    const second = readReport<SarifLog>(again, REPORT_FILES.sarif);
    const strip = (log: SarifLog): string => JSON.stringify(log).split(again.slice(join(__dirname, '..', '..').length + 1)).join('<out>').split(outdir.slice(join(__dirname, '..', '..').length + 1)).join('<out>');
    expect(strip(second)).toBe(strip(sarif));
    const prints = sarif.runs.flatMap((r) => r.results.map((x) => x.partialFingerprints.primaryLocationLineHash));
    expect(new Set(prints).size).toBe(prints.length);
    for (const p of prints) expect(p).toMatch(/^[0-9a-f]{16}:1$/);
  });
});
