/**
 * The portfolio example: 4 APIs × 250 routes in two regions, every compliance pack.
 *
 *   npx cdk synth --app "npx tsx examples/portfolio/main.ts"
 *   npx cdk synth --app "npx tsx examples/portfolio/main.ts" -c routes=100 -c regions=3
 */
import { App } from 'aws-cdk-lib';
import { buildPortfolioApp } from './app';
import { exampleAppProps } from '../aws/app';

const app = new App(exampleAppProps());
const count = (name: string): number | undefined => {
  const v = app.node.tryGetContext(name) as string | number | undefined;
  return v === undefined ? undefined : Number(v);
};
buildPortfolioApp(app, { routes: count('routes'), regions: count('regions') });
