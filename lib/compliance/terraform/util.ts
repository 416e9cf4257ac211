import { TfAttributes, TfConfig, TfResource, TfRuleVerdict } from './types';

/** A Terraform interpolation (`${...}`): its value is unknown at synth, so a rule that needs a literal fails closed. */
export function isUnresolved(value: unknown): boolean {
  return typeof value === 'string' && value.includes('${');
}

export const compliant = (): TfRuleVerdict => ({ status: 'COMPLIANT' });
export const notApplicable = (): TfRuleVerdict => ({ status: 'NOT_APPLICABLE' });
export const nonCompliant = (detail: string): TfRuleVerdict => ({ status: 'NON_COMPLIANT', detail });

/** Joins problems into one verdict: compliant when there are none. */
export function verdict(problems: readonly string[]): TfRuleVerdict {
  return problems.length === 0 ? compliant() : nonCompliant(problems.join('; '));
}

const show = (v: unknown): string => (v === undefined ? 'unset' : JSON.stringify(v));

/** Problem text when `attrs[key]` is not literally `expected` (an unresolved reference is a problem too). */
export function expectLiteral(attrs: TfAttributes | undefined, key: string, expected: unknown, fix?: string): string[] {
  const v = attrs?.[key];
  if (isUnresolved(v)) return [`${key} is an unresolved reference (${show(v)}); set the literal ${show(expected)}`];
  if (v !== expected) return [`${key} must be ${show(expected)} (received: ${show(v)})${fix ? `; ${fix}` : ''}`];
  return [];
}

/** A nested block: Terraform JSON allows an object or a list of objects; returns every instance. */
export function blocks(attrs: TfAttributes | undefined, key: string): TfAttributes[] {
  const v = attrs?.[key];
  if (Array.isArray(v)) return v.filter((x): x is TfAttributes => x !== null && typeof x === 'object');
  if (v !== null && typeof v === 'object') return [v as TfAttributes];
  return [];
}

/** The first instance of a nested block. */
export function block(attrs: TfAttributes | undefined, key: string): TfAttributes | undefined {
  return blocks(attrs, key)[0];
}

/** Whether `value` references `resource` (e.g. `${azurerm_key_vault.kv.id}`). */
export function references(value: unknown, resource: TfResource): boolean {
  if (typeof value === 'string') return value.includes(`\${${resource.address}.`) || value.includes(`\${${resource.address}}`);
  if (Array.isArray(value)) return value.some((v) => references(v, resource));
  if (value !== null && typeof value === 'object') return Object.values(value).some((v) => references(v, resource));
  return false;
}

/** A numeric attribute, or undefined when unset, unresolved or not a number. */
export function numberOf(attrs: TfAttributes | undefined, key: string): number | undefined {
  const v = attrs?.[key];
  if (typeof v === 'number') return v;
  if (typeof v === 'string' && /^\d+$/.test(v)) return Number(v);
  return undefined;
}

/** Every resource of the configuration, in a stable order. */
export function resourcesOf(config: TfConfig): TfResource[] {
  const out: TfResource[] = [];
  for (const [type, byName] of Object.entries(config.resource ?? {})) {
    for (const [name, attributes] of Object.entries(byName ?? {})) {
      const meta = attributes['//'] as { metadata?: { path?: string } } | undefined;
      out.push({ type, name, address: `${type}.${name}`, constructPath: meta?.metadata?.path, attributes });
    }
  }
  return out;
}

/** The resources of one type. */
export function ofType(resources: readonly TfResource[], type: string): TfResource[] {
  return resources.filter((r) => r.type === type);
}
