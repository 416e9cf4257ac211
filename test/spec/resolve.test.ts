// resolveSpec carries the facts renderers derive from the spec (domain, edge, archive regions, logs role), so no renderer
// reaches into the spec as written; and only resolveSpec makes a ResolvedSpec.
import { ResolvedSpec, resolveSpec } from '../../lib/spec/resolve';
import { TlsPolicy } from '../../lib/spec/types';
import { fixtureSpec } from '../fixtures/platform-spec';

const withoutDomain = () => {
  const { domain: _ignored, ...rest } = fixtureSpec();
  // An API served with mTLS needs the partner domain: without any domain, none is.
  return { ...rest, apis: rest.apis.map((a) => ({ ...a, mtls: false })) };
};

describe('derived facts', () => {
  test('the domain gets its TLS 1.3 policy by default and keeps its partner (mTLS) domain', () => {
    const spec = fixtureSpec('aws', { lean: false });
    const r = resolveSpec(spec);
    const { domainName, hostedZone, mtls } = spec.domain!;
    expect(r.domain).toEqual({ domainName, hostedZone, tlsPolicy: TlsPolicy.TLS13, mtls });
    expect(r.domain?.mtls?.domainName).toBe('partners.example.com');
  });

  test('a CDN with a domain needs the edge, and the edge logs into a us-east-1 archive too', () => {
    const spec = fixtureSpec();
    const r = resolveSpec({ ...spec, edge: { ...spec.edge, cdn: true } });
    expect(r.needsEdge).toBe(true);
    expect(r.archiveRegions).toEqual([...new Set([...r.regions, 'us-east-1'])]);
  });

  test('without a domain there is no edge and no us-east-1 archive beyond the platform regions', () => {
    const r = resolveSpec(withoutDomain());
    expect(r.domain).toBeUndefined();
    expect(r.needsEdge).toBe(false);
    expect(r.archiveRegions).toEqual(r.regions);
  });

  test('with the CDN off there is no edge even with a domain', () => {
    const spec = fixtureSpec();
    const r = resolveSpec({ ...spec, edge: { ...spec.edge, cdn: false } });
    expect(r.domain).toBeDefined();
    expect(r.needsEdge).toBe(false);
  });

  test('the API Gateway logs role is the platform\'s unless the spec says it is managed elsewhere', () => {
    expect(resolveSpec(fixtureSpec()).apiGatewayLogsRole).toBe('platform');
    const spec = fixtureSpec();
    expect(resolveSpec({ ...spec, observability: { ...spec.observability, apiGatewayLogsRole: 'managedElsewhere' } }).apiGatewayLogsRole).toBe('managedElsewhere');
  });
});

test('only resolveSpec makes a ResolvedSpec: a structural look-alike is refused by the type checker', () => {
  type LookAlike = { [K in keyof ResolvedSpec as K extends symbol ? never : K]: ResolvedSpec[K] };
  const resolved = resolveSpec(fixtureSpec());
  const lookAlike: LookAlike = resolved;
  // @ts-expect-error the brand is missing: a renderer cannot be handed an unvalidated, undefaulted spec
  const refused: ResolvedSpec = lookAlike;
  expect(refused).toBe(resolved);
});
