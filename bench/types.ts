// Shapes shared by the harness's parts. A target is one way of reaching the backend (direct,
// through weft, through a peer proxy); the list of targets is in targets.ts.
import type { Address } from '../src/lib/address.js';
import type { Runtime } from './runtimes.js';

/** http1: wrk; h2c: h2load GETs; grpc: h2load unary gRPC calls over h2c. */
export const PROTOCOLS = ['http1', 'h2c', 'grpc'] as const;
export type Protocol = (typeof PROTOCOLS)[number];

export interface TargetContext {
  readonly protocol: Protocol;
  /** The backend's listener for this protocol (grpc shares the h2c one). */
  readonly backend: Address;
  /** A fresh directory for this target's configs, pid files and logs. */
  readonly workDir: string;
  /** `taskset -c` CPU list for proxies, when pinning was asked for. */
  readonly pin?: string;
  /** The repository root (where bin/weft.js is). */
  readonly repoRoot: string;
  /** What runs the weft proxy (targets with `usesRuntime`). */
  readonly runtime: Runtime;
}

export interface RunningTarget {
  /** Where the load generator connects. */
  readonly address: Address;
  /** Processes whose RSS is reported (summed); empty for direct. */
  readonly pids: readonly number[];
  stop(): Promise<void>;
}

export interface Target {
  readonly name: string;
  readonly description: string;
  /** Runs the weft proxy: measured once per --runtime. */
  readonly usesRuntime: boolean;
  /** The protocols it serves, when not all of them (other protocols' rows say "not run"). */
  readonly protocols?: readonly Protocol[];
  /** Why the target cannot run on this machine, or undefined when it can. */
  unavailable(repoRoot: string): string | undefined;
  start(ctx: TargetContext): Promise<RunningTarget>;
}
