// What the orders backend does on either cloud: the same cases run through each adapter (the Lambda over dynalite,
// the Azure Function over azurite), so the two thin adapters cannot drift from the shared logic or from each other.

/** One request as a test states it; each adapter turns it into its platform's event. */
export interface OrdersCall {
  readonly method: 'GET' | 'POST';
  /** The route template: `/orders`, `/orders/{id}` or `/health`. */
  readonly route: string;
  readonly id?: string;
  /** The trusted caller the gateway sets (absent: the request did not come through the authorizer). */
  readonly tenant?: string;
  /** Headers a client sent (a client-sent tenant header must be ignored). */
  readonly headers?: Record<string, string>;
  /** The raw body. */
  readonly body?: string | null;
}

export interface OrdersAnswer {
  readonly status: number;
  readonly headers: Record<string, string>;
  readonly body: string;
}

export interface OrdersHarness {
  readonly call: (c: OrdersCall) => Promise<OrdersAnswer>;
  /** Orders created so far (the adapter's id generator counts them). */
  readonly created: () => number;
  /** A call through the same adapter whose order store cannot answer. */
  readonly callWithBrokenStore: (c: OrdersCall) => Promise<OrdersAnswer>;
  readonly securityHeaders: Readonly<Record<string, string>>;
}

export const BAD_BODIES: [string, string | null][] = [
  ['null', 'null'], ['no body', null], ['empty', ''], ['a string', '"SKU-1"'], ['a number', '42'], ['true', 'true'], ['an array', '[{"sku":"SKU-1","quantity":1}]'],
  ['not JSON', 'sku=SKU-1&quantity=1'], ['sku null', '{"sku":null,"quantity":1}'], ['negative quantity', '{"sku":"SKU-1","quantity":-5}'],
  ['fractional quantity', '{"sku":"SKU-1","quantity":1.5}'], ['quantity as a string', '{"sku":"SKU-1","quantity":"1"}'],
  ['an extra field', '{"sku":"SKU-1","quantity":1,"price":0}'], ['a 5 KB note', JSON.stringify({ sku: 'SKU-1', quantity: 1, note: 'x'.repeat(5000) })],
  ['__proto__', '{"sku":"SKU-1","quantity":1,"__proto__":{"admin":true}}'],
];

/** The shared cases, registered in the calling test file. */
export function ordersContract(harness: () => OrdersHarness): void {
  const post = (tenant: string, key: string, body: unknown, headers: Record<string, string> = {}): OrdersCall => ({
    method: 'POST', route: '/orders', tenant, headers: { 'Idempotency-Key': key, ...headers }, body: JSON.stringify(body),
  });

  test('a write with the same Idempotency-Key returns the first result and stores one order', async () => {
    const h = harness();
    const before = h.created();
    const first = await h.call(post('acme', 'key-00000001', { sku: 'SKU-1', quantity: 2 }));
    const second = await h.call(post('acme', 'key-00000001', { sku: 'SKU-1', quantity: 2 }));
    expect(first.status).toBe(201);
    expect(second.body).toBe(first.body);
    expect(JSON.parse(first.body)).toMatchObject({ sku: 'SKU-1', quantity: 2, createdBy: 'user-of-acme' });
    expect(h.created()).toBe(before + 1);
  });

  test('the same Idempotency-Key from another tenant is a different write', async () => {
    const h = harness();
    const a = JSON.parse((await h.call(post('acme', 'key-00000002', { sku: 'SKU-2', quantity: 1 }))).body).id;
    const r = await h.call(post('globex', 'key-00000002', { sku: 'SKU-2', quantity: 1 }));
    expect(r.status).toBe(201);
    expect(JSON.parse(r.body).id).not.toBe(a);
  });

  test('tenants cannot read each other\'s orders: the tenant comes from the authorizer, a client header is ignored', async () => {
    const h = harness();
    const id = JSON.parse((await h.call(post('acme', 'key-00000003', { sku: 'SKU-3', quantity: 1 }))).body).id as string;
    const own = await h.call({ method: 'GET', route: '/orders/{id}', tenant: 'acme', id });
    expect(own.status).toBe(200);
    expect(JSON.parse(own.body)).toMatchObject({ id, sku: 'SKU-3' });
    const other = await h.call({ method: 'GET', route: '/orders/{id}', tenant: 'globex', id, headers: { 'x-tenant-id': 'acme' } });
    expect(other.status).toBe(404);
  });

  test('without the trusted caller the request is refused', async () => {
    const r = await harness().call({ method: 'GET', route: '/orders/{id}', id: 'order-1', headers: { 'x-tenant-id': 'acme' } });
    expect(r.status).toBe(403);
  });

  test('bad input gets a 400 that reveals nothing internal', async () => {
    const h = harness();
    expect((await h.call({ method: 'POST', route: '/orders', tenant: 'acme', body: '{"sku":"SKU-1","quantity":1}' })).status).toBe(400);
    expect((await h.call({ method: 'GET', route: '/orders/{id}', tenant: 'acme', id: '../../etc' })).status).toBe(400);
  });

  test('every response carries the security headers; readiness reflects the data store', async () => {
    const h = harness();
    const health = await h.call({ method: 'GET', route: '/health' });
    expect(health.status).toBe(200);
    expect(health.headers).toMatchObject(h.securityHeaders);
    expect((await h.callWithBrokenStore({ method: 'GET', route: '/health' })).status).toBe(503);
  });

  test('a store that fails answers a generic 500 with the security headers', async () => {
    const h = harness();
    const r = await h.callWithBrokenStore({ method: 'GET', route: '/orders/{id}', tenant: 'acme', id: 'order-1' });
    expect(r.status).toBe(500);
    expect(r.headers).toMatchObject(h.securityHeaders);
    expect(Object.keys(JSON.parse(r.body)).sort()).toEqual(['message', 'requestId']);
  });

  describe('every body gets a 400, never a 500 (the backend validates again, whatever the gateway let through)', () => {
    test.each(BAD_BODIES)('%s', async (_name, body) => {
      const h = harness();
      const before = h.created();
      const r = await h.call({ method: 'POST', route: '/orders', tenant: 'acme', headers: { 'Idempotency-Key': 'key-bodies-01', 'Content-Type': 'text/plain' }, body });
      expect(r.status).toBe(400);
      expect(h.created()).toBe(before);
      expect(JSON.parse(r.body)).toEqual({ message: expect.any(String) });
    });
    test('a valid body sent as text/plain is still a valid order', async () => {
      const r = await harness().call(post('acme', 'key-bodies-02', { sku: 'SKU-9', quantity: 3 }, { 'content-type': 'text/plain' }));
      expect(r.status).toBe(201);
    });
  });
}
