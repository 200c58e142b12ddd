// Where `weft viz` gets its numbers for the running mesh: the metrics API (Prometheus behind
// it) when the run has one, else — the mesh was started with --no-prometheus — nothing but the
// proxies themselves (stat only, from two direct scrapes).
import { MetricsApiClient } from '../control/metrics/client.js';
import { ConfigError, WeftError } from '../lib/errors.js';
import type { RunState } from '../runtime/local/run-state.js';
import { readRunState } from '../runtime/local/run-state.js';

export class NoPrometheusError extends WeftError {
  constructor(what: string) {
    super('WEFT_ERR_NO_PROMETHEUS', `${what} needs Prometheus, and this mesh was started with --no-prometheus: \`weft down\`, then \`weft up\` without it`);
  }
}

export async function runningMesh(stateDir: string): Promise<RunState> {
  const state = await readRunState(stateDir);
  if (!state) throw new ConfigError(`no mesh is up in ${stateDir} (weft up -f mesh.yaml)`);
  return state;
}

/** The metrics API of the run, or undefined when it runs without Prometheus. */
export function metricsApi(state: RunState): MetricsApiClient | undefined {
  return state.control.metricsApiAddr ? new MetricsApiClient(state.control.metricsApiAddr) : undefined;
}
