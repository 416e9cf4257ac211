/**
 * The origin-verify rotation function (Node.js 24; the AWS SDK v3 ships with the runtime and stays outside the bundle).
 * Runtime code only: bundled ahead of synth by `npm run bundle:authorizer` into `assets/origin-verify-rotation/index.js`,
 * the asset `OriginVerifySecret` deploys, and the tests run that very bundle in a `vm` sandbox against in-memory fakes
 * of the three SDK clients.
 *
 * The four Secrets Manager steps propagate the value, as in AWS's "CloudFront origin verify rotation" solution:
 * - createSecret: AWSPENDING = { current: 256 random bits, previous: the AWSCURRENT `current` }.
 * - setSecret: refuse while CloudFront sends a value outside the pending pair or an earlier change is still
 *   propagating; write the pending pair into the origin-verify byte matches of every regional web ACL (GetWebACL +
 *   UpdateWebACL with its LockToken, one retry on WAFOptimisticLockException), wait for WAF to propagate, then set the
 *   distribution's origin header to the new value (GetDistributionConfig + UpdateDistribution with its ETag, one
 *   retry on PreconditionFailed). Every web ACL accepts both values before CloudFront sends the new one, so a failure
 *   at any point leaves the value CloudFront sends accepted everywhere.
 * - testSecret: read every web ACL and the distribution back; they must hold the pending values.
 * - finishSecret: move AWSCURRENT to the pending version.
 *
 * Environment: WEB_ACL_NAME, WEB_ACL_REGIONS (comma-separated), DISTRIBUTION_DOMAIN (empty: no distribution),
 * HEADER_NAME, WAF_PROPAGATION_SECONDS. A web ACL or distribution that does not exist yet (first deploy: the global
 * stack rotates before the regional and edge stacks exist) is skipped, since it resolves the latest value when it is
 * created; a missing web ACL while the distribution exists fails the rotation, before anything is changed.
 */
import { randomBytes } from 'node:crypto';
import { ORIGIN_VERIFY_HEADER, REGIONAL_WEB_ACL_SCOPE } from '../spec/contracts/names';

/** A JSON document as the SDK returns it (the members read here are checked where they are used). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Doc = Record<string, any>;
/** An SDK v3 client: `send(new XxxCommand(input))`. */
interface SdkClient { send(command: unknown): Promise<Doc> }
/** The members of an SDK v3 client package used here: client classes and command classes by name. */
type SdkPackage = Record<string, new (input: Doc) => SdkClient & object>;

// The AWS SDK v3 of the Lambda runtime: required, not bundled (esbuild leaves `@aws-sdk/*` external; no types are
// installed for these three clients, so each is typed by the members used).
/* eslint-disable @typescript-eslint/no-require-imports, import/no-extraneous-dependencies */
const sm = require('@aws-sdk/client-secrets-manager') as SdkPackage;
const wafv2 = require('@aws-sdk/client-wafv2') as SdkPackage;
const cf = require('@aws-sdk/client-cloudfront') as SdkPackage;
/* eslint-enable @typescript-eslint/no-require-imports, import/no-extraneous-dependencies */

const HEADER = (process.env.HEADER_NAME || ORIGIN_VERIFY_HEADER).toLowerCase();
const ACL_NAME = process.env.WEB_ACL_NAME || '';
const REGIONS = (process.env.WEB_ACL_REGIONS || '').split(',').map((r) => r.trim()).filter(Boolean);
const DOMAIN = process.env.DISTRIBUTION_DOMAIN || '';
const WAIT_MS = Math.max(0, Number(process.env.WAF_PROPAGATION_SECONDS || '0')) * 1000;

const secrets = new sm.SecretsManagerClient({});
const cloudfront = new cf.CloudFrontClient({ region: 'us-east-1' });
const wafClients = new Map<string, SdkClient>();
const waf = (region: string): SdkClient => {
  let client = wafClients.get(region);
  if (!client) {
    client = new wafv2.WAFV2Client({ region });
    wafClients.set(region, client);
  }
  return client;
};
// Structured log lines; secret values are never logged.
const log = (message: string, extra?: Doc): void => console.log(JSON.stringify({ level: 'INFO', message, ...extra }));
const text = (v: unknown): string => (typeof v === 'string' ? v : Buffer.from((v as Uint8Array | undefined) || []).toString('utf8'));
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** The rotation event Secrets Manager sends. */
export interface RotationEvent {
  readonly SecretId: string;
  readonly ClientRequestToken: string;
  readonly Step: string;
}

async function value(SecretId: string, opts: Doc): Promise<Doc> {
  const out = await secrets.send(new sm.GetSecretValueCommand({ SecretId, ...opts }));
  return JSON.parse(out.SecretString);
}

function isHeaderMatch(s: Doc | undefined): boolean {
  const b = s && s.ByteMatchStatement;
  return Boolean(b && b.FieldToMatch && b.FieldToMatch.SingleHeader && String(b.FieldToMatch.SingleHeader.Name).toLowerCase() === HEADER);
}

/** The origin-verify byte matches of a web ACL, as the pairs (current, previous) RegionalWaf writes inside OR statements. */
function originVerifyPairs(acl: Doc): Doc[][] {
  const all = new Set<Doc>();
  const pairs: Doc[][] = [];
  const visit = (node: unknown): void => {
    if (Array.isArray(node)) { node.forEach(visit); return; }
    if (!node || typeof node !== 'object' || ArrayBuffer.isView(node)) return;
    const n = node as Doc;
    if (isHeaderMatch(n)) all.add(n.ByteMatchStatement);
    if (n.OrStatement && Array.isArray(n.OrStatement.Statements)) {
      const hits = (n.OrStatement.Statements as Doc[]).filter(isHeaderMatch);
      if (hits.length > 0) pairs.push(hits.map((h) => h.ByteMatchStatement));
    }
    Object.values(n).forEach(visit);
  };
  visit(acl.Rules || []);
  const paired = pairs.reduce((count, p) => count + p.length, 0);
  if (pairs.length === 0 || pairs.some((p) => p.length !== 2) || paired !== all.size) {
    throw new Error('web ACL ' + acl.Name + ' does not match ' + HEADER + ' as (current, previous) pairs inside OR statements; refusing to change it');
  }
  return pairs;
}

async function findAcl(region: string): Promise<Doc | undefined> {
  let NextMarker: string | undefined;
  do {
    const out = await waf(region).send(new wafv2.ListWebACLsCommand({ Scope: REGIONAL_WEB_ACL_SCOPE, Limit: 100, NextMarker }));
    const hit = ((out.WebACLs || []) as Doc[]).find((a) => a.Name === ACL_NAME);
    if (hit) return hit;
    NextMarker = (out.WebACLs || []).length > 0 ? out.NextMarker : undefined;
  } while (NextMarker);
  return undefined;
}

async function setAcl(region: string, summary: Doc, want: [string, string]): Promise<boolean> {
  for (let attempt = 1; ; attempt++) {
    const got = await waf(region).send(new wafv2.GetWebACLCommand({ Name: summary.Name, Scope: REGIONAL_WEB_ACL_SCOPE, Id: summary.Id }));
    const acl = got.WebACL;
    const pairs = originVerifyPairs(acl);
    if (pairs.every((p) => text(p[0].SearchString) === want[0] && text(p[1].SearchString) === want[1])) return false;
    for (const p of pairs) {
      p[0].SearchString = Buffer.from(want[0]);
      p[1].SearchString = Buffer.from(want[1]);
    }
    // Everything else of the web ACL is sent back unchanged (UpdateWebACL replaces the whole configuration).
    const {
      ARN: _arn, Capacity: _capacity, LabelNamespace: _labels, ManagedByFirewallManager: _fms, RetrofittedByFirewallManager: _retrofitted,
      PreProcessFirewallManagerRuleGroups: _pre, PostProcessFirewallManagerRuleGroups: _post, ...updatable
    } = acl;
    try {
      await waf(region).send(new wafv2.UpdateWebACLCommand({ ...updatable, Scope: REGIONAL_WEB_ACL_SCOPE, LockToken: got.LockToken }));
      log('web ACL updated', { region, webAcl: acl.Name });
      return true;
    } catch (e) {
      if ((e as Error).name !== 'WAFOptimisticLockException' || attempt >= 2) throw e;
      log('web ACL changed since it was read, retrying with a fresh LockToken', { region, webAcl: acl.Name });
    }
  }
}

async function findDistribution(): Promise<string | undefined> {
  let Marker: string | undefined;
  do {
    const out = await cloudfront.send(new cf.ListDistributionsCommand({ Marker, MaxItems: 100 }));
    const list: Doc = out.DistributionList || {};
    const hit = ((list.Items || []) as Doc[]).find((d) => ((d.Aliases && d.Aliases.Items) || []).includes(DOMAIN));
    if (hit) return hit.Id;
    Marker = list.IsTruncated ? list.NextMarker : undefined;
  } while (Marker);
  return undefined;
}

function originHeaders(config: Doc, id: string): Doc[] {
  const found: Doc[] = [];
  for (const o of ((config.Origins && config.Origins.Items) || []) as Doc[]) {
    for (const h of ((o.CustomHeaders && o.CustomHeaders.Items) || []) as Doc[]) {
      if (String(h.HeaderName).toLowerCase() === HEADER) found.push(h);
    }
  }
  if (found.length === 0) throw new Error('distribution ' + id + ' sends no ' + HEADER + ' origin header; refusing to rotate');
  return found;
}

async function setDistribution(id: string, next: string): Promise<boolean> {
  for (let attempt = 1; ; attempt++) {
    const got = await cloudfront.send(new cf.GetDistributionConfigCommand({ Id: id }));
    const headers = originHeaders(got.DistributionConfig, id);
    if (headers.every((h) => h.HeaderValue === next)) return false;
    headers.forEach((h) => { h.HeaderValue = next; });
    try {
      await cloudfront.send(new cf.UpdateDistributionCommand({ Id: id, IfMatch: got.ETag, DistributionConfig: got.DistributionConfig }));
      log('distribution updated', { distribution: id });
      return true;
    } catch (e) {
      if ((e as Error).name !== 'PreconditionFailed' || attempt >= 2) throw e;
      log('distribution changed since it was read, retrying with a fresh ETag', { distribution: id });
    }
  }
}

/** Where the value goes: the distribution (if any) and the web ACL of each region (absent ones skipped, see above). */
async function targets(): Promise<{ distribution?: string; acls: { region: string; summary: Doc }[] }> {
  const distribution = DOMAIN ? await findDistribution() : undefined;
  const acls: { region: string; summary: Doc }[] = [];
  const absent: string[] = [];
  for (const region of REGIONS) {
    const summary = await findAcl(region);
    if (summary) acls.push({ region, summary }); else absent.push(region);
  }
  if (absent.length > 0) {
    if (distribution) throw new Error('web ACL ' + ACL_NAME + ' not found in ' + absent.join(', ') + ' while distribution ' + distribution + ' exists; deploy the regional stacks, then rotate again');
    log('web ACL not deployed yet, it will resolve the latest value when created', { regions: absent });
  }
  return { distribution, acls };
}

async function pendingPair(SecretId: string, token: string): Promise<[string, string]> {
  const p = await value(SecretId, { VersionId: token, VersionStage: 'AWSPENDING' });
  if (typeof p.current !== 'string' || p.current.length < 32 || typeof p.previous !== 'string' || p.previous === p.current) {
    throw new Error('pending value is malformed');
  }
  return [p.current, p.previous];
}

async function setSecret(SecretId: string, token: string): Promise<void> {
  const want = await pendingPair(SecretId, token);
  const { distribution, acls } = await targets();
  if (distribution) {
    const d = (await cloudfront.send(new cf.GetDistributionCommand({ Id: distribution }))).Distribution;
    const sent = originHeaders(d.DistributionConfig, distribution).map((h) => h.HeaderValue as string);
    // The web ACLs are about to accept only the pending pair: CloudFront must be sending one of them, everywhere.
    if (sent.some((v) => !want.includes(v))) {
      throw new Error('distribution ' + distribution + ' sends a value outside the pending pair (changed outside rotation); redeploy the edge stack, then rotate again');
    }
    if (sent.some((v) => v !== want[0]) && d.Status !== 'Deployed') {
      throw new Error('distribution ' + distribution + ' is ' + d.Status + ': an earlier change is still reaching the edge locations; rotation will be retried');
    }
  }
  let changed = false;
  for (const { region, summary } of acls) changed = (await setAcl(region, summary, want)) || changed;
  if (!distribution) return;
  if (changed && WAIT_MS > 0) await sleep(WAIT_MS);
  await setDistribution(distribution, want[0]);
}

async function testSecret(SecretId: string, token: string): Promise<void> {
  const want = await pendingPair(SecretId, token);
  const { distribution, acls } = await targets();
  for (const { region, summary } of acls) {
    const acl = (await waf(region).send(new wafv2.GetWebACLCommand({ Name: summary.Name, Scope: REGIONAL_WEB_ACL_SCOPE, Id: summary.Id }))).WebACL;
    for (const p of originVerifyPairs(acl)) {
      const got = p.map((b) => text(b.SearchString));
      if (!want.every((w) => got.includes(w))) throw new Error('web ACL ' + acl.Name + ' in ' + region + ' does not accept the pending pair');
    }
  }
  if (distribution) {
    const got = await cloudfront.send(new cf.GetDistributionConfigCommand({ Id: distribution }));
    if (originHeaders(got.DistributionConfig, distribution).some((h) => h.HeaderValue !== want[0])) {
      throw new Error('distribution ' + distribution + ' does not send the pending value');
    }
  }
}

/** The Secrets Manager rotation handler (createSecret, setSecret, testSecret, finishSecret). */
export async function handler(event: RotationEvent): Promise<void> {
  const { SecretId, ClientRequestToken: token, Step: step } = event;
  const meta = await secrets.send(new sm.DescribeSecretCommand({ SecretId }));
  const versions: Record<string, string[]> = meta.VersionIdsToStages || {};
  const stages = versions[token];
  if (!stages) throw new Error('version ' + token + ' is not a version of the secret');
  if (stages.includes('AWSCURRENT')) return;
  if (!stages.includes('AWSPENDING')) throw new Error('version ' + token + ' is not pending');
  log('rotation step', { step, version: token });
  if (step === 'createSecret') {
    const cur = await value(SecretId, { VersionStage: 'AWSCURRENT' });
    try {
      await value(SecretId, { VersionId: token, VersionStage: 'AWSPENDING' });
      return;
    } catch (e) {
      if ((e as Error).name !== 'ResourceNotFoundException') throw e;
    }
    const next = { current: randomBytes(32).toString('base64url'), previous: cur.current };
    await secrets.send(new sm.PutSecretValueCommand({ SecretId, ClientRequestToken: token, SecretString: JSON.stringify(next), VersionStages: ['AWSPENDING'] }));
  } else if (step === 'setSecret') {
    await setSecret(SecretId, token);
  } else if (step === 'testSecret') {
    await testSecret(SecretId, token);
  } else if (step === 'finishSecret') {
    const current = Object.keys(versions).find((v) => versions[v].includes('AWSCURRENT'));
    await secrets.send(new sm.UpdateSecretVersionStageCommand({ SecretId, VersionStage: 'AWSCURRENT', MoveToVersionId: token, RemoveFromVersionId: current }));
  } else {
    throw new Error('unknown rotation step ' + step);
  }
}
