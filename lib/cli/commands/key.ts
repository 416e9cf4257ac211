/**
 * `key issue|list|rotate|revoke`: API keys for machine clients. A key is shown once, at issue; the table holds only
 * its SHA-256 (the authorizer's `hashApiKey`), with tenant, plan, scopes, creation and expiry.
 */
import { randomBytes } from 'node:crypto';
import { Command, Option } from 'commander';
import { hashApiKey } from '../../authorizer/stores';
import { addCommonOptions, addWriteOptions, CommandContext, required, Runner, WriteOptions } from '../context';
import { CliError, conflict, notFound, oneLine, toCliError, usage } from '../errors';
import { readSpecFile, specFileOf } from '../spec-source';
import { ApiKeyView, keyStatus } from '../store';
import { checkTenantId, parseDuration, parseScopes } from '../validate';

/** `sap_` + 256 random bits (base64url): the prefix lets secret scanners recognise a leaked key. */
const API_KEY = /^sap_[A-Za-z0-9_-]{43}$/;
const KEY_ID = /^key_[0-9a-f]{16}$/;
const MAX_LIFETIME = { seconds: 730 * 86_400, text: '730d' };
const MAX_GRACE = { seconds: 30 * 86_400, text: '30d' };

export const newApiKey = (): string => `sap_${randomBytes(32).toString('base64url')}`;
const newKeyId = (): string => `key_${randomBytes(8).toString('hex')}`;

function checkKeyId(value: string): string {
  if (!KEY_ID.test(value)) throw usage(`key id must look like key_0123456789abcdef (received: ${JSON.stringify(value.slice(0, 60))}); find it with \`key list --tenant <id>\``);
  return value;
}

function checkApiKey(value: string): string {
  if (!API_KEY.test(value)) throw usage('--key is not an API key issued by this CLI (sap_ followed by 43 base64url characters); pass the key id instead');
  return value;
}

const iso = (epochSeconds: number | undefined): string => (epochSeconds === undefined ? 'never' : new Date(epochSeconds * 1000).toISOString());

function publicView(k: ApiKeyView, nowSeconds: number): Record<string, unknown> {
  return {
    keyId: k.keyId,
    tenantId: k.tenantId,
    plan: k.plan,
    scopes: k.scopes,
    status: keyStatus(k, nowSeconds),
    createdAt: k.createdAt,
    expiresAt: k.expiresAt === undefined ? undefined : iso(k.expiresAt),
    revokedAt: k.revokedAt,
    rotatedTo: k.rotatedTo,
    rotatedFrom: k.rotatedFrom,
  };
}

async function activeTenant(ctx: CommandContext, tenantId: string): Promise<{ plan?: string }> {
  const t = await ctx.store().requireTenant(tenantId);
  if (t.disabled) throw conflict(`tenant ${tenantId} is disabled: a disabled tenant gets no keys (its keys are refused anyway)`);
  return t;
}

/** Scopes checked against the spec's (`--spec`, $SECURE_API_PLATFORM_SPEC or ./platform.json): a typo or `*` is refused. */
function checkScopesAgainstSpec(scopes: readonly string[], specOption: string | undefined): void {
  const file = specFileOf(specOption);
  if (file === undefined) throw usage('scopes are checked against the platform spec: pass --spec platform.json (write it with `spec write <module>`) or set SECURE_API_PLATFORM_SPEC');
  const declared = readSpecFile(file).scopes ?? [];
  const unknown = scopes.filter((x) => !declared.includes(x));
  if (unknown.length > 0) throw usage(`--scopes ${unknown.map((x) => JSON.stringify(x)).join(', ')} ${unknown.length === 1 ? 'is' : 'are'} not declared by the spec (${file}); its scopes are ${declared.join(', ') || 'none'}`);
}

interface IssueOptions extends WriteOptions {
  readonly tenant?: string;
  readonly scopes?: string;
  readonly expiresIn: string;
  readonly spec?: string;
}

async function issue(ctx: CommandContext, o: IssueOptions): Promise<void> {
  const tenantId = o.tenant !== undefined ? ctx.check(() => checkTenantId(o.tenant!)) : undefined;
  const scopes = o.scopes !== undefined ? ctx.check(() => parseScopes(o.scopes!)) : undefined;
  if (scopes) ctx.check(() => checkScopesAgainstSpec(scopes, o.spec));
  const lifetime = ctx.check(() => parseDuration('--expires-in', o.expiresIn, MAX_LIFETIME));
  if (lifetime === 0) ctx.problem('--expires-in must be longer than 0');
  ctx.endChecks();
  const tenant = await activeTenant(ctx, tenantId!);
  const expiresAt = ctx.nowSeconds() + lifetime!;
  const details = { tenantId: tenantId!, plan: tenant.plan, scopes: scopes!, expiresAt: iso(expiresAt) };
  if (ctx.dryRun) {
    ctx.dryRunResult([{ action: 'issue-key', target: `tenant ${tenantId}`, details }]);
    return;
  }
  await ctx.beginChange();
  const apiKey = newApiKey();
  const keyId = newKeyId();
  await ctx.audited({ action: 'key.issue.pending', target: keyId, details });
  await ctx.store().putNewApiKey({
    sha256: hashApiKey(apiKey), keyId, tenantId: tenantId!, plan: tenant.plan, scopes: scopes!, createdAt: ctx.nowIso(), expiresAt,
  });
  // Shown as soon as its hash is stored, before the audit line: a stored key is never lost. The pending audit line
  // written before the hash records the change even if this process dies here.
  ctx.result(
    [
      `issued ${keyId} for tenant ${tenantId} (plan ${tenant.plan ?? '-'}, scopes ${scopes!.join(' ')}), expires ${iso(expiresAt)}`,
      'the key is shown this once and stored only as its SHA-256: hand it over now',
      apiKey,
    ],
    { keyId, apiKey, ...details },
  );
  await ctx.audited({ action: 'key.issue', target: keyId, details });
}

async function findKey(ctx: CommandContext, keyIdArg: string | undefined, apiKeyOpt: string | undefined): Promise<ApiKeyView & { sha256: string }> {
  if ((keyIdArg === undefined) === (apiKeyOpt === undefined)) throw usage('name the key: its id (key_...) or --key <the key itself>, not both');
  if (apiKeyOpt !== undefined) {
    const found = await ctx.store().getApiKeyByHash(hashApiKey(checkApiKey(apiKeyOpt)));
    if (!found) throw notFound('no record for this key: it was never issued here, or its record has expired from the table');
    return found;
  }
  const keyId = checkKeyId(keyIdArg!);
  ctx.progress(`looking up ${keyId} in ${ctx.tableName}`);
  const found = await ctx.store().findApiKeyById(keyId);
  if (!found) throw notFound(`key ${keyId} not found in ${ctx.tableName}: list keys with \`key list --tenant <id>\``);
  return found;
}

async function rotate(ctx: CommandContext, keyIdArg: string, o: WriteOptions & { grace?: string; expiresIn: string }): Promise<void> {
  const keyId = ctx.check(() => checkKeyId(keyIdArg));
  const grace = o.grace !== undefined ? ctx.check(() => parseDuration('--grace', o.grace!, MAX_GRACE)) : undefined;
  const lifetime = ctx.check(() => parseDuration('--expires-in', o.expiresIn, MAX_LIFETIME));
  if (lifetime === 0) ctx.problem('--expires-in must be longer than 0');
  ctx.endChecks();
  const old = await findKey(ctx, keyId!, undefined);
  const now = ctx.nowSeconds();
  const status = keyStatus(old, now);
  if (status === 'revoked') throw conflict(`key ${keyId} is revoked (at ${old.revokedAt ?? '?'}): issue a new key with \`key issue --tenant ${old.tenantId}\``);
  if (status === 'expired') throw conflict(`key ${keyId} expired at ${iso(old.expiresAt)} (its grace period is over): issue a new key with \`key issue --tenant ${old.tenantId}\``);
  if (status === 'grace') throw conflict(`key ${keyId} was already rotated to ${old.rotatedTo} (valid until ${iso(old.expiresAt)}): rotate ${old.rotatedTo} instead`);
  await activeTenant(ctx, old.tenantId);
  const newExpiresAt = now + lifetime!;
  const details = {
    tenantId: old.tenantId,
    plan: old.plan,
    scopes: old.scopes,
    oldKeyValidUntil: iso(Math.min(now + grace!, old.expiresAt ?? Number.MAX_SAFE_INTEGER)),
    newKeyExpiresAt: iso(newExpiresAt),
    grace: o.grace,
  };
  if (ctx.dryRun) {
    ctx.dryRunResult([
      { action: 'issue-key', target: `tenant ${old.tenantId}`, details: { scopes: old.scopes, expiresAt: iso(newExpiresAt), rotatedFrom: keyId } },
      { action: 'expire-key', target: keyId!, details: { validUntil: details.oldKeyValidUntil } },
    ]);
    return;
  }
  await ctx.beginChange();
  const apiKey = newApiKey();
  const newId = newKeyId();
  const store = ctx.store();
  await ctx.audited({ action: 'key.rotate.pending', target: keyId!, details: { ...details, newKeyId: newId } });
  await store.putNewApiKey({
    sha256: hashApiKey(apiKey),
    keyId: newId,
    tenantId: old.tenantId,
    plan: old.plan,
    scopes: old.scopes,
    createdAt: ctx.nowIso(),
    expiresAt: newExpiresAt,
    rotatedFrom: keyId,
  });
  // The new key is shown before the old one's life is shortened: with --grace 0 the client is never without a key.
  ctx.result(
    [
      `rotated ${keyId} → ${newId} (tenant ${old.tenantId}); ${keyId} stays valid until ${details.oldKeyValidUntil}, ${newId} expires ${iso(newExpiresAt)}`,
      'the new key is shown this once and stored only as its SHA-256: hand it over now',
      apiKey,
    ],
    { keyId: newId, apiKey, rotatedFrom: keyId, ...details },
  );
  // The grace period runs from when the new key was shown.
  const oldExpiresAt = Math.min(ctx.nowSeconds() + grace!, old.expiresAt ?? Number.MAX_SAFE_INTEGER);
  try {
    await store.expireApiKey(old, oldExpiresAt, newId, ctx.nowIso());
  } catch (e) {
    const cause = toCliError(e);
    throw new CliError(cause.exitCode,
      `${newId} is issued and valid (shown above), but ${keyId} could not be set to expire (${oneLine(cause.message, 200)}): it stays valid until ${iso(old.expiresAt)}; revoke it with \`key revoke ${keyId}\` once clients use ${newId}`);
  }
  await ctx.audited({ action: 'key.rotate', target: keyId!, details: { ...details, oldKeyValidUntil: iso(oldExpiresAt), newKeyId: newId } });
}

async function revoke(ctx: CommandContext, keyIdArg: string | undefined, o: WriteOptions & { key?: string; reason?: string }): Promise<void> {
  if (keyIdArg !== undefined) checkKeyId(keyIdArg);
  const k = await findKey(ctx, keyIdArg, o.key);
  if (k.disabled) throw conflict(`key ${k.keyId} is already revoked (at ${k.revokedAt ?? '?'}): nothing to do`);
  const details = { tenantId: k.tenantId, reason: o.reason, wasStatus: keyStatus(k, ctx.nowSeconds()) };
  if (ctx.dryRun) {
    ctx.dryRunResult([{ action: 'revoke-key', target: k.keyId, details }]);
    return;
  }
  await ctx.beginChange();
  await ctx.store().revokeApiKey(k, ctx.nowIso(), ctx.nowSeconds(), o.reason);
  await ctx.audited({ action: 'key.revoke', target: k.keyId, details });
  ctx.result(
    `revoked ${k.keyId} (tenant ${k.tenantId}): the authorizer refuses it within its API-key cache TTL (apiKeys.cacheSeconds, 60 s by default)`,
    { keyId: k.keyId, tenantId: k.tenantId, revoked: true },
  );
}

export function keyCommand(runner: Runner): Command {
  const cmd = new Command('key').description('issue, list, rotate and revoke API keys');

  const issueCmd = addWriteOptions(cmd.command('issue').description('issue an API key for a tenant (shown once)')
    .addOption(required(new Option('--tenant <tenantId>', 'the tenant the key acts for')))
    .addOption(required(new Option('--scopes <scopes>', 'scopes granted to the key, comma-separated; each must be declared by the spec (e.g. orders:read)')))
    .option('--spec <file.json>', 'the platform spec whose scopes the key may get (default: $SECURE_API_PLATFORM_SPEC, else ./platform.json)')
    .option('--expires-in <duration>', 'lifetime, e.g. 90d (at most 730d)', '90d'));
  issueCmd.action(runner(async (ctx) => issue(ctx, issueCmd.opts())));

  const listCmd = addCommonOptions(cmd.command('list').description('list API keys (ids and state, never keys or hashes)')
    .option('--tenant <tenantId>', 'only this tenant\'s keys')
    .option('--active', 'only keys that currently work (active or in grace)'));
  listCmd.action(runner(async (ctx) => {
    const o = listCmd.opts<{ tenant?: string; active?: boolean }>();
    if (o.tenant !== undefined) checkTenantId(o.tenant);
    const now = ctx.nowSeconds();
    const keys = (await ctx.store().listApiKeys(o.tenant)).filter((k) => !o.active || ['active', 'grace'].includes(keyStatus(k, now)));
    ctx.result(
      keys.length === 0 ? 'no keys' : ctx.table(['KEY ID', 'TENANT', 'STATUS', 'EXPIRES', 'SCOPES'], keys.map((k) => [k.keyId, k.tenantId, keyStatus(k, now), iso(k.expiresAt), k.scopes.join(' ')])),
      { keys: keys.map((k) => publicView(k, now)) },
    );
  }));

  const rotateCmd = addWriteOptions(cmd.command('rotate').description('issue a replacement key; the old one stays valid for --grace, then expires')
    .argument('<keyId>', 'the key to replace (key_...)')
    .addOption(required(new Option('--grace <duration>', 'how long the old key keeps working after the new one is shown, e.g. 24h (0 = not at all, at most 30d)')))
    .option('--expires-in <duration>', 'lifetime of the new key (at most 730d)', '90d'));
  rotateCmd.action(runner(async (ctx, keyId) => rotate(ctx, keyId, rotateCmd.opts())));

  const revokeCmd = addWriteOptions(cmd.command('revoke').description('revoke a key now')
    .argument('[keyId]', 'the key id (key_...)')
    .option('--key <apiKey>', 'the key itself, when only the leaked value is known (mind your shell history)')
    .option('--reason <text>', 'why (recorded in the table and the audit line)'));
  revokeCmd.action(runner(async (ctx, keyId) => revoke(ctx, keyId, revokeCmd.opts())));
  return cmd;
}
