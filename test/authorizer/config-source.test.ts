import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AuthorizerConfig } from '../../lib/authorizer/config';
import { CONFIG_FILE, DEPLOY_VALUES_ENV, joinConfig, readConfig, splitConfig } from '../../lib/authorizer/config-source';

const DEPLOY = '${Token[TOKEN.1]}';
const config: AuthorizerConfig = {
  issuers: [{ issuer: `https://cognito-idp.eu-west-1.amazonaws.com/${DEPLOY}`, jwksUri: 'https://idp.example.com/jwks', clientIds: [DEPLOY, 'static-client'] }],
  routes: { 'GET /orders/{id}': { scopes: ['orders:read'] } },
  tableName: 'orders-global',
};
const isDeploy = (v: string): boolean => v.includes('${Token[');

test('split: deploy-time strings leave the file, listed by place; join puts the deployed values back', () => {
  const { file, values } = splitConfig(config, isDeploy);
  expect(values).toEqual([config.issuers[0].issuer, DEPLOY]);
  expect(file.deployTime).toEqual([['issuers', 0, 'issuer'], ['issuers', 0, 'clientIds', 0]]);
  expect(JSON.stringify(file)).not.toContain('Token');
  const joined = joinConfig(JSON.parse(JSON.stringify(file)), ['https://cognito-idp.eu-west-1.amazonaws.com/pool', 'client-1']);
  expect(joined).toEqual({ ...config, issuers: [{ ...config.issuers[0], issuer: 'https://cognito-idp.eu-west-1.amazonaws.com/pool', clientIds: ['client-1', 'static-client'] }] });
});

test('join refuses values that do not match the file, and places outside the configuration', () => {
  const { file } = splitConfig(config, isDeploy);
  expect(() => joinConfig(file, ['only-one'])).toThrow(`${DEPLOY_VALUES_ENV} must be a JSON array of 2 strings (received 1 values)`);
  expect(() => joinConfig(file, 'x')).toThrow(/received string/);
  expect(() => joinConfig({ ...file, deployTime: [['__proto__', 'polluted'], ['issuers', 0, 'issuer']] }, ['a', 'b'])).toThrow(/deployTime\[0\] names no place/);
  expect(() => joinConfig({ ...file, deployTime: [['__proto__', 'toString'], ['issuers', 0, 'issuer']] }, ['a', 'b'])).toThrow(/deployTime\[0\] names no place/);
  expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  expect(typeof ({}).toString).toBe('function');
  expect(() => joinConfig({ ...file, deployTime: [['issuers', 5, 'issuer'], ['issuers', 0, 'issuer']] }, ['a', 'b'])).toThrow(/deployTime\[0\] names no place/);
});

describe('readConfig', () => {
  const dir = mkdtempSync(join(tmpdir(), 'config-source-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  test('the file beside the handler joined with the environment; AUTHORIZER_CONFIG wins when set; neither is an error', () => {
    const { file } = splitConfig(config, isDeploy);
    writeFileSync(join(dir, CONFIG_FILE), JSON.stringify(file));
    const env = { [DEPLOY_VALUES_ENV]: JSON.stringify(['https://idp.example.com', 'c']) };
    expect(readConfig(env, dir).issuers[0]).toMatchObject({ issuer: 'https://idp.example.com', clientIds: ['c', 'static-client'] });
    expect(readConfig({ ...env, AUTHORIZER_CONFIG: JSON.stringify({ ...config, tableName: 'inline' }) }, dir).tableName).toBe('inline');
    expect(() => readConfig({}, join(dir, 'missing'))).toThrow(`AUTHORIZER_CONFIG is not set and ${CONFIG_FILE} is not beside the handler`);
  });
});
