// The Lambda's attack catalogue (test/authorizer/attacks.test.ts), unchanged, through the Azure Function: each request
// goes in as API Management's send-request body, through the @azure/functions v4 handler, in-process.
import { azureFunctionRuntime } from './function-runtime';
import { useRuntime } from '../authorizer/helpers';

useRuntime(azureFunctionRuntime);
// eslint-disable-next-line @typescript-eslint/no-require-imports
require('../authorizer/attacks.test');
