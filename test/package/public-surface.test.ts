// The public surface is deliberate: every index file names what it exports, and internal helpers stay internal.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { ENTRY_POINTS } from '../../projenrc/layout';

const ROOT = join(__dirname, '..', '..');

function indexFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return indexFiles(path);
    return name === 'index.ts' ? [path] : [];
  });
}

test('no index file of lib/ or constructs/ re-exports a whole module (`export *`)', () => {
  const wholesale = [...indexFiles(join(ROOT, 'lib')), ...indexFiles(join(ROOT, 'constructs'))]
    .filter((f) => /^export \* from /m.test(readFileSync(f, 'utf-8')))
    .map((f) => relative(ROOT, f));
  expect(wholesale).toEqual([]);
});

// eslint-disable-next-line @typescript-eslint/no-require-imports
const entry = (path: string): Record<string, unknown> => require(join(ROOT, ENTRY_POINTS[path]));

test.each([
  ['./aws', ['SecureApiPlatform', 'SecureRestApi', 'PlatformKeys', 'RegionalWaf', 'AuditTrail'], ['keyOrCreate', 'deprecationHeaders', 'platformKeyPolicy', 'ipRateRule', 'clientIdsParameter', 'REDACTION_CODE']],
  ['./compliance', ['Compliance', 'SecureApiChecks', 'acknowledge', 'KmsKeyRotation', 'markAuditArchive'], ['roleOf', 'rendered', 'propsOf', 'stackIndex', 'controlIdsFromInfo', 'minTlsOfPolicy']],
  ['./azure', ['AzureSecureApiPlatform', 'AzureGateway', 'checkTerraform'], ['xmlEscape', 'validateJwt', 'isUnresolved', 'azureVnetCidr']],
  ['./spec', ['resolveSpec', 'validateSpec', 'SECURITY_HEADERS'], ['isCidr', 'isHttpsUrl', 'roundUpLogRetention', 'exceeds']],
])('%s exports its public constructs and functions, not the internal helpers', (path, present, absent) => {
  const mod = entry(path);
  for (const name of present) expect(mod).toHaveProperty(name);
  for (const name of absent) expect(mod).not.toHaveProperty(name);
});
