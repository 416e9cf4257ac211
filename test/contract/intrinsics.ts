/**
 * A small resolver of the CloudFormation intrinsics the platform's templates use where the authorizer's and the
 * trigger's configuration are rendered: Ref (resources, pseudo parameters, SSM-typed parameters), Fn::GetAtt, Fn::Join,
 * Fn::Select, Fn::Split, Fn::Sub (variables only). Fed with what CloudFormation would know at deploy time: the
 * physical ids of the resources and the SSM parameters the earlier stacks publish. Anything else throws: a value the
 * resolver cannot produce is a contract the suite does not cover, not a pass.
 */

export interface Template {
  readonly Resources: Record<string, { Type: string; Properties?: Record<string, unknown>; DependsOn?: unknown }>;
  readonly Parameters?: Record<string, { Type: string; Default?: string }>;
}

export interface DeployFacts {
  readonly region: string;
  readonly account: string;
  /** Physical ids (what `Ref` returns) by logical id. */
  readonly refs?: Record<string, string>;
  /** `Fn::GetAtt` values by `<logical id>.<attribute>`. */
  readonly attributes?: Record<string, string>;
  /** SSM parameter values by name, in this stack's region. */
  readonly ssm?: Record<string, string>;
}

export class UnresolvableError extends Error {}

export function resolve(template: Template, value: unknown, facts: DeployFacts): unknown {
  const r = (v: unknown): unknown => resolve(template, v, facts);
  if (Array.isArray(value)) return value.map(r);
  if (value === null || typeof value !== 'object') return value;
  const o = value as Record<string, unknown>;
  const keys = Object.keys(o);
  if (keys.length !== 1 || !(keys[0] === 'Ref' || keys[0].startsWith('Fn::'))) {
    return Object.fromEntries(Object.entries(o).map(([k, v]) => [k, r(v)]));
  }
  const [fn] = keys;
  const arg = o[fn];
  switch (fn) {
    case 'Ref': return ref(template, arg as string, facts);
    case 'Fn::GetAtt': {
      const [id, attribute] = Array.isArray(arg) ? arg as string[] : String(arg).split('.');
      const v = facts.attributes?.[`${id}.${attribute}`];
      if (v === undefined) throw new UnresolvableError(`no value for Fn::GetAtt ${id}.${attribute}`);
      return v;
    }
    case 'Fn::Join': {
      const [sep, parts] = arg as [string, unknown[]];
      return (r(parts) as unknown[]).map(String).join(sep);
    }
    case 'Fn::Select': {
      const [index, list] = arg as [unknown, unknown];
      const items = r(list) as unknown[];
      const i = Number(r(index));
      if (!Array.isArray(items) || !(i >= 0 && i < items.length)) throw new UnresolvableError(`Fn::Select ${i} out of range`);
      return items[i];
    }
    case 'Fn::Split': {
      const [sep, text] = arg as [string, unknown];
      return String(r(text)).split(sep);
    }
    case 'Fn::Sub': {
      const [text, vars] = typeof arg === 'string' ? [arg, {}] : arg as [string, Record<string, unknown>];
      return text.replace(/\$\{([^}!]+)\}/g, (_m, name: string) => {
        if (name in vars) return String(r(vars[name]));
        return String(name.includes('.') ? r({ 'Fn::GetAtt': name.split('.') }) : ref(template, name, facts));
      });
    }
    default: throw new UnresolvableError(`intrinsic ${fn} is not supported by the contract resolver`);
  }
}

function ref(template: Template, name: string, facts: DeployFacts): string {
  switch (name) {
    case 'AWS::Region': return facts.region;
    case 'AWS::AccountId': return facts.account;
    case 'AWS::Partition': return 'aws';
    case 'AWS::URLSuffix': return 'amazonaws.com';
  }
  const parameter = template.Parameters?.[name];
  if (parameter) {
    if (parameter.Type.startsWith('AWS::SSM::Parameter::Value')) {
      const value = parameter.Default !== undefined ? facts.ssm?.[parameter.Default] : undefined;
      if (value === undefined) throw new UnresolvableError(`SSM parameter ${parameter.Default} is not published in ${facts.region}`);
      return value;
    }
    if (parameter.Default !== undefined) return parameter.Default;
  }
  const physical = facts.refs?.[name];
  if (physical === undefined) throw new UnresolvableError(`no physical id for Ref ${name}`);
  return physical;
}

/** The logical id of the single resource of `type` whose properties satisfy `match`. */
export function findResource(template: Template, type: string, match: (props: Record<string, unknown>) => boolean = () => true): string {
  const ids = Object.entries(template.Resources).filter(([, r]) => r.Type === type && match(r.Properties ?? {})).map(([id]) => id);
  if (ids.length !== 1) throw new Error(`expected one ${type}, found ${ids.length}: ${ids.join(', ')}`);
  return ids[0];
}
