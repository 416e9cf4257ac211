import { IConstruct } from 'constructs';

/**
 * A synth-time validation error: names the prop, the value received and the fix, and the construct path where
 * it was raised. Shared by the AWS and Azure constructs (`constructs` is cloud-neutral).
 */
export class PlatformValidationError extends Error {
  /** Construct path of the scope that raised the error, if any. */
  public readonly constructPath?: string;

  constructor(message: string, scope?: IConstruct) {
    super(scope ? `[${scope.node.path}] ${message}` : message);
    this.name = 'PlatformValidationError';
    this.constructPath = scope?.node.path;
  }
}
