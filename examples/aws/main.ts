/**
 * The example platform (the main job): `npx cdk synth` writes every stack of a two-region orders platform with every
 * control on, runs every compliance pack, and writes the evidence reports into cdk.out/compliance.
 *
 *   npx cdk synth                    every control, the costly ones included (the showcase and the evidence)
 *   npx cdk synth -c lean=true       no CloudHSM, no Shield Advanced, no mTLS partner domain, demo-mode archive
 *   npx cdk synth -c baseline=true   also the per-account baseline stacks (GuardDuty, Security Hub, Config)
 *
 *   CDK_VALIDATION=true npx cdk synth   also aws-cdk-lib's CloudFormation template validation (about 9 s more)
 *
 * No cloud account is needed to synthesize.
 */
import { App } from 'aws-cdk-lib';
import { buildExampleApp, exampleAppProps } from './app';

buildExampleApp(new App(exampleAppProps()));
