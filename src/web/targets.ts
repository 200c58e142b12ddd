// Where a dashboard started on its own (`weft web`, `weft dashboard`) finds what it shows: the
// addresses a running mesh recorded in <state-dir>/run.json, each overridable by a flag.
import { ConfigError } from '../lib/errors.js';
import type { RunState } from '../runtime/local/run-state.js';
import { readRunState, statePaths } from '../runtime/local/run-state.js';
import type { HealthTargets } from './health.js';

export interface WebTargetFlags {
  readonly stateDir: string;
  readonly metricsApi?: string | undefined;
  readonly prometheusUrl?: string | undefined;
  readonly identityAddr?: string | undefined;
  readonly destinationAddr?: string | undefined;
}

export interface WebTargets {
  readonly metricsApiAddr: string;
  readonly health: HealthTargets;
  readonly state: RunState | undefined;
}

export async function webTargets(f: WebTargetFlags): Promise<WebTargets> {
  const state = await readRunState(f.stateDir);
  const metricsApiAddr = f.metricsApi ?? state?.control.metricsApiAddr;
  if (!metricsApiAddr) {
    throw new ConfigError(state
      ? `the mesh in ${f.stateDir} runs no metrics API (started with --no-prometheus?): the dashboard needs it; \`weft down\`, then \`weft up\` without --no-prometheus, or give --metrics-api`
      : `no mesh runs in ${f.stateDir} (no run.json): start one with \`weft up\` or \`weft demo\`, or give --metrics-api <host:port>`);
  }
  return {
    metricsApiAddr, state,
    health: {
      metricsApiAddr,
      identityAddr: f.identityAddr ?? state?.control.identityAddr,
      destinationAddr: f.destinationAddr ?? state?.control.destinationAddr,
      prometheusUrl: (f.prometheusUrl ?? state?.prometheus?.url)?.replace(/\/$/, ''),
      identityDir: state ? statePaths(f.stateDir).identity : undefined,
    },
  };
}

/** True when a dashboard answers at `addr` (host:port). */
export async function dashboardAnswers(addr: string, timeoutMs = 2000): Promise<boolean> {
  try {
    const res = await fetch(`http://${addr}/ready`, { signal: AbortSignal.timeout(timeoutMs) });
    await res.arrayBuffer();
    return res.ok;
  } catch {
    return false;
  }
}
