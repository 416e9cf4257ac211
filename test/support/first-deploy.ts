import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * What a first `cdk deploy --all` needs, read from a synthesized cloud assembly: the names each stack reads at deploy
 * time (SSM parameters, secrets, KMS aliases) with the region it reads them in, what each stack produces, the deployment
 * order the stacks declare, and the external inputs nothing in the assembly produces (the README's checklist).
 */
export interface Stack {
  name: string;
  region: string;
  deps: string[];
  template: { Parameters?: Record<string, any>; Resources: Record<string, { Type: string; Properties?: any }> };
}
export interface Ref { kind: 'ssm' | 'secret' | 'alias'; name: string; region: string }

export function readAssembly(outdir: string): Stack[] {
  const manifest = JSON.parse(readFileSync(join(outdir, 'manifest.json'), 'utf8')) as { artifacts: Record<string, any> };
  return Object.entries(manifest.artifacts).filter(([, a]) => a.type === 'aws:cloudformation:stack').map(([name, a]) => ({
    name,
    region: String(a.environment).split('/').pop()!,
    deps: (a.dependencies ?? []).filter((d: string) => manifest.artifacts[d]?.type === 'aws:cloudformation:stack'),
    template: JSON.parse(readFileSync(join(outdir, a.properties.templateFile), 'utf8')),
  }));
}

/** Every stack that deploys before `stack` (transitively). */
export function earlier(stacks: Stack[], stack: Stack): Set<string> {
  const byName = new Map(stacks.map((s) => [s.name, s]));
  const seen = new Set<string>();
  const visit = (n: string) => byName.get(n)?.deps.forEach((d) => { if (!seen.has(d)) { seen.add(d); visit(d); } });
  visit(stack.name);
  return seen;
}

/** The SDK call of an AwsCustomResource (its Create/Update JSON, tokens flattened to placeholders). */
function sdkCall(p: any): { action?: string; region?: string; parameters?: Record<string, unknown> } | undefined {
  const flat = (v: any): string => (typeof v === 'string' ? v : Array.isArray(v?.['Fn::Join']) ? v['Fn::Join'][1].map(flat).join(v['Fn::Join'][0]) : 'TOKEN');
  try {
    return JSON.parse(flat(p?.Create));
  } catch {
    return undefined;
  }
}

export function reads(stack: Stack): Ref[] {
  const out: Ref[] = [];
  for (const p of Object.values(stack.template.Parameters ?? {})) {
    if (String(p.Type).includes('SSM') && !String(p.Default).startsWith('/cdk-bootstrap/')) out.push({ kind: 'ssm', name: p.Default, region: stack.region });
  }
  const text = JSON.stringify(stack.template.Resources);
  for (const m of text.matchAll(/\{\{resolve:secretsmanager:([^:}"]+)/g)) out.push({ kind: 'secret', name: m[1], region: stack.region });
  for (const r of Object.values(stack.template.Resources)) {
    if (r.Type !== 'Custom::AWS') continue;
    const call = sdkCall(r.Properties);
    const keyId = call?.parameters?.KeyId;
    if (typeof keyId === 'string' && keyId.startsWith('alias/')) out.push({ kind: 'alias', name: keyId, region: call!.region ?? stack.region });
  }
  // A key used by alias (replica keys, secrets' replicas) in the stack's own region.
  for (const r of Object.values(stack.template.Resources)) {
    const replicas = r.Type === 'AWS::SecretsManager::Secret' ? r.Properties?.ReplicaRegions ?? [] : [];
    for (const rep of replicas) if (String(rep.KmsKeyId).startsWith('alias/')) out.push({ kind: 'alias', name: rep.KmsKeyId, region: rep.Region });
    const kmsKeyId = r.Properties?.KmsKeyId;
    if (typeof kmsKeyId === 'string' && kmsKeyId.startsWith('alias/')) out.push({ kind: 'alias', name: kmsKeyId, region: stack.region });
  }
  return out;
}

export function produces(stack: Stack): Ref[] {
  const out: Ref[] = [];
  for (const r of Object.values(stack.template.Resources)) {
    const p = r.Properties ?? {};
    if (r.Type === 'AWS::SSM::Parameter' && typeof p.Name === 'string') out.push({ kind: 'ssm', name: p.Name, region: stack.region });
    if (r.Type === 'AWS::KMS::Alias') out.push({ kind: 'alias', name: p.AliasName, region: stack.region });
    if (r.Type === 'AWS::SecretsManager::Secret' && typeof p.Name === 'string') {
      out.push({ kind: 'secret', name: p.Name, region: stack.region });
      for (const rep of p.ReplicaRegions ?? []) out.push({ kind: 'secret', name: p.Name, region: rep.Region });
    }
    if (r.Type === 'Custom::AWS') {
      const call = sdkCall(p);
      if (call?.action === 'putParameter' && typeof call.parameters?.Name === 'string') out.push({ kind: 'ssm', name: call.parameters.Name, region: call.region ?? stack.region });
    }
  }
  return out;
}

/** Reads that no stack deploying earlier produces in that region, as `stack: kind name @ region`. */
export function unproducedReads(stacks: Stack[]): string[] {
  const problems: string[] = [];
  for (const stack of stacks) {
    const before = earlier(stacks, stack);
    const available = stacks.filter((s) => before.has(s.name)).flatMap(produces);
    for (const r of reads(stack)) {
      if (!available.some((a) => a.kind === r.kind && a.name === r.name && a.region === r.region)) problems.push(`${stack.name}: ${r.kind} ${r.name} @ ${r.region}`);
    }
  }
  return [...new Set(problems)];
}

/** What must exist before the first deploy, from the templates: each kind with the README words that cover it. */
export function externalInputs(stacks: Stack[]): { input: string; readme: RegExp }[] {
  const all = stacks.flatMap((s) => Object.values(s.template.Resources));
  const has = (type: string, test: (p: any) => boolean = () => true) => all.some((r) => r.Type === type && test(r.Properties ?? {}));
  const inputs: { input: string; readme: RegExp }[] = [
    { input: `CDK bootstrap in ${[...new Set(stacks.map((s) => s.region))].sort().join(', ')}`, readme: /cdk bootstrap/ },
  ];
  if (has('AWS::Route53::RecordSet') || has('AWS::CertificateManager::Certificate')) {
    inputs.push({ input: 'a public hosted zone, delegated, for DNS validation and records', readme: /hosted zone[\s\S]*delegat|delegat[\s\S]*hosted zone/i });
  }
  if (has('AWS::Cognito::UserPoolDomain')) inputs.push({ input: 'a globally unique Cognito domain prefix', readme: /Cognito domain prefix/i });
  if (has('AWS::ApiGateway::DomainName', (p) => p.MutualTlsAuthentication)) inputs.push({ input: 'the truststore object in S3', readme: /truststore/i });
  if (has('AWS::Shield::Protection')) inputs.push({ input: 'a Shield Advanced subscription', readme: /Shield Advanced subscription/i });
  if (has('AWS::CloudHSM::Cluster')) inputs.push({ input: 'CloudHSM initialization', readme: /CloudHSM/ });
  if (!has('AWS::ApiGateway::Account')) inputs.push({ input: 'the account\'s API Gateway CloudWatch role', readme: /API Gateway CloudWatch (Logs )?role/i });
  return inputs;
}

/** The README's "Before you deploy" section. */
export function beforeYouDeploy(): string {
  const readme = readFileSync(join(__dirname, '..', '..', 'README.md'), 'utf8');
  const start = readme.indexOf('\n## Before you deploy\n');
  if (start < 0) return '';
  const end = readme.indexOf('\n## ', start + 5);
  return readme.slice(start, end < 0 ? undefined : end);
}
