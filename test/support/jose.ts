import { ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import { createInterface } from 'node:readline';

/** A signer that is not this project's code: jose 6 in a child process (see jose-signer.mjs). */
export interface JoseSigner {
  /** Generates an RSA key in the signer; returns its public JWK (`alg` published when given). */
  rsaKey(kid: string, alg?: string): Promise<Record<string, unknown>>;
  /** A compact JWS of `claims` signed by jose with key `kid` and algorithm `alg`. */
  sign(kid: string, alg: string, claims: Record<string, unknown>): Promise<string>;
  stop(): void;
}

export function startJoseSigner(): JoseSigner {
  const child: ChildProcess = spawn(process.execPath, [join(__dirname, 'jose-signer.mjs')], { stdio: ['pipe', 'pipe', 'inherit'] });
  const pending = new Map<number, { resolve: (v: Record<string, unknown>) => void; reject: (e: Error) => void }>();
  let next = 0;
  createInterface({ input: child.stdout! }).on('line', (line) => {
    const answer = JSON.parse(line) as { id: number; error?: string } & Record<string, unknown>;
    const waiting = pending.get(answer.id);
    pending.delete(answer.id);
    if (answer.error !== undefined) waiting?.reject(new Error(`jose signer: ${answer.error}`));
    else waiting?.resolve(answer);
  });
  child.once('exit', (code) => {
    for (const w of pending.values()) w.reject(new Error(`jose signer exited with ${code}`));
    pending.clear();
  });
  const ask = (request: Record<string, unknown>): Promise<Record<string, unknown>> => new Promise((resolve, reject) => {
    const id = ++next;
    pending.set(id, { resolve, reject });
    child.stdin!.write(`${JSON.stringify({ id, ...request })}\n`);
  });
  return {
    rsaKey: async (kid, alg) => (await ask({ op: 'key', kid, alg: alg ?? null })).jwk as Record<string, unknown>,
    sign: async (kid, alg, claims) => (await ask({ op: 'sign', kid, alg, claims })).token as string,
    stop: () => {
      child.stdin?.end();
      child.kill();
    },
  };
}
