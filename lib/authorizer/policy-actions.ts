import { loadCedar } from './cedar';

/** Every `Action::"..."` a policy set names (scope and conditions), from Cedar's own parse. For synth-time checks. */
export function namedActions(policies: string): string[] {
  const cedar = loadCedar();
  const parts = cedar.policySetTextToParts(policies);
  if (parts.type !== 'success') return [];
  const found = new Set<string>();
  const walk = (node: unknown): void => {
    if (Array.isArray(node)) {
      node.forEach(walk);
    } else if (node !== null && typeof node === 'object') {
      const o = node as Record<string, unknown>;
      if (o.type === 'Action' && typeof o.id === 'string') found.add(o.id);
      Object.values(o).forEach(walk);
    }
  };
  for (const policy of parts.policies) {
    const json = cedar.policyToJson(policy);
    if (json.type === 'success') walk(json.json);
  }
  return [...found];
}

/**
 * Actions the policies name that no route produces (a route's action is `METHOD /resource`): a policy on such an
 * action never applies, a `forbid` on it protects nothing. Empty when every named action is a route's.
 */
export function unknownPolicyActions(policies: string, routeKeys: Iterable<string>): string[] {
  const known = new Set(routeKeys);
  return namedActions(policies).filter((a) => !known.has(a));
}
