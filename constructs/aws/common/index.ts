// The public part of the AWS constructs' shared helpers: the names the platform computes and the function defaults.
// Key grants, acknowledgments, rotation schedules and asset paths stay internal (imported by file, not published).
export { PlatformNames } from './names';
export { KEY_PURPOSES, KeyPurpose, SecurityNames } from './security-names';
export { PLATFORM_NODE_RUNTIME } from './lambda-runtime';
export { PlatformFunction, PlatformFunctionProps } from './platform-function';
