/** `tenant add|list|show|disable`: tenant records in the platform table, and their API Gateway metering keys. */
import { randomBytes } from 'node:crypto';
import { Command, Option } from 'commander';
import { addCommonOptions, addWriteOptions, CliDependencies, CommandContext, missingRequired, required, Runner, WriteOptions } from '../context';
import { awsError, CliError, conflict, ExitCode, notFound, oneLine, usage } from '../errors';
import { meteringKeyName } from '../metering';
import { specFileOf, specFromOptions } from '../spec-source';
import { TenantView } from '../store';
import { checkEmail, checkPlanName, checkTenantId, list } from '../validate';
import { ApiNames } from '../../spec/contracts/names';

function tenantLines(t: TenantView): string[] {
  return [
    `tenant    ${t.tenantId}`,
    `status    ${t.disabled ? `disabled${t.disabledAt ? ` since ${t.disabledAt}` : ''}` : 'enabled'}`,
    `plan      ${t.plan ?? '-'}`,
    `contact   ${t.contact ?? '-'}`,
    `created   ${t.createdAt ?? '-'}`,
    `metering  ${t.metered ? `key set (value hidden), API Gateway ids: ${t.meteringKeyIds.join(', ') || '-'}` : 'none'}`,
  ];
}

interface AddOptions extends WriteOptions {
  readonly plan?: string;
  readonly contact?: string;
  readonly plans?: string;
  readonly spec?: string;
  readonly api?: string;
  readonly meteringRegions?: string;
  readonly metering: boolean;
}

async function add(ctx: CommandContext, tenantIdArg: string, o: AddOptions, spec: ReturnType<typeof specFromOptions> | undefined): Promise<void> {
  const tenantId = ctx.check(() => checkTenantId(tenantIdArg));
  const plan = o.plan !== undefined ? ctx.check(() => checkPlanName(o.plan!)) : undefined;
  if (plan !== undefined && spec && !spec.plans.includes(plan)) ctx.problem(`unknown plan ${JSON.stringify(plan)}: the platform's plans are ${spec.plans.join(', ')}`);
  const contact = o.contact !== undefined ? ctx.check(() => checkEmail(o.contact!)) : undefined;
  ctx.endChecks();
  if (!spec || tenantId === undefined || plan === undefined || contact === undefined) throw new Error('tenant add: checks passed with a value missing');
  const store = ctx.store();
  const existing = await store.getTenant(tenantId);
  if (existing) throw conflict(`tenant ${tenantId} already exists (plan ${existing.plan ?? '-'}, ${existing.disabled ? 'disabled' : 'enabled'}): see \`tenant show ${tenantId}\``);

  // Metering: one API key per region, attached to the plan's usage plan of every API. On Azure, API Management limits
  // each tenant by the authorizer's decision (rate-limit-by-key, quota-by-key): there is no key to create.
  const usagePlans: Array<{ region: string; name: string; id: string }> = [];
  if (o.metering && ctx.azure) ctx.progress('Azure: no metering key (API Management limits the tenant by the decision\'s tenant; subscription-based metering is not rendered)');
  if (o.metering && !ctx.azure) {
    const platform = ctx.requirePlatform('the usage plan names <platform>-<api>-<version>-<plan>');
    if (spec.apis.length === 0) throw usage('name the APIs whose usage plans meter the tenant: --api orders:v1 (or --spec), or pass --no-metering');
    const regionList = o.meteringRegions !== undefined ? list(o.meteringRegions) : spec.regions.length > 0 ? spec.regions : [ctx.target.region ?? process.env.AWS_REGION ?? ''];
    if (regionList.some((r) => r === '')) throw usage('pass --region (or --metering-regions) for the tenant\'s metering keys');
    for (const region of regionList) {
      const metering = ctx.metering(region);
      for (const api of spec.apis) {
        const name = ApiNames.usagePlan(platform, api.name, api.version, plan);
        ctx.progress(`looking up usage plan ${name} in ${region}`);
        const id = await metering.findUsagePlan(name);
        if (!id) throw notFound(`usage plan ${name} not found in ${region}: check --platform, --api and the plan, or deploy the platform there`);
        usagePlans.push({ region, name, id });
      }
    }
  }

  const details = { plan, contact, usagePlans: usagePlans.map((u) => `${u.region}/${u.name}`) };
  if (ctx.dryRun) {
    ctx.dryRunResult([
      ...[...new Set(usagePlans.map((u) => u.region))].map((region) => ({
        action: 'create-metering-key', target: `${region}/${meteringKeyName(ctx.platform!, tenantId)}`, details: { usagePlans: usagePlans.filter((u) => u.region === region).map((u) => u.name) },
      })),
      { action: 'put', target: `tenant ${tenantId}`, details },
    ]);
    return;
  }

  await ctx.beginChange();
  const meteringValue = usagePlans.length > 0 ? randomBytes(30).toString('base64url') : undefined;
  const created: Array<{ region: string; id: string }> = [];
  const rollback = async (): Promise<void> => {
    for (const c of created) {
      try {
        await ctx.metering(c.region).deleteKey(c.id);
      } catch {
        ctx.progress(`could not delete metering key ${c.region}/${c.id} during rollback: delete it in API Gateway`);
      }
    }
  };
  try {
    for (const region of [...new Set(usagePlans.map((u) => u.region))]) {
      const metering = ctx.metering(region);
      ctx.progress(`creating metering key for ${tenantId} in ${region}`);
      const id = await metering.createKey({
        name: meteringKeyName(ctx.platform!, tenantId),
        value: meteringValue!,
        description: `Metering key of tenant ${tenantId} (plan ${plan}); internal: returned by the authorizer, never given to clients`,
        tags: { platform: ctx.platform!, tenant: tenantId, plan },
      });
      created.push({ region, id });
      for (const u of usagePlans.filter((x) => x.region === region)) await metering.attachToUsagePlan(u.id, id);
    }
    await ctx.store().putNewTenant({
      tenantId, plan, contact, createdAt: ctx.nowIso(), createdBy: ctx.actor, meteringKey: meteringValue, meteringKeyIds: created.map((c) => `${c.region}/${c.id}`),
    });
  } catch (e) {
    await rollback();
    throw e;
  }
  await ctx.audited({ action: 'tenant.add', target: tenantId, details: { ...details, meteringKeyIds: created.map((c) => `${c.region}/${c.id}`) } });
  ctx.result(
    [`added tenant ${tenantId} (plan ${plan}${created.length > 0 ? `, metered in ${created.map((c) => c.region).join(', ')}` : ', not metered'})`],
    { tenantId, plan, contact, disabled: false, metered: created.length > 0, meteringKeyIds: created.map((c) => `${c.region}/${c.id}`) },
  );
}

async function disable(ctx: CommandContext, tenantIdArg: string, o: WriteOptions & { reason?: string }): Promise<void> {
  const tenantId = checkTenantId(tenantIdArg);
  const store = ctx.store();
  const t = await store.requireTenant(tenantId);
  if (t.disabled) throw conflict(`tenant ${tenantId} is already disabled${t.disabledAt ? ` (since ${t.disabledAt})` : ''}: nothing to do`);
  const details = { reason: o.reason, meteringKeyIds: t.meteringKeyIds };
  if (ctx.dryRun) {
    ctx.dryRunResult([
      { action: 'disable', target: `tenant ${tenantId}`, details: { reason: o.reason } },
      ...t.meteringKeyIds.map((id) => ({ action: 'disable-metering-key', target: id, details: {} })),
    ]);
    return;
  }
  await ctx.beginChange();
  await store.disableTenant(tenantId, ctx.nowIso(), ctx.actor, o.reason);
  // The table is what the authorizer reads; the metering keys are disabled too, so API Gateway refuses the
  // tenant's requests even while an authorizer's cache still holds the enabled record.
  const failed: string[] = [];
  for (const ref of t.meteringKeyIds) {
    const slash = ref.indexOf('/');
    try {
      await ctx.metering(ref.slice(0, slash)).disableKey(ref.slice(slash + 1));
    } catch (e) {
      failed.push(`${ref} (${oneLine(e instanceof Error ? e.message : String(e), 120)})`);
    }
  }
  await ctx.audited({ action: 'tenant.disable', target: tenantId, details: { ...details, meteringKeysNotDisabled: failed } });
  if (failed.length > 0) {
    throw awsError(`tenant ${tenantId} is disabled in the table (the authorizer denies it within its tenant cache TTL), but these metering keys could not be disabled: ${failed.join('; ')}; disable them in API Gateway`);
  }
  ctx.result(
    `disabled tenant ${tenantId}: the authorizer denies it within its tenant cache TTL (tenants.cacheSeconds, 60 s by default)`,
    { tenantId, disabled: true, meteringKeysDisabled: t.meteringKeyIds },
  );
}

const CLIENT_ID = /^[A-Za-z0-9_+-]{1,128}$/;

async function bindClient(ctx: CommandContext, tenantIdArg: string, o: WriteOptions & { clientId?: string }): Promise<void> {
  const tenantId = checkTenantId(tenantIdArg);
  if (ctx.azure) throw usage('bind-client binds Cognito app clients, which Azure has not: an issuer\'s tokens carry their tenant claim, bound by identity.issuers[].tenants');
  const clientId = o.clientId ?? '';
  if (!CLIENT_ID.test(clientId)) throw usage(`--client-id must be a Cognito app client id, 1-128 letters, digits, _ + - (received: ${JSON.stringify(clientId)})`);
  const store = ctx.store();
  const t = await store.requireTenant(tenantId);
  if (t.disabled) throw conflict(`tenant ${tenantId} is disabled: enable it before binding clients to it`);
  if (ctx.dryRun) {
    ctx.dryRunResult([{ action: 'bind-client', target: `client ${clientId}`, details: { tenantId } }]);
    return;
  }
  await ctx.beginChange();
  await store.putClientTenant(clientId, tenantId, ctx.nowIso(), ctx.actor);
  await ctx.audited({ action: 'tenant.bind-client', target: clientId, details: { tenantId } });
  ctx.result(`bound app client ${clientId} to tenant ${tenantId}: its client-credentials tokens carry the tenant from the next token`, { clientId, tenantId });
}

export function tenantCommand(deps: CliDependencies, runner: Runner): Command {
  const cmd = new Command('tenant').description('onboard, list, show and disable tenants');

  const addCmd = addWriteOptions(cmd.command('add').description('add a tenant and create its usage-plan metering key')
    .argument('<tenantId>', 'tenant id (1-64 letters, digits, . _ -)')
    .addOption(required(new Option('--plan <plan>', 'the tenant\'s plan (one of the spec\'s plans)')))
    .addOption(required(new Option('--contact <email>', 'the tenant\'s technical contact')))
    .option('--plans <names>', 'the platform\'s plans, comma-separated (when no --spec)')
    .option('--spec <file.json>', 'the platform spec as JSON, from `spec write` (default: $SECURE_API_PLATFORM_SPEC, else ./platform.json)')
    .option('--api <api:version,...>', 'APIs whose usage plans meter the tenant (default: the spec\'s APIs)')
    .option('--metering-regions <regions>', 'regions to create the metering key in (default: the spec\'s regions, else --region)')
    .option('--no-metering', 'do not create a metering key (the tenant is not metered by a usage plan)'));
  addCmd.action(runner(async (_ctx, tenantId) => {
    const o = addCmd.opts<AddOptions>();
    const problems: string[] = [];
    let spec: ReturnType<typeof specFromOptions> | undefined;
    try {
      spec = specFromOptions({ ...o, spec: o.plans === undefined ? specFileOf(o.spec) : o.spec });
    } catch (e) {
      if (!(e instanceof CliError) || e.exitCode !== ExitCode.USAGE) throw e;
      problems.push(e.message);
    }
    // The spec's name is the platform's unless --platform / --table say otherwise.
    const ctx = new CommandContext(deps, { ...o, platform: o.platform ?? (o.table === undefined ? spec?.name : undefined) });
    for (const missing of missingRequired(addCmd)) ctx.problem(`required option '${missing}' not specified`);
    for (const p of problems) ctx.problem(p);
    await add(ctx, tenantId, o, spec);
  }));

  const listCmd = addCommonOptions(cmd.command('list').description('list tenants')
    .option('--plan <plan>', 'only this plan')
    .option('--disabled', 'only disabled tenants'));
  listCmd.action(runner(async (ctx) => {
    const o = listCmd.opts<{ plan?: string; disabled?: boolean }>();
    const tenants = (await ctx.store().listTenants()).filter((t) => (o.plan === undefined || t.plan === o.plan) && (!o.disabled || t.disabled));
    ctx.result(
      tenants.length === 0 ? 'no tenants' : ctx.table(['TENANT', 'PLAN', 'STATUS', 'CONTACT'], tenants.map((t) => [t.tenantId, t.plan ?? '-', t.disabled ? 'disabled' : 'enabled', t.contact ?? '-'])),
      { tenants },
    );
  }));

  const showCmd = addCommonOptions(cmd.command('show').description('show one tenant (the metering key value is never shown)').argument('<tenantId>'));
  showCmd.action(runner(async (ctx, tenantId) => {
    const t = await ctx.store().requireTenant(checkTenantId(tenantId));
    ctx.result(tenantLines(t), { tenant: t });
  }));

  const bindCmd = addWriteOptions(cmd.command('bind-client')
    .description('bind an app client (client credentials) to a tenant: the pool\'s trigger puts the tenant into its tokens')
    .argument('<tenantId>', 'tenant id')
    .addOption(required(new Option('--client-id <id>', 'the Cognito app client id'))));
  bindCmd.action(runner(async (ctx, tenantId) => bindClient(ctx, tenantId, bindCmd.opts())));

  const disableCmd = addWriteOptions(cmd.command('disable').description('disable a tenant: the authorizer denies it within its cache TTL')
    .argument('<tenantId>')
    .option('--reason <text>', 'why (recorded in the table and the audit line)'));
  disableCmd.action(runner(async (ctx, tenantId) => disable(ctx, tenantId, disableCmd.opts())));
  return cmd;
}
