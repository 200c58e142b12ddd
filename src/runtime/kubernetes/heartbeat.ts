// `weft heartbeat` (the daily CronJob): the control-plane checks, recorded in the weft-heartbeat
// ConfigMap as the JSON report and as Prometheus text (so a scrape job or `kubectl get cm` can
// read them), and nothing sent anywhere. Dry-run checks are left out: the heartbeat's service
// account may read, not create.
import { CoreV1Api } from '@kubernetes/client-node';
import { kubeCall } from '../../lib/kube.js';
import { CheckContext } from './check/context.js';
import { weftConfig, weftExistence } from './check/control-plane.js';
import { formatJson } from './check/format.js';
import { weftIdentity } from './check/identity.js';
import { kubernetesApi, kubernetesVersion } from './check/kubernetes.js';
import { runChecks } from './check/run.js';
import type { CheckReport } from './check/types.js';
import { weftWebhooks } from './check/webhooks.js';
import { HEARTBEAT_CONFIG_MAP, NAMESPACE } from './names.js';

export function heartbeatMetrics(report: CheckReport, at: number): string {
  const count = (s: string): number => report.categories.reduce((n, c) => n + c.checks.filter((r) => r.status === s).length, 0);
  return [
    '# HELP weft_heartbeat_checks Checks run by the last heartbeat, by result.',
    '# TYPE weft_heartbeat_checks gauge',
    ...['success', 'warning', 'error', 'skipped'].map((r) => `weft_heartbeat_checks{result="${r}"} ${count(r)}`),
    '# HELP weft_heartbeat_success 1 when no check of the last heartbeat failed.',
    '# TYPE weft_heartbeat_success gauge',
    `weft_heartbeat_success ${report.success ? 1 : 0}`,
    '# HELP weft_heartbeat_timestamp_seconds When the last heartbeat ran.',
    '# TYPE weft_heartbeat_timestamp_seconds gauge',
    `weft_heartbeat_timestamp_seconds ${Math.floor(at / 1000)}`,
    '',
  ].join('\n');
}

export async function runHeartbeat(o: { kubeconfig?: string | undefined; cliVersion: string; now?: number }): Promise<CheckReport> {
  const at = o.now ?? Date.now();
  const ctx = new CheckContext({ kubeconfig: o.kubeconfig, pre: false, proxy: false, dryRun: false, cliVersion: o.cliVersion, now: at });
  const report = await runChecks([kubernetesApi, kubernetesVersion, weftExistence, weftConfig, weftIdentity, weftWebhooks], ctx);
  if (report.categories[0]?.checks.some((c) => c.status === 'error')) return report; // no API: nowhere to record
  const api = ctx.kc.makeApiClient(CoreV1Api);
  const cm = await kubeCall(ctx.kc, `read configmap ${NAMESPACE}/${HEARTBEAT_CONFIG_MAP}`, () => api.readNamespacedConfigMap({ namespace: NAMESPACE, name: HEARTBEAT_CONFIG_MAP }));
  cm.data = { 'last-run': new Date(at).toISOString(), 'result.json': formatJson(report), metrics: heartbeatMetrics(report, at) };
  await kubeCall(ctx.kc, `update configmap ${NAMESPACE}/${HEARTBEAT_CONFIG_MAP}`, () => api.replaceNamespacedConfigMap({ namespace: NAMESPACE, name: HEARTBEAT_CONFIG_MAP, body: cm }));
  return report;
}
