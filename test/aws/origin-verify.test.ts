import * as crypto from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as vm from 'node:vm';
import { Duration, Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import { RegionalWaf } from '../../constructs/aws/edge/regional-waf';
import { OriginVerifySecret, PlatformKeys } from '../../constructs/aws/keys';
import { resolveSpec } from '../../lib/spec';
import { fixtureSpec } from '../fixtures/platform-spec';
import { nagFindings, testStack } from '../support/nag';

const spec = resolveSpec(fixtureSpec('aws'));
const REGIONS = ['eu-west-1', 'eu-central-1'];
/** The rotation function as deployed: lib/rotation/origin-verify.ts bundled by `npm run bundle:authorizer`. */
const ROTATION_BUNDLE = readFileSync(join(__dirname, '..', '..', 'assets', 'origin-verify-rotation', 'index.js'), 'utf8');

describe('OriginVerifySecret with propagation (defaults from the spec)', () => {
  let stack: Stack;
  let t: Template;
  beforeAll(() => {
    ({ stack } = testStack('OriginVerify', 'eu-west-1'));
    const keys = new PlatformKeys(stack, 'Keys', { spec });
    new OriginVerifySecret(stack, 'OriginVerify', { spec, encryptionKey: keys.secrets, logKey: keys.logs });
    t = Template.fromStack(stack);
  });

  test('all four packs are clean', () => {
    expect(nagFindings(stack)).toEqual([]);
  });
  test('function: platform runtime, code from an asset (over the inline limit), environment naming the targets', () => {
    expect(ROTATION_BUNDLE.length).toBeGreaterThan(4096);
    t.hasResourceProperties('AWS::Lambda::Function', {
      Runtime: 'nodejs24.x',
      Code: { S3Bucket: Match.anyValue(), S3Key: Match.stringLikeRegexp('\\.zip$') },
      Timeout: 240,
      ReservedConcurrentExecutions: 1,
      Environment: {
        Variables: {
          HEADER_NAME: 'x-origin-verify',
          WEB_ACL_NAME: 'orders-regional',
          WEB_ACL_REGIONS: 'eu-west-1,eu-central-1',
          DISTRIBUTION_DOMAIN: 'api.example.com',
          WAF_PROPAGATION_SECONDS: '60',
        },
      },
    });
    const fn = Object.values(t.findResources('AWS::Lambda::Function'))[0];
    expect(fn.Properties.Code.ZipFile).toBeUndefined();
    t.hasResourceProperties('AWS::SecretsManager::RotationSchedule', { RotationRules: { ScheduleExpression: 'rate(30 days)' }, RotateImmediatelyOnUpdate: true });
  });
  test('IAM: web ACLs by computed name in each region, the distribution, the secret and its key; no inline policy', () => {
    const statements = Object.values(t.findResources('AWS::IAM::ManagedPolicy')).flatMap((p) => p.Properties.PolicyDocument.Statement);
    const bySid = (sid: string) => statements.find((s: { Sid?: string }) => s.Sid === sid);
    const arn = (region: string, resource: string) => ({ 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, `:wafv2:${region}:111111111111:${resource}`]] });
    expect(bySid('FindWebAclsAndDistribution')).toMatchObject({ Action: ['wafv2:ListWebACLs', 'cloudfront:ListDistributions'], Resource: '*' });
    expect(bySid('UpdateOriginVerifyMatches')).toMatchObject({
      Action: ['wafv2:GetWebACL', 'wafv2:UpdateWebACL'],
      Resource: REGIONS.map((r) => arn(r, 'regional/webacl/orders-regional/*')),
    });
    expect(bySid('ReferencedByWebAcls')).toMatchObject({
      Action: 'wafv2:UpdateWebACL',
      Resource: REGIONS.flatMap((r) => [arn(r, 'regional/ipset/*'), arn(r, 'regional/managedruleset/*')]),
    });
    expect(bySid('UpdateOriginHeader')).toMatchObject({
      Action: ['cloudfront:GetDistribution', 'cloudfront:GetDistributionConfig', 'cloudfront:UpdateDistribution'],
      Resource: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':cloudfront::111111111111:distribution/*']] },
      Condition: { StringEquals: { 'aws:ResourceTag/secure-api-platform:origin-verify': 'orders' } },
    });
    expect(bySid('ReadDistributionWebAcl')).toMatchObject({ Action: 'wafv2:GetWebACL', Resource: arn('us-east-1', 'global/webacl/orders-edge/*') });
    // Nothing else touches WAF or CloudFront (no UpdateIPSet, no wafv2:*).
    const actions = statements.flatMap((s: { Action: string | string[] }) => [s.Action].flat());
    expect(actions.filter((a: string) => /^(wafv2|cloudfront):/.test(a)).sort()).toEqual([
      'cloudfront:GetDistribution', 'cloudfront:GetDistributionConfig', 'cloudfront:ListDistributions', 'cloudfront:UpdateDistribution',
      'wafv2:GetWebACL', 'wafv2:GetWebACL', 'wafv2:ListWebACLs', 'wafv2:UpdateWebACL', 'wafv2:UpdateWebACL',
    ]);
    expect(statements).toEqual(expect.arrayContaining([expect.objectContaining({
      Action: ['secretsmanager:DescribeSecret', 'secretsmanager:GetSecretValue', 'secretsmanager:PutSecretValue', 'secretsmanager:UpdateSecretVersionStage'],
      Resource: { Ref: expect.stringMatching(/^OriginVerify/) },
    }), expect.objectContaining({
      Action: ['kms:Decrypt', 'kms:Encrypt', 'kms:GenerateDataKey'],
      Condition: { StringEquals: { 'kms:ViaService': 'secretsmanager.eu-west-1.amazonaws.com' } },
      Resource: { 'Fn::GetAtt': [expect.stringMatching(/^KeysSecrets/), 'Arn'] },
    })]));
    t.resourceCountIs('AWS::IAM::Policy', 0);
  });
  test('the default web ACL name is the one RegionalWaf gives its web ACL', () => {
    const { stack: region } = testStack('Waf', 'eu-central-1');
    new RegionalWaf(region, 'Waf', { spec });
    Template.fromStack(region).hasResourceProperties('AWS::WAFv2::WebACL', { Name: 'orders-regional', Scope: 'REGIONAL' });
  });
});

describe('OriginVerifySecret options', () => {
  const make = (id: string, extra: Record<string, unknown>) => {
    const { stack } = testStack(id, 'eu-west-1');
    const keys = new PlatformKeys(stack, 'Keys', { spec });
    const secret = new OriginVerifySecret(stack, 'OriginVerify', { spec, encryptionKey: keys.secrets, logKey: keys.logs, ...extra });
    return { stack, secret };
  };
  test('propagateTo: null opts out with a warning and grants nothing on WAF or CloudFront', () => {
    const { stack, secret } = make('NoPropagation', { propagateTo: null });
    expect(secret.propagation).toBeUndefined();
    Annotations.fromStack(stack).hasWarning('*', Match.stringLikeRegexp('propagateTo is null'));
    const statements = Object.values(Template.fromStack(stack).findResources('AWS::IAM::ManagedPolicy')).flatMap((p) => p.Properties.PolicyDocument.Statement);
    expect(JSON.stringify(statements)).not.toMatch(/wafv2|cloudfront/);
    expect(nagFindings(stack)).toEqual([]);
  });
  test('explicit targets without a distribution: no CloudFront grant, no distribution in the environment', () => {
    const { stack } = make('OwnTargets', { propagateTo: { regions: ['eu-west-1'], webAclName: 'my-acl', distributionDomain: null, wafPropagationDelay: Duration.seconds(0) } });
    const t = Template.fromStack(stack);
    t.hasResourceProperties('AWS::Lambda::Function', {
      Timeout: 180,
      Environment: { Variables: Match.objectLike({ WEB_ACL_NAME: 'my-acl', WEB_ACL_REGIONS: 'eu-west-1', DISTRIBUTION_DOMAIN: '', WAF_PROPAGATION_SECONDS: '0' }) },
    });
    expect(JSON.stringify(t.findResources('AWS::IAM::ManagedPolicy'))).not.toMatch(/cloudfront/);
    expect(nagFindings(stack)).toEqual([]);
  });
  test.each([
    [{ regions: [] }, /propagateTo.regions must list the AWS regions of the regional web ACLs \(received: \[\]\)/],
    [{ regions: ['Europe'] }, /propagateTo.regions must list the AWS regions .*received: \["Europe"\]/],
    [{ webAclName: 'bad name!' }, /propagateTo.webAclName must be a WAF web ACL name .*received: "bad name!"/],
    [{ distributionWebAclName: '' }, /propagateTo.distributionWebAclName must be a WAF web ACL name .*received: ""/],
    [{ distributionDomain: 'localhost' }, /propagateTo.distributionDomain must be the distribution's alternate domain name.*received: "localhost"/],
    [{ wafPropagationDelay: Duration.minutes(11) }, /propagateTo.wafPropagationDelay must be between 0 and 600 seconds \(received: 660 s\)/],
  ])('refuses %p', (propagateTo, message) => {
    expect(() => make(`Bad${crypto.randomUUID().slice(0, 8)}`, { propagateTo })).toThrow(message);
  });
});

// ---------------------------------------------------------------------------------------------------------------
// The rotation handler itself, run in a vm sandbox against in-memory Secrets Manager, WAFV2 and CloudFront.
// ---------------------------------------------------------------------------------------------------------------

type Json = any; // eslint-disable-line @typescript-eslint/no-explicit-any -- SDK-shaped fixtures
const A = 'A'.repeat(43);
const P = 'P'.repeat(43);
const HEADER = 'x-origin-verify';
const fail = (name: string, message = name) => Object.assign(new Error(message), { name });
const str = (v: Uint8Array | string) => (typeof v === 'string' ? v : Buffer.from(v).toString('utf8'));

/** The rules RegionalWaf synthesizes, with the dynamic references replaced as CloudFormation resolves them. */
function regionalRules(current: string, previous: string): Json[] {
  const { stack } = testStack(`Rules${crypto.randomUUID().slice(0, 8)}`, 'eu-west-1');
  new RegionalWaf(stack, 'Waf', { spec });
  const acl = Object.values(Template.fromStack(stack).findResources('AWS::WAFv2::WebACL'))[0];
  const walk = (node: Json): Json => {
    if (Array.isArray(node)) return node.map(walk);
    if (!node || typeof node !== 'object') return node;
    const out: Json = {};
    for (const [k, v] of Object.entries(node)) {
      if (k === 'SearchString' && typeof v === 'string') {
        const resolved = v.replace(/\{\{resolve:secretsmanager:[^}]*:current\}\}/, current).replace(/\{\{resolve:secretsmanager:[^}]*:previous\}\}/, previous);
        out[k] = new Uint8Array(Buffer.from(resolved)); // the SDK returns blobs
      } else {
        out[k] = walk(v);
      }
    }
    return out;
  };
  return walk(acl.Properties.Rules);
}
const RULES_A_P = regionalRules(A, P);

interface Version { value?: string; stages: string[] }
interface Acl { acl: Json; lockToken: string; updates: Json[]; failUpdates?: Error; conflicts?: number }

/** The world the handler sees: a secret, a web ACL per region (plus a decoy), a distribution; and an invariant check. */
class World {
  public readonly versions = new Map<string, Version>();
  public readonly acls = new Map<string, Acl>();
  public distribution?: { id: string; status: string; etag: string; config: Json; previouslySent?: string; conflicts?: number; updates: number };
  public readonly violations: string[] = [];
  public readonly calls: string[] = [];
  public readonly logs: string[] = [];
  public onDistributionUpdate?: () => void;

  constructor(opts: { regions?: string[]; distribution?: boolean } = {}) {
    this.versions.set('v0', { value: JSON.stringify({ current: A, previous: P }), stages: ['AWSCURRENT'] });
    for (const region of opts.regions ?? REGIONS) {
      this.acls.set(region, {
        acl: {
          Name: 'orders-regional',
          Id: `id-${region}`,
          ARN: `arn:aws:wafv2:${region}:111111111111:regional/webacl/orders-regional/id-${region}`,
          Capacity: 900,
          DefaultAction: { Allow: {} },
          Rules: structuredClone(RULES_A_P),
          VisibilityConfig: { MetricName: 'orders-regional', SampledRequestsEnabled: true, CloudWatchMetricsEnabled: true },
          AssociationConfig: { RequestBody: { API_GATEWAY: { DefaultSizeInspectionLimit: 'KB_16' } } },
          LabelNamespace: 'awswaf:111111111111:webacl:orders-regional:',
        },
        lockToken: 'lock-1',
        updates: [],
      });
    }
    if (opts.distribution ?? true) {
      this.distribution = {
        id: 'E1ORDERS',
        status: 'Deployed',
        etag: 'etag-1',
        updates: 0,
        config: {
          Comment: 'orders public APIs',
          WebACLId: 'arn:aws:wafv2:us-east-1:111111111111:global/webacl/orders-edge/x',
          Origins: { Quantity: 1, Items: [{ Id: 'origin', DomainName: 'origin.api.example.com', CustomHeaders: { Quantity: 1, Items: [{ HeaderName: HEADER, HeaderValue: A }] } }] },
        },
      };
    }
  }

  get current(): Json { return JSON.parse([...this.versions.values()].find((v) => v.stages.includes('AWSCURRENT'))!.value!); }
  get sent(): string | undefined { return this.distribution?.config.Origins.Items[0].CustomHeaders.Items[0].HeaderValue; }
  /** The values each region's origin-verify matches accept (every pair of a web ACL must agree). */
  accepted(region: string): string[] {
    const pairs: string[][] = [];
    const visit = (n: Json) => {
      if (Array.isArray(n)) return n.forEach(visit);
      if (!n || typeof n !== 'object' || ArrayBuffer.isView(n)) return;
      if (n.OrStatement) {
        const hits = n.OrStatement.Statements.filter((s: Json) => s.ByteMatchStatement?.FieldToMatch?.SingleHeader?.Name === HEADER);
        if (hits.length) pairs.push(hits.map((s: Json) => str(s.ByteMatchStatement.SearchString)).sort());
      }
      Object.values(n).forEach(visit);
    };
    visit(this.acls.get(region)!.acl.Rules);
    expect(pairs.length).toBe(2); // RequireOriginVerify and the per-IP rate rule's scope-down
    expect(new Set(pairs.map((p) => p.join()))).toEqual(new Set([pairs[0].join()]));
    return pairs[0];
  }
  /** Whatever the edge locations may be sending (the new value, and the old one while a change propagates) passes every WAF. */
  private checkInvariant(when: string): void {
    if (!this.distribution) return;
    const inFlight = [this.sent!, ...(this.distribution.status === 'InProgress' && this.distribution.previouslySent ? [this.distribution.previouslySent] : [])];
    for (const region of this.acls.keys()) {
      for (const v of inFlight) if (!this.accepted(region).includes(v)) this.violations.push(`${when}: ${region} rejects a value CloudFront sends`);
    }
  }

  secretsManager(op: string, input: Json): Json {
    const find = (): Version | undefined => (input.VersionId
      ? this.versions.get(input.VersionId)
      : [...this.versions.values()].find((v) => v.stages.includes(input.VersionStage)));
    switch (op) {
      case 'DescribeSecretCommand':
        return { VersionIdsToStages: Object.fromEntries([...this.versions].map(([id, v]) => [id, [...v.stages]])) };
      case 'GetSecretValueCommand': {
        const v = find();
        if (!v || v.value === undefined || (input.VersionStage && !v.stages.includes(input.VersionStage))) throw fail('ResourceNotFoundException');
        return { SecretString: v.value };
      }
      case 'PutSecretValueCommand':
        this.versions.set(input.ClientRequestToken, { value: input.SecretString, stages: input.VersionStages });
        return {};
      case 'UpdateSecretVersionStageCommand': {
        // Secrets Manager moves AWSPREVIOUS along and drops AWSPENDING when AWSCURRENT moves.
        for (const v of this.versions.values()) v.stages = v.stages.filter((s) => s !== 'AWSPREVIOUS');
        const from = this.versions.get(input.RemoveFromVersionId)!;
        from.stages = [...from.stages.filter((s) => s !== 'AWSCURRENT'), 'AWSPREVIOUS'];
        this.versions.get(input.MoveToVersionId)!.stages = ['AWSCURRENT'];
        return {};
      }
      default: throw new Error(`unexpected ${op}`);
    }
  }

  waf(region: string, op: string, input: Json): Json {
    this.calls.push(`${region}:${op}`);
    const entry = this.acls.get(region);
    switch (op) {
      case 'ListWebACLsCommand': {
        const decoy = { Name: 'someone-else', Id: 'decoy', ARN: 'arn:decoy', LockToken: 'x' };
        return { WebACLs: entry ? [decoy, { Name: entry.acl.Name, Id: entry.acl.Id, ARN: entry.acl.ARN, LockToken: entry.lockToken }] : [decoy] };
      }
      case 'GetWebACLCommand':
        expect(input).toEqual({ Name: 'orders-regional', Scope: 'REGIONAL', Id: `id-${region}` });
        return { WebACL: structuredClone(entry!.acl), LockToken: entry!.lockToken };
      case 'UpdateWebACLCommand': {
        if (entry!.conflicts) { entry!.conflicts--; entry!.lockToken += '+'; } // someone else updated it meanwhile
        if (input.LockToken !== entry!.lockToken) throw fail('WAFOptimisticLockException', 'stale LockToken');
        if (entry!.failUpdates) throw entry!.failUpdates;
        entry!.updates.push(input);
        const { LockToken, Scope, ...acl } = input;
        entry!.acl = { ...acl, ARN: entry!.acl.ARN, Capacity: entry!.acl.Capacity, LabelNamespace: entry!.acl.LabelNamespace };
        entry!.lockToken = `lock-${entry!.updates.length + 1}`;
        this.checkInvariant(`after UpdateWebACL ${region}`);
        return { NextLockToken: entry!.lockToken };
      }
      default: throw new Error(`unexpected ${op}`);
    }
  }

  cloudFront(op: string, input: Json): Json {
    this.calls.push(`cloudfront:${op}`);
    const d = this.distribution;
    switch (op) {
      case 'ListDistributionsCommand': {
        const other = { Id: 'E2OTHER', Aliases: { Quantity: 1, Items: ['www.example.org'] } };
        if (!input.Marker) return { DistributionList: { Items: [other], IsTruncated: true, NextMarker: 'page-2' } };
        return { DistributionList: { Items: d ? [{ Id: d.id, Aliases: { Quantity: 1, Items: ['api.example.com'] } }] : [], IsTruncated: false } };
      }
      case 'GetDistributionCommand':
        return { Distribution: { Id: d!.id, Status: d!.status, DistributionConfig: structuredClone(d!.config) }, ETag: d!.etag };
      case 'GetDistributionConfigCommand':
        return { DistributionConfig: structuredClone(d!.config), ETag: d!.etag };
      case 'UpdateDistributionCommand': {
        if (d!.conflicts) { d!.conflicts--; d!.etag += '+'; }
        if (input.IfMatch !== d!.etag) throw fail('PreconditionFailed', 'stale ETag');
        this.onDistributionUpdate?.();
        d!.previouslySent = this.sent;
        d!.config = input.DistributionConfig;
        d!.status = 'InProgress';
        d!.updates++;
        d!.etag = `etag-${d!.updates + 1}`;
        this.checkInvariant('after UpdateDistribution');
        return { ETag: d!.etag };
      }
      default: throw new Error(`unexpected ${op}`);
    }
  }

  /** The SDK v3 modules the handler requires: Command classes carrying their input, clients that send to this world. */
  require(id: string): Json {
    // Named classes: the fake clients route on `command.constructor.name`, as the real ones carry the operation.
    const commandClass = (name: string) => Object.defineProperty(class { constructor(public readonly input: Json) {} }, 'name', { value: name });
    const commands = (names: string[]) => Object.fromEntries(names.map((n) => [n, commandClass(n)]));
    const world = this;
    const client = (route: (region: string, op: string, input: Json) => Json) => class {
      private readonly region: string;
      constructor(config: { region?: string }) { this.region = config.region ?? 'eu-west-1'; }
      async send(command: { input: Json }) { return structuredClone(route(this.region, command.constructor.name, structuredClone(command.input))); }
    };
    switch (id) {
      case '@aws-sdk/client-secrets-manager':
        return { ...commands(['DescribeSecretCommand', 'GetSecretValueCommand', 'PutSecretValueCommand', 'UpdateSecretVersionStageCommand']), SecretsManagerClient: client((_, op, i) => world.secretsManager(op, i)) };
      case '@aws-sdk/client-wafv2':
        return { ...commands(['ListWebACLsCommand', 'GetWebACLCommand', 'UpdateWebACLCommand']), WAFV2Client: client((r, op, i) => world.waf(r, op, i)) };
      case '@aws-sdk/client-cloudfront':
        return {
          ...commands(['ListDistributionsCommand', 'GetDistributionCommand', 'GetDistributionConfigCommand', 'UpdateDistributionCommand']),
          CloudFrontClient: client((r, op, i) => { expect(r).toBe('us-east-1'); return world.cloudFront(op, i); }),
        };
      case 'node:crypto': return crypto;
      default: throw new Error(`the handler may not require ${id}`);
    }
  }

  /** Loads ROTATION_BUNDLE as Lambda would, with this world's SDK and the construct's environment. */
  handler(env: Record<string, string> = {}): (event: Json) => Promise<void> {
    const module = { exports: {} as Json };
    vm.runInNewContext(ROTATION_BUNDLE, {
      module,
      exports: module.exports,
      require: (id: string) => this.require(id),
      Buffer,
      setTimeout,
      console: { log: (line: string) => this.logs.push(line) },
      process: { env: { HEADER_NAME: HEADER, WEB_ACL_NAME: 'orders-regional', WEB_ACL_REGIONS: REGIONS.join(','), DISTRIBUTION_DOMAIN: 'api.example.com', WAF_PROPAGATION_SECONDS: '0', ...env } },
    }, { filename: 'index.js' });
    return module.exports.handler;
  }

  /** Drives the four steps as Secrets Manager does; a failed step leaves AWSPENDING for the next attempt. */
  async rotate(handler: (event: Json) => Promise<void>, token = `v${this.versions.size}`): Promise<Error | undefined> {
    if (!this.versions.has(token)) this.versions.set(token, { stages: ['AWSPENDING'] });
    for (const Step of ['createSecret', 'setSecret', 'testSecret', 'finishSecret']) {
      try {
        await handler({ SecretId: 'orders/edge/origin-verify', ClientRequestToken: token, Step });
      } catch (e) {
        return e as Error;
      }
    }
    return undefined;
  }
}

describe('rotation handler (in a vm sandbox, against in-memory AWS)', () => {
  test('a full rotation writes the pending pair into every regional web ACL, then the new value into CloudFront', async () => {
    const world = new World();
    expect(await world.rotate(world.handler())).toBeUndefined();
    const { current: N, previous } = world.current;
    expect(previous).toBe(A);
    expect(N).toMatch(/^[A-Za-z0-9_-]{43}$/);
    for (const region of REGIONS) {
      expect(world.accepted(region)).toEqual([N, A].sort());
      const update = world.acls.get(region)!.updates[0];
      // LockToken honoured; everything else of the web ACL sent back unchanged; read-only fields not sent.
      expect(update).toMatchObject({ Name: 'orders-regional', Id: `id-${region}`, Scope: 'REGIONAL', LockToken: 'lock-1', DefaultAction: { Allow: {} } });
      expect(update.AssociationConfig).toEqual({ RequestBody: { API_GATEWAY: { DefaultSizeInspectionLimit: 'KB_16' } } });
      expect(update.Rules.map((r: Json) => r.Name)).toEqual(RULES_A_P.map((r: Json) => r.Name));
      expect(update).not.toHaveProperty('ARN');
      expect(update).not.toHaveProperty('Capacity');
    }
    expect(world.sent).toBe(N);
    expect(world.distribution!.updates).toBe(1);
    expect(world.distribution!.config.Comment).toBe('orders public APIs');
    expect(world.violations).toEqual([]);
    // Every web ACL changed before CloudFront; the logs never carry a secret value.
    const order = world.calls.filter((c) => c.endsWith('UpdateWebACLCommand') || c.endsWith('UpdateDistributionCommand'));
    expect(order).toEqual(['eu-west-1:UpdateWebACLCommand', 'eu-central-1:UpdateWebACLCommand', 'cloudfront:UpdateDistributionCommand']);
    expect(world.logs.join('\n')).not.toContain(N);
    expect(world.logs.join('\n')).not.toContain(A);
  });

  test('the web ACLs accept the old and the new value while CloudFront switches', async () => {
    const world = new World();
    const seen: string[][] = [];
    world.onDistributionUpdate = () => REGIONS.forEach((r) => seen.push(world.accepted(r)));
    expect(await world.rotate(world.handler())).toBeUndefined();
    const N = world.current.current;
    expect(seen).toEqual([[N, A].sort(), [N, A].sort()]);
    expect(world.violations).toEqual([]);
  });

  test('a failed web ACL update leaves AWSCURRENT unchanged and the old value accepted everywhere; the retry completes', async () => {
    const world = new World();
    world.acls.get('eu-central-1')!.failUpdates = fail('WAFUnavailableEntityException');
    const error = await world.rotate(world.handler());
    expect(error?.name).toBe('WAFUnavailableEntityException');
    expect(world.current).toEqual({ current: A, previous: P });
    expect(world.sent).toBe(A);
    expect(world.distribution!.updates).toBe(0);
    for (const region of REGIONS) expect(world.accepted(region)).toContain(A);
    expect(world.violations).toEqual([]);

    // Secrets Manager reattempts the same version: the pending value is reused, the rotation completes.
    world.acls.get('eu-central-1')!.failUpdates = undefined;
    expect(await world.rotate(world.handler(), 'v1')).toBeUndefined();
    const N = world.current.current;
    for (const region of REGIONS) expect(world.accepted(region)).toEqual([N, A].sort());
    expect(world.sent).toBe(N);
    expect(world.violations).toEqual([]);
  });

  test('LockToken: one WAFOptimisticLockException is retried with a fresh read; a second fails the rotation safely', async () => {
    const world = new World();
    world.acls.get('eu-west-1')!.conflicts = 1;
    expect(await world.rotate(world.handler())).toBeUndefined();
    expect(world.calls.filter((c) => c === 'eu-west-1:GetWebACLCommand')).toHaveLength(3); // read, re-read after the conflict, testSecret
    expect(world.acls.get('eu-west-1')!.updates).toHaveLength(1);

    const busy = new World();
    busy.acls.get('eu-west-1')!.conflicts = 2;
    expect((await busy.rotate(busy.handler()))?.name).toBe('WAFOptimisticLockException');
    expect(busy.current).toEqual({ current: A, previous: P });
    expect(busy.sent).toBe(A);
    expect(busy.violations).toEqual([]);
  });

  test('ETag: one PreconditionFailed is retried with a fresh GetDistributionConfig', async () => {
    const world = new World();
    world.distribution!.conflicts = 1;
    expect(await world.rotate(world.handler())).toBeUndefined();
    expect(world.calls.filter((c) => c === 'cloudfront:GetDistributionConfigCommand')).toHaveLength(3); // read, re-read, testSecret
    expect(world.sent).toBe(world.current.current);
  });

  test('two rotations in a row: the second waits until CloudFront has deployed the first (no {C, B} while edges send A)', async () => {
    const world = new World();
    const handler = world.handler();
    expect(await world.rotate(handler)).toBeUndefined();
    const B = world.current.current;
    const error = await world.rotate(handler);
    expect(error?.message).toMatch(/is InProgress: an earlier change is still reaching the edge locations/);
    for (const region of REGIONS) expect(world.accepted(region)).toEqual([B, A].sort());
    expect(world.violations).toEqual([]);

    world.distribution!.status = 'Deployed';
    expect(await world.rotate(handler, 'v2')).toBeUndefined();
    const C = world.current.current;
    expect(world.current.previous).toBe(B);
    for (const region of REGIONS) expect(world.accepted(region)).toEqual([C, B].sort());
    expect(world.sent).toBe(C);
    expect(world.violations).toEqual([]);
  });

  test('first deploy: nothing to propagate to yet, the rotation only changes the secret', async () => {
    const world = new World({ regions: [], distribution: false });
    expect(await world.rotate(world.handler())).toBeUndefined();
    expect(world.current.previous).toBe(A);
    expect(world.calls.filter((c) => c.includes('Update'))).toEqual([]);
  });

  test('refuses before changing anything when a web ACL is missing or CloudFront sends an unknown value', async () => {
    const partial = new World({ regions: ['eu-west-1'] });
    expect((await partial.rotate(partial.handler()))?.message).toMatch(/web ACL orders-regional not found in eu-central-1 while distribution E1ORDERS exists/);
    expect(partial.acls.get('eu-west-1')!.updates).toEqual([]);

    const drifted = new World();
    drifted.distribution!.config.Origins.Items[0].CustomHeaders.Items[0].HeaderValue = 'Z'.repeat(43);
    expect((await drifted.rotate(drifted.handler()))?.message).toMatch(/sends a value outside the pending pair/);
    expect(drifted.calls.filter((c) => c.includes('Update'))).toEqual([]);
    expect(drifted.current).toEqual({ current: A, previous: P });
  });

  test('testSecret reads back: a web ACL reverted after setSecret fails the rotation, AWSCURRENT stays', async () => {
    const world = new World();
    const handler = world.handler();
    world.versions.set('v1', { stages: ['AWSPENDING'] });
    const step = (Step: string) => handler({ SecretId: 'orders/edge/origin-verify', ClientRequestToken: 'v1', Step });
    await step('createSecret');
    await step('setSecret');
    world.acls.get('eu-central-1')!.acl.Rules = structuredClone(RULES_A_P);
    await expect(step('testSecret')).rejects.toThrow(/web ACL orders-regional in eu-central-1 does not accept the pending pair/);
    expect(world.current).toEqual({ current: A, previous: P });
  });

  test('a web ACL without the origin-verify pairs is refused, not rewritten', async () => {
    const world = new World({ regions: ['eu-west-1'], distribution: false });
    world.acls.get('eu-west-1')!.acl.Rules = structuredClone(RULES_A_P).filter((r: Json) => r.Name !== 'RequireOriginVerify').map((r: Json) => ({ ...r, Statement: { ...r.Statement, RateBasedStatement: r.Statement.RateBasedStatement && { ...r.Statement.RateBasedStatement, ScopeDownStatement: undefined } } }));
    expect((await world.rotate(world.handler({ WEB_ACL_REGIONS: 'eu-west-1', DISTRIBUTION_DOMAIN: '' })))?.message).toMatch(/does not match x-origin-verify as \(current, previous\) pairs/);
    expect(world.acls.get('eu-west-1')!.updates).toEqual([]);
  });
});
