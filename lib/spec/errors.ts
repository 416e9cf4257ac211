/**
 * The base class of every error the library throws (synth-time validation, spec, authorizer configuration and
 * decisions, CLI, triggers): `error instanceof SecureApiPlatformError` tells the library's errors from any other.
 * Dependency-free, so the runtime bundles and the spec layer share it.
 */
export class SecureApiPlatformError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SecureApiPlatformError';
  }
}
