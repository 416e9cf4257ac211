import { IConstruct } from 'constructs';
import { SecureApiPlatformError } from './spec/errors';

/**
 * A synth-time validation error: names the prop, the value received and the fix, and the construct path where
 * it was raised. Shared by the AWS and Azure constructs (`constructs` is cloud-neutral).
 */
export class PlatformValidationError extends SecureApiPlatformError {
  /** Construct path of the scope that raised the error, if any. */
  public readonly constructPath?: string;

  constructor(message: string, scope?: IConstruct) {
    super(scope ? `[${scope.node.path}] ${message}` : message);
    this.name = 'PlatformValidationError';
    this.constructPath = scope?.node.path;
  }
}
