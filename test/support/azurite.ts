import { spawn } from 'node:child_process';
import { createServer } from 'node:net';
import * as path from 'node:path';
import { AzureNamedKeyCredential, TableClient } from '@azure/data-tables';

/** Azurite's well-known development account (public, documented; not a secret). */
const ACCOUNT = 'devstoreaccount1';
const ACCOUNT_KEY = ['Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsu', 'Fq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw=='].join('');

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

/**
 * Azurite's Table service (npm azurite 3.35.x, in memory, telemetry off) on a free loopback port, and a factory of real
 * `@azure/data-tables` clients pointed at it. `stop()` ends the process it started.
 */
export async function startAzuriteTables(): Promise<{
  endpoint: string;
  /** A connection string to the same account (what an operator's environment would hold). */
  connectionString: string;
  table: (name: string) => TableClient;
  stop: () => Promise<void>;
}> {
  const port = await freePort();
  const bin = path.join(__dirname, '..', '..', 'node_modules', 'azurite', 'dist', 'src', 'table', 'main.js');
  const child = spawn(process.execPath, [bin, '--tableHost', '127.0.0.1', '--tablePort', String(port), '--inMemoryPersistence', '--disableTelemetry', '--skipApiVersionCheck', '--loose'], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  await new Promise<void>((resolve, reject) => {
    const onData = (d: Buffer) => {
      output += d.toString();
      if (/successfully (started|listening)/i.test(output)) resolve();
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.once('exit', (code) => reject(new Error(`azurite exited (${String(code)}): ${output}`)));
  });
  const endpoint = `http://127.0.0.1:${port}/${ACCOUNT}`;
  const credential = new AzureNamedKeyCredential(ACCOUNT, ACCOUNT_KEY);
  return {
    endpoint,
    connectionString: `DefaultEndpointsProtocol=http;AccountName=${ACCOUNT};AccountKey=${ACCOUNT_KEY};TableEndpoint=${endpoint};`,
    table: (name) => new TableClient(endpoint, name, credential, { allowInsecureConnection: true, retryOptions: { maxRetries: 0 } }),
    stop: () => new Promise<void>((resolve) => {
      if (child.exitCode !== null) return resolve();
      child.once('exit', () => resolve());
      child.kill('SIGTERM');
    }),
  };
}
