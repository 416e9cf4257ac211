import { EvidenceBundle } from '../evidence';

export function xmlEscape(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&apos;')
    // Characters XML 1.0 cannot carry at all.
    .replace(/[\u0000-\u0008\u000B\u000C\u000E-\u001F]/g, '');
}

/**
 * JUnit XML for CI test reports: one suite per pack, one test case per rule and resource it applied to (plus one
 * skipped case per rule that matched nothing); failures = unacknowledged findings, skipped = acknowledged or n/a.
 */
export function toJUnit(bundle: EvidenceBundle): string {
  const total = { tests: 0, failures: 0, errors: 0, skipped: 0 };
  const suites = bundle.packs.map((pack) => {
    const cases: string[] = [];
    let failures = 0;
    let errors = 0;
    let skipped = 0;
    const results = bundle.results.filter((r) => r.pack === pack.name);
    const applied = new Set(results.map((r) => r.rule));
    const byId = new Map(pack.rules.map((x) => [x.id, x]));
    for (const r of results) {
      const name = xmlEscape(`${r.ruleId} ${r.constructPath}`);
      const classname = xmlEscape(`${pack.name}.${r.stack}`);
      const info = byId.get(r.rule);
      if (r.status === 'pass') {cases.push(`    <testcase name="${name}" classname="${classname}"/>`);} else if (r.status === 'acknowledged') {
        skipped++;
        cases.push(`    <testcase name="${name}" classname="${classname}"><skipped message="${xmlEscape(`acknowledged: ${r.reason ?? ''}`)}"/></testcase>`);
      } else if (r.status === 'error') {
        errors++;
        cases.push(`    <testcase name="${name}" classname="${classname}"><error message="${xmlEscape(r.message ?? 'rule error')}" type="${xmlEscape(r.rule)}"/></testcase>`);
      } else {
        failures++;
        cases.push(`    <testcase name="${name}" classname="${classname}"><failure message="${xmlEscape(info?.info ?? r.ruleId)}" type="${xmlEscape(r.rule)}">${xmlEscape(`${r.resourceType} ${r.logicalId} in ${r.template ?? r.stack}\n${info?.explanation ?? ''}`)}</failure></testcase>`);
      }
    }
    for (const rule of pack.rules) {
      if (applied.has(rule.id)) continue;
      skipped++;
      cases.push(`    <testcase name="${xmlEscape(rule.id)}" classname="${xmlEscape(pack.name)}"><skipped message="not applicable to any resource"/></testcase>`);
    }
    total.tests += cases.length;
    total.failures += failures;
    total.errors += errors;
    total.skipped += skipped;
    return `  <testsuite name="${xmlEscape(pack.name)}" tests="${cases.length}" failures="${failures}" errors="${errors}" skipped="${skipped}">\n${cases.join('\n')}\n  </testsuite>`;
  });
  return `<?xml version="1.0" encoding="UTF-8"?>\n<testsuites name="secure-api-platform compliance" tests="${total.tests}" failures="${total.failures}" errors="${total.errors}" skipped="${total.skipped}">\n${suites.join('\n')}\n</testsuites>\n`;
}
