import { createHash, verify } from 'node:crypto';
import { prepareKey } from './jwks';

/**
 * Throwaway public keys, used only to run node:crypto's key import and verify paths once during a cold start (their
 * private halves were discarded when they were generated; nothing is ever accepted with them: the warm-up verifies an
 * all-zero signature, which fails, and its keys are never installed in a key set).
 */
const WARM_RSA = {
  kty: 'RSA',
  kid: 'warm-up',
  e: 'AQAB',
  n: '1OMVEahno3AxpU_o9Pwuf0_QsO-k8Av4sDfNVVDrCYVnlnnoMZODi6SNBAm2tbNgpR8cwW8C4E5UdiGdQVBhYYfEgIWlwBGr_IzY8Hi9zaoXw5fACEUjzEXdpzjTX6T0XG9JzTzLXMUVSsagUxzmghhD3fQ9g12YFy7apaUEkU9L_Yto3ShZtRawVCwn_fQ8N00nbm1san5cHzdmO1Eyx_OazZsWyrynVD5KyzzlDi3IKuvgmkXcjD1ZbZUIb54gLC1eyuX9rNYsrr6rlfBkmqZOEgJ79Q4Z_H6F2QtptZ1-NRc5weWt_4LZBjO6wBU_V9rck4xxMvlhAPMTcdohjQ',
};
const WARM_EC = {
  kty: 'EC', kid: 'warm-up', crv: 'P-256', x: 'BF3EfkS40x6F8dqS41sUDMBZkALhbPbJMmMnAfnktmk', y: 'zH6g2ECWOh-wbsOUua7_QVqmf5EofJl9pMLs5pzKCiA',
};

/** RSA algorithms by digest: RSASSA-PKCS1-v1_5 (RS*) and RSASSA-PSS (PS*), each with its own verify path in node:crypto. */
const RSA_DIGESTS: Readonly<Record<string, string>> = {
  RS256: 'sha256', RS384: 'sha384', RS512: 'sha512', PS256: 'sha256', PS384: 'sha384', PS512: 'sha512',
};

/**
 * The warm-up's steps, in order: the RSA key import and a verify per configured RSA algorithm (PKCS#1 v1.5 and PSS),
 * the P-256 import and an ES256 verify, a SHA-256 hash (principal hashes, API keys, certificate thumbprints). Each runs
 * a code path the first decision takes, which costs ~0.3–1 ms the first time in a process and microseconds after.
 */
function warmUpSteps(algorithms: ReadonlySet<string>): Array<() => void> {
  const message = Buffer.from('warm-up.warm-up', 'latin1');
  const steps: Array<() => void> = [];
  const rsa = [...algorithms].filter((a) => a in RSA_DIGESTS);
  if (rsa.length > 0) {
    let key: ReturnType<typeof prepareKey>;
    steps.push(() => {
      key = prepareKey(WARM_RSA);
    });
    for (const alg of rsa) {
      steps.push(() => {
        const verifyKey = alg.startsWith('PS') ? key?.pssVerifyKey : key?.verifyKey;
        if (verifyKey) verify(RSA_DIGESTS[alg], message, verifyKey, Buffer.alloc(256));
      });
    }
  }
  if (algorithms.has('ES256')) {
    steps.push(() => {
      const key = prepareKey(WARM_EC);
      if (key?.verifyKey) verify('sha256', message, key.verifyKey, Buffer.alloc(64));
    });
  }
  steps.push(() => createHash('sha256').update(message).digest('hex'));
  return steps;
}

/** Runs one step; a step that fails leaves the first decision to pay for its path, and changes nothing else. */
function run(step: () => void): void {
  try {
    step();
  } catch {
    // As said.
  }
}

/** Runs, at once, every step of the warm-up (see {@link warmUpSteps}). Never throws. */
export function warmUpVerifyPaths(algorithms: ReadonlySet<string>): void {
  for (const step of warmUpSteps(algorithms)) run(step);
}

/**
 * Runs the warm-up's steps one per turn of the event loop (`setImmediate`), from when the JWKS fetch starts at init, so
 * that they fill the wait for the issuer's answer rather than the first decision; I/O is handled between two steps, so
 * an answer that comes early is not held up behind the warm-up. Stops once `done()` is true (the authorizer passes "the
 * fetch has settled": a decision that waited for the keys has paid for these paths itself by then, and an answer that
 * came before the steps did is from an endpoint fast enough not to need them). Never throws.
 */
export function scheduleWarmUp(algorithms: ReadonlySet<string>, done: () => boolean): void {
  const steps = warmUpSteps(algorithms);
  const next = (): void => {
    const step = done() ? undefined : steps.shift();
    if (!step) return;
    run(step);
    if (steps.length > 0) setImmediate(next);
  };
  setImmediate(next);
}
