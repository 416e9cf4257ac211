/**
 * Embedded metric format, read the way CloudWatch Logs reads it (Specification: Embedded metric format): a log event
 * that is a JSON object with `_aws.CloudWatchMetrics` yields, for every directive, every metric of `Metrics` under every
 * dimension set of `Dimensions`, the dimension values taken from root members (strings) and the values from root
 * members (a number or an array of numbers). A document that breaks a MUST of the specification is an error here (in
 * CloudWatch it is dropped, and the alarm stays silent).
 */
import type { MetricIdentity } from '../../lib/spec/contracts/metrics';

export interface EmfDatum extends MetricIdentity {
  readonly value: number;
  readonly unit: string;
}

/** The metrics CloudWatch extracts from one log event; [] for a plain log line. */
export function extractEmf(message: string): EmfDatum[] {
  let root: Record<string, unknown>;
  try {
    root = JSON.parse(message) as Record<string, unknown>;
  } catch {
    return [];
  }
  if (root === null || typeof root !== 'object' || Array.isArray(root)) return [];
  const aws = root._aws as Record<string, unknown> | undefined;
  if (aws === undefined) return [];
  const fail = (what: string): never => {
    throw new Error(`invalid EMF document (${what}): ${message.slice(0, 300)}`);
  };
  if (typeof aws !== 'object' || aws === null) fail('_aws is not an object');
  if (!Number.isInteger(aws.Timestamp)) fail('_aws.Timestamp is not an integer of milliseconds');
  const directives = aws.CloudWatchMetrics;
  if (!Array.isArray(directives)) fail('_aws.CloudWatchMetrics is not an array');
  const out: EmfDatum[] = [];
  for (const d of directives as Array<Record<string, unknown>>) {
    const ns = d.Namespace;
    if (typeof ns !== 'string' || ns.length < 1 || ns.length > 255) fail('Namespace');
    if (!Array.isArray(d.Dimensions) || d.Dimensions.length < 1) fail('Dimensions must be a non-empty array of dimension sets');
    if (!Array.isArray(d.Metrics) || d.Metrics.length > 100) fail('Metrics');
    for (const set of d.Dimensions as unknown[]) {
      if (!Array.isArray(set) || set.length > 9) fail('a dimension set is an array of at most 9 keys');
      const dims: Record<string, string> = {};
      for (const k of set as unknown[]) {
        if (typeof k !== 'string') fail('dimension key');
        const v = root[k as string];
        if (typeof v !== 'string') fail(`dimension target ${String(k)} must be a string member of the root`);
        dims[k as string] = v as string;
      }
      for (const m of d.Metrics as Array<Record<string, unknown>>) {
        if (typeof m.Name !== 'string') fail('metric Name');
        const target = root[m.Name as string];
        const values = Array.isArray(target) ? target : [target];
        if (values.length > 100 || values.some((v) => typeof v !== 'number' || !Number.isFinite(v))) fail(`metric target ${String(m.Name)} must be a number or an array of numbers`);
        for (const value of values as number[]) {
          out.push({ namespace: ns as string, metricName: m.Name as string, dimensions: dims, value, unit: (m.Unit as string | undefined) ?? 'None' });
        }
      }
    }
  }
  return out;
}

/** A key for a metric identity: namespace, name and the exact dimension set (order-independent). */
export function metricKey(m: MetricIdentity): string {
  const dims = Object.entries(m.dimensions).sort(([a], [b]) => a.localeCompare(b)).map(([k, v]) => `${k}=${v}`).join(',');
  return `${m.namespace}|${m.metricName}|{${dims}}`;
}
