import { Unsupported } from '../../lib/authorizer/cedar/lexer';
import { AuthorizerConfigError } from '../../lib/authorizer/config';
import { Denial, Reason } from '../../lib/authorizer/reasons';
import { CliError, ExitCode } from '../../lib/cli/errors';
import { PlatformValidationError } from '../../lib/errors';
import { PlatformSpecError, SecureApiPlatformError } from '../../lib/spec';
import { TokenRefused } from '../../lib/triggers/pre-token-generation';

// One base class for the library's errors: a consumer tells them from any other error with one instanceof.
test.each([
  ['PlatformValidationError', () => new PlatformValidationError('bad prop')],
  ['PlatformSpecError', () => new PlatformSpecError([{ path: 'name', message: 'bad' }])],
  ['AuthorizerConfigError', () => new AuthorizerConfigError('issuers', 'bad')],
  ['Unsupported', () => new Unsupported('bad token', 3)],
  ['Denial', () => new Denial(Reason.MISSING_KID)],
  ['CliError', () => new CliError(ExitCode.USAGE, 'bad flag')],
  ['TokenRefused', () => new TokenRefused('no tenant')],
])('%s is a SecureApiPlatformError and keeps its own name', (name, make) => {
  const error = make();
  expect(error).toBeInstanceOf(SecureApiPlatformError);
  expect(error).toBeInstanceOf(Error);
  expect(error.name).toBe(name);
});
