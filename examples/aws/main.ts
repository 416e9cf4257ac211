/**
 * The example platform (the main job): `npx cdk synth` writes every stack of a two-region orders platform, runs every
 * compliance pack, and writes the evidence reports into cdk.out/compliance. cdk.json bundles the Lambda code first and
 * sets no context: a consumer's app without a cdk.json synthesizes the same templates.
 *
 *   npx cdk synth -c allowPlaceholders=true   the example as it ships (example.com placeholders: synth only, never deploy)
 *   npx cdk synth -c site=site.json           your domain, zone, issuer, truststore and contacts (README "Before you deploy")
 *   npx cdk synth -c lean=false               the showcase: CloudHSM, Shield Advanced, mTLS partner domain, 7-year archive
 *   npx cdk synth -c baseline=true            also the per-account baseline stacks (GuardDuty, Security Hub, Config)
 *
 *   CDK_VALIDATION=true npx cdk synth   also aws-cdk-lib's CloudFormation template validation (about 9 s more)
 *
 * No cloud account is needed to synthesize.
 */
import { App } from 'aws-cdk-lib';
import { buildExampleApp, exampleAppProps } from './app';

buildExampleApp(new App(exampleAppProps()));
