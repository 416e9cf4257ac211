import * as apigw from 'aws-cdk-lib/aws-apigateway';
import { ApiSpec, ResolvedRoute, ResolvedSpec } from '../../../lib/spec';
import { ApiNames } from '../../../lib/spec/contracts/names';

/** What an API version's usage plans are built from. */
export interface UsagePlansProps {
  readonly api: apigw.RestApi;
  readonly stage: apigw.Stage;
  readonly spec: ResolvedSpec;
  readonly apiSpec: ApiSpec;
  readonly routes: ResolvedRoute[];
  /** The API's methods by route key (`GET /orders/{id}`). */
  readonly methods: Record<string, apigw.Method>;
  readonly restApiName: string;
}

/**
 * One usage plan per spec plan, named as the CLI's metering finds it (`ApiNames.usagePlan`): the plan's rate, burst and
 * daily quota on the stage, and on each authorized method the lower of the plan's and the route's own plan's limits.
 */
export function addUsagePlans(props: UsagePlansProps): Record<string, apigw.UsagePlan> {
  const { api, stage, spec, apiSpec, routes, methods, restApiName } = props;
  const usagePlans: Record<string, apigw.UsagePlan> = {};
  for (const [planName, plan] of Object.entries(spec.plans)) {
    const throttle = routes.filter((r) => !r.public).map((r) => {
      const cap = spec.plans[r.plan] ?? plan;
      return {
        method: methods[r.key],
        throttle: { rateLimit: Math.min(plan.rate, cap.rate), burstLimit: Math.min(plan.burst, cap.burst) },
      };
    });
    usagePlans[planName] = api.addUsagePlan(`Plan-${planName}`, {
      name: ApiNames.usagePlan(spec.name, apiSpec.name, apiSpec.version, planName),
      description: `Tenant plan "${planName}" of ${restApiName}: metering keys are created at tenant onboarding and returned by the authorizer`,
      throttle: { rateLimit: plan.rate, burstLimit: plan.burst },
      quota: { limit: plan.dailyQuota, period: apigw.Period.DAY },
      apiStages: [{ api, stage, throttle }],
    });
  }
  return usagePlans;
}
