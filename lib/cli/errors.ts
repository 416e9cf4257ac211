/**
 * Exit codes and the one error type the CLI prints. Every failure ends as one line on stderr that says what to fix,
 * never a stack trace.
 */
import { RoleNames } from '../spec/contracts/names';
import { SecureApiPlatformError } from '../spec/errors';

/** Documented exit codes (also in `--help` and the README). */
export const ExitCode = {
  /** Success. */
  OK: 0,
  /** `doctor` found at least one failing check; or an unexpected internal error (a bug: please report it). */
  CHECK_FAILED: 1,
  /** Bad usage: unknown command or option, missing or malformed value (tenant id, key, duration, URL, token). */
  USAGE: 2,
  /** Something named does not exist: tenant, key, usage plan, table, cdk.out folder, evidence. */
  NOT_FOUND: 3,
  /** Conflict or invalid state: already exists, already disabled/revoked/rotated, expired, token already expired. */
  CONFLICT: 4,
  /** AWS or network error: credentials, permissions, throttling, unreachable endpoint, audit log unavailable. */
  AWS: 5,
} as const;
export type ExitCodeValue = (typeof ExitCode)[keyof typeof ExitCode];

/** An error the CLI reports as one line with a documented exit code. The message names the fix. */
export class CliError extends SecureApiPlatformError {
  constructor(readonly exitCode: ExitCodeValue, message: string) {
    super(message);
    this.name = 'CliError';
  }
}

export const usage = (message: string): CliError => new CliError(ExitCode.USAGE, message);
export const notFound = (message: string): CliError => new CliError(ExitCode.NOT_FOUND, message);
export const conflict = (message: string): CliError => new CliError(ExitCode.CONFLICT, message);
export const awsError = (message: string): CliError => new CliError(ExitCode.AWS, message);

/** One line, bounded: AWS and network messages can carry newlines or whole response bodies. */
export function oneLine(text: string, max = 400): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max - 3)}...` : flat;
}

const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ENOTFOUND', 'EAI_AGAIN', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'EPIPE']);

/** An error's message with the chain of its causes, e.g. `fetch failed (ECONNREFUSED: connect ECONNREFUSED 127.0.0.1:9)`. */
export function withCause(e: unknown, max = 300): string {
  const parts: string[] = [];
  let current: unknown = e;
  for (let depth = 0; current !== undefined && current !== null && depth < 4; depth++) {
    // Duck-typed: errors from another realm (fetch's undici, a test VM) are not `instanceof Error` here.
    const err = typeof current === 'object' ? current as { message?: unknown; code?: unknown; cause?: unknown } : {};
    const message = typeof err.message === 'string' ? err.message : String(current);
    parts.push(typeof err.code === 'string' && !message.includes(err.code) ? `${err.code}: ${message}` : message);
    current = err.cause;
  }
  const [first, ...causes] = parts.filter((p, i) => p.length > 0 && parts.indexOf(p) === i);
  return oneLine(causes.length > 0 ? `${first} (${causes.join('; ')})` : first ?? '', max);
}

/** Errors thrown by the service an operation called carry its name, so the one-line message can say which failed. */
const SERVICE = '$service';

/** `target` with every method's errors tagged with the AWS service it calls (`DynamoDB`, `API Gateway`, `STS`, ...). */
export function tagged<T extends object>(service: string, target: T): T {
  const tag = (e: unknown): unknown => {
    if (e instanceof Error && !(e instanceof CliError) && !(SERVICE in e)) Object.defineProperty(e, SERVICE, { value: service });
    return e;
  };
  return new Proxy(target, {
    get(t, prop, receiver) {
      const value: unknown = Reflect.get(t, prop, receiver);
      if (typeof value !== 'function') return value;
      return (...args: unknown[]): unknown => {
        try {
          const out: unknown = (value as (...a: unknown[]) => unknown).apply(t, args);
          return out instanceof Promise ? out.catch((e: unknown) => Promise.reject(tag(e))) : out;
        } catch (e) {
          throw tag(e);
        }
      };
    },
  });
}

/** Whether an error came from the AWS SDK or the network (rather than from our own code). */
function describeAwsError(e: Error & { code?: string; $metadata?: unknown; $service?: string }): string | undefined {
  const name = e.name;
  const service = e.$service ?? 'AWS';
  if (name === 'CredentialsProviderError' || /Could not load credentials/i.test(e.message)) {
    return 'no AWS credentials found: pass --profile <name>, set AWS_PROFILE, or run `aws sso login` / `aws configure`';
  }
  if (/Region is missing/i.test(e.message)) return 'no AWS region: pass --region <region> or set AWS_REGION';
  if (name === 'ExpiredTokenException' || name === 'ExpiredToken') return 'the AWS session has expired: refresh your credentials (e.g. `aws sso login`) and retry';
  if (name === 'AccessDeniedException' || name === 'AccessDenied' || name === 'UnauthorizedOperation') {
    return `${service} denied the call (${oneLine(e.message, 200)}): run as the platform's operators' role role${RoleNames.path('<platform>')}${RoleNames.operators('<platform>')} (a --profile whose role_arn names it); the platform table lets no other principal write`;
  }
  if (name === 'UnrecognizedClientException' || name === 'InvalidClientTokenId' || name === 'InvalidSignatureException') {
    return `AWS refused the credentials (${name}): check --profile / AWS_PROFILE`;
  }
  if (name === 'ThrottlingException' || name === 'ProvisionedThroughputExceededException' || name === 'TooManyRequestsException') {
    return `${service} throttled the call (${name}): retry in a moment`;
  }
  // The SDK wraps socket errors ("AWS SDK error wrapper for Error: connect ECONNREFUSED ..."): look in the message too.
  const code = e.code !== undefined && NETWORK_CODES.has(e.code) ? e.code : [...NETWORK_CODES].find((c) => e.message.includes(c));
  if (name === 'TimeoutError' || name === 'AbortError' || code !== undefined) {
    return `${service} unreachable: network error (${code ?? name}): ${withCause(e, 200)}; check connectivity to ${service} and the --region`;
  }
  if (e.$metadata !== undefined) return `${service} error ${name}: ${oneLine(e.message, 200)}`;
  return undefined;
}

/** Maps anything thrown to a CliError (the last line of defence: no stack trace ever reaches the operator). */
export function toCliError(e: unknown): CliError {
  if (e instanceof CliError) return e;
  if (e instanceof Error) {
    const aws = describeAwsError(e as Error & { code?: string; $metadata?: unknown });
    if (aws) return new CliError(/Region is missing/i.test(aws) || aws.startsWith('no AWS region') ? ExitCode.USAGE : ExitCode.AWS, aws);
    return new CliError(ExitCode.CHECK_FAILED, `internal error: ${oneLine(e.message, 300)} (this is a bug; please report it with the command you ran)`);
  }
  return new CliError(ExitCode.CHECK_FAILED, `internal error: ${oneLine(String(e), 300)} (this is a bug; please report it)`);
}

/** The SDK error name, for call sites that treat one AWS error specially (e.g. a failed condition). */
export function errorName(e: unknown): string | undefined {
  return e instanceof Error ? e.name : undefined;
}
