/**
 * The cloud-neutral vocabulary of the compliance rules, read by both packs (AWS `SecureApi-*`, Terraform
 * `SecureApiAz-*`) and by the reports. Nothing here imports aws-cdk-lib, cdk-nag or cdktf.
 */
import { HttpMethod } from '../spec/types';

/** A route the spec serves without authorization, with the reason the report shows. */
export interface PublicRouteRef {
  readonly method: HttpMethod;
  /** Resource path, e.g. `/health` (matched with or without the API's `/v1` base path). */
  readonly path: string;
  /** @default - none given */
  readonly reason?: string;
  /** @default - any API */
  readonly api?: string;
  /** @default - any version */
  readonly version?: string;
}
