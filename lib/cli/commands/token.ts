/**
 * `token revoke`: deny-list entries the authorizer reads (`REVOKED#JTI#...`, `REVOKED#SUB#...`), written through the
 * authorizer's own store. The entry lives as long as the token can: its `exp` when the token is given, else now +
 * `--max-lifetime`.
 */
import { Command } from 'commander';
import { REVOCATION_DEFAULTS, revocationBoundSeconds } from '../../spec/contracts/identity';
import { addWriteOptions, CommandContext, Runner, WriteOptions } from '../context';
import { conflict, usage } from '../errors';
import { checkIssuer, checkJti, checkSubject, parseDuration, readUnverifiedClaims } from '../validate';

/** The authorizer refuses tokens living longer than 7 days (`maxTokenLifetimeSeconds` tops out there), so no entry needs to outlive that. */
const MAX_TOKEN_LIFETIME = { seconds: 7 * 86_400, text: '7d' };

/** What the operator is told: the same bound the README and `cdk synth` state (one home: lib/spec/contracts/identity). */
const BOUND_TEXT = `effective everywhere within the platform's revocation bound (${revocationBoundSeconds(REVOCATION_DEFAULTS)} s with the default caches: gateway TTL + authorizer cache + replication lag; \`cdk synth\` prints your platform's)`;

interface RevokeOptions extends WriteOptions {
  readonly token?: string;
  readonly subject?: string;
  readonly issuer?: string;
  readonly maxLifetime: string;
  readonly reason?: string;
}

async function revoke(ctx: CommandContext, jtiArg: string | undefined, o: RevokeOptions): Promise<void> {
  const now = ctx.nowSeconds();
  const maxLifetime = parseDuration('--max-lifetime', o.maxLifetime, MAX_TOKEN_LIFETIME);
  const bySubject = o.subject !== undefined || o.issuer !== undefined;
  if (bySubject && (jtiArg !== undefined || o.token !== undefined)) throw usage('revoke either one token (<jti> or --token) or a subject (--subject with --issuer), not both');
  if (!bySubject && jtiArg === undefined && o.token === undefined) throw usage('name what to revoke: <jti>, --token <jwt>, or --subject <sub> --issuer <iss>');

  // The token's claims are read, not verified: `exp` only sets how long the entry is kept, and it is capped.
  const claims = o.token !== undefined ? readUnverifiedClaims(o.token) : undefined;
  let ttl = now + maxLifetime;
  if (claims) {
    if (claims.exp === undefined) throw usage('--token has no numeric `exp`: revoke by <jti> with --max-lifetime instead');
    if (claims.exp <= now) throw conflict(`the token expired at ${new Date(claims.exp * 1000).toISOString()}: the authorizer already refuses it, nothing to revoke`);
    ttl = Math.min(claims.exp, now + MAX_TOKEN_LIFETIME.seconds);
  }

  const store = ctx.store().revocations();
  if (bySubject) {
    if (o.subject === undefined || o.issuer === undefined) throw usage('--subject and --issuer go together (a subject is only unique within its issuer)');
    const subject = checkSubject(o.subject);
    const issuer = checkIssuer(o.issuer);
    const details = { issuer, revokedBefore: new Date(now * 1000).toISOString(), keptUntil: new Date(ttl * 1000).toISOString(), reason: o.reason };
    if (ctx.dryRun) {
      ctx.dryRunResult([{ action: 'revoke-subject', target: subject, details }]);
      return;
    }
    await ctx.beginChange();
    await store.revokeSubject(issuer, subject, now, { reason: o.reason, ttl });
    await ctx.audited({ action: 'token.revoke-subject', target: subject, details });
    ctx.result(
      `revoked every token of ${subject} (issuer ${issuer}) issued before ${details.revokedBefore}; ${BOUND_TEXT}`,
      { subject, ...details },
    );
    return;
  }

  if (jtiArg !== undefined && claims?.jti !== undefined && claims.jti !== jtiArg) throw usage(`<jti> ${jtiArg} is not the jti of --token (${claims.jti}): pass one of them`);
  const jtiRaw = jtiArg ?? claims?.jti;
  if (jtiRaw === undefined) throw usage('--token has no `jti`: revoke its subject instead with --subject <sub> --issuer <iss>');
  const jti = checkJti(jtiRaw);
  const details = { keptUntil: new Date(ttl * 1000).toISOString(), ttlFrom: claims ? 'token exp' : '--max-lifetime', reason: o.reason };
  if (ctx.dryRun) {
    ctx.dryRunResult([{ action: 'revoke-jti', target: jti, details }]);
    return;
  }
  await ctx.beginChange();
  await store.revokeJti(jti, ttl, o.reason);
  await ctx.audited({ action: 'token.revoke', target: jti, details });
  ctx.result(
    `revoked token ${jti} until ${details.keptUntil}; ${BOUND_TEXT}`,
    { jti, ...details },
  );
}

export function tokenCommand(runner: Runner): Command {
  const cmd = new Command('token').description('revoke access tokens');
  const revokeCmd = addWriteOptions(cmd.command('revoke').description('deny a token (by jti) or every current token of a subject')
    .argument('[jti]', 'the token\'s jti (or a Cognito origin_jti: revokes every token minted from that refresh token)')
    .option('--token <jwt>', 'the token itself: its jti, and its exp as the entry\'s lifetime (the signature is not checked)')
    .option('--subject <sub>', 'revoke every token of this subject issued before now')
    .option('--issuer <iss>', 'the subject\'s issuer (exact `iss`)')
    .option('--max-lifetime <duration>', 'how long the entry is kept when the token\'s exp is unknown (the issuer\'s longest token lifetime)', '24h')
    .option('--reason <text>', 'why (recorded in the table and the audit line)'));
  revokeCmd.action(runner(async (ctx, jti) => revoke(ctx, jti, revokeCmd.opts())));
  return cmd;
}
