/**
 * Cedar policies for the authorizer. The policy set is compiled to JavaScript closures when it stays within the
 * compiled subset (lib/authorizer/cedar/: lexer, parser, compiler, policies); otherwise it falls back to
 * @cedar-policy/cedar-wasm, which is loaded only then. Both give Cedar's decisions; any evaluation error denies.
 */
import type * as CompiledEngine from './cedar/policies';
import { CedarContext, CedarDecision, CedarRequest } from './cedar/types';
import type * as WasmAdapter from './cedar/wasm';

type CedarPoliciesOptions = WasmAdapter.CedarPoliciesOptions;
type WasmCedarPolicies = WasmAdapter.WasmCedarPolicies;

export type { ContextUse, CedarPoliciesOptions } from './cedar/wasm';
export { CONTEXT_KEYS } from './cedar/types';
export type { CedarContext, CedarContextSource, CedarDecision, CedarRequest } from './cedar/types';

type CompiledCedarPolicies = CompiledEngine.CompiledCedarPolicies;

let adapter: typeof WasmAdapter | undefined;
let compiler: typeof CompiledEngine | undefined;

/**
 * The compiled engine (lexer, parser, compiler), loaded on first use only: in the bundle it is a separate file
 * (cedar-compiled.js, see scripts/bundle-authorizer.mjs), so an authorizer without policies neither loads nor compiles
 * its code at a cold start.
 */
function compiledEngine(): typeof CompiledEngine {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  compiler ??= require('./cedar/policies') as typeof CompiledEngine;
  return compiler;
}

/**
 * The Cedar engine's adapter, loaded on first use only: in the bundle it is a separate file (cedar-wasm.js, see
 * scripts/bundle-authorizer.mjs), so a compiled policy set never loads it, nor the engine.
 */
export function wasmAdapter(): typeof WasmAdapter {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  adapter ??= require('./cedar/wasm') as typeof WasmAdapter;
  return adapter;
}

/** The Cedar engine (@cedar-policy/cedar-wasm), loaded on first use. */
export function loadCedar(): ReturnType<typeof WasmAdapter.loadCedar> {
  return wasmAdapter().loadCedar();
}

/** Syntax errors in Cedar policy text, from the Cedar engine (empty when it parses). For synth-time checks. */
export function checkCedarPolicies(policies: string): string[] {
  return wasmAdapter().checkCedarPolicies(policies);
}

/** The context attributes the policies read (a lexical scan; see cedar/wasm.ts). */
export function referencedContextKeys(policies: string): ReadonlyArray<keyof CedarContext> {
  return wasmAdapter().referencedContextKeys(policies);
}

/** Which engine evaluates a policy set, and why the compiled one does not when it does not. */
export interface CedarEngineChoice {
  readonly engine: 'compiled' | 'wasm';
  /** Why the set falls back to the Cedar engine (the first construct outside the compiled subset, with its offset). */
  readonly reason?: string;
}

/**
 * Which path a policy set takes: `compiled` when every policy is within the compiled subset, else `wasm` with the
 * first construct that is not (policies that do not parse also go to the engine, which reports their errors).
 */
export function cedarEngineFor(policies: string): CedarEngineChoice {
  try {
    new (compiledEngine().CompiledCedarPolicies)(policies);
    return { engine: 'compiled' };
  } catch (e) {
    return { engine: 'wasm', reason: e instanceof Error ? e.message : String(e) };
  }
}

export interface CedarEngineOptions extends CedarPoliciesOptions {
  /**
   * `wasm` always uses @cedar-policy/cedar-wasm (for comparisons); `auto` compiles the set when it can.
   * @default 'auto'
   */
  readonly engine?: 'auto' | 'wasm';
}

/** Cedar policies, compiled when they can be, else evaluated by @cedar-policy/cedar-wasm (loaded only then). */
export class CedarPolicies {
  /** The engine in use (see {@link cedarEngineFor}). */
  readonly engine: 'compiled' | 'wasm';
  /** Why the compiled engine is not used, when it is not. */
  readonly fallbackReason?: string;
  private readonly impl: CompiledCedarPolicies | WasmCedarPolicies;

  constructor(policies: string, options: CedarEngineOptions = {}) {
    let compiled: CompiledCedarPolicies | undefined;
    if (options.engine !== 'wasm') {
      try {
        compiled = new (compiledEngine().CompiledCedarPolicies)(policies);
      } catch (e) {
        if (!(e instanceof Error && e.name === 'Unsupported')) throw e;
        this.fallbackReason = e.message;
      }
    } else {
      this.fallbackReason = 'engine: wasm was asked for';
    }
    this.impl = compiled ?? new (wasmAdapter().WasmCedarPolicies)(policies, options);
    this.engine = compiled ? 'compiled' : 'wasm';
  }

  /** Ids of the policies `action` is evaluated against (undefined: all of them). */
  policiesFor(action: string): readonly string[] | undefined {
    return this.impl.policiesFor(action);
  }

  isAuthorized(request: CedarRequest): CedarDecision {
    return this.impl.isAuthorized(request);
  }
}
