// The heartbeat, like Linkerd's but local: a CronJob that runs `weft heartbeat` once a day —
// the same checks as `weft check` — and records the outcome in the weft-heartbeat ConfigMap
// (result JSON and Prometheus text), sending nothing anywhere.
import { HEARTBEAT_CRONJOB, NAMESPACE, SERVICE_ACCOUNT } from '../names.js';
import type { InstallValues } from '../values.js';
import { componentLabels, installLabels } from './labels.js';
import { CONTROL_PLANE_UID, image } from './workload.js';
import type { K8sObject } from './yaml.js';

export function renderHeartbeat(v: InstallValues): K8sObject[] {
  if (v.heartbeatSchedule === '') return [];
  const labels = installLabels(v.version, componentLabels('heartbeat'));
  return [{
    apiVersion: 'batch/v1',
    kind: 'CronJob',
    metadata: { name: HEARTBEAT_CRONJOB, namespace: NAMESPACE, labels },
    spec: {
      schedule: v.heartbeatSchedule,
      concurrencyPolicy: 'Replace',
      successfulJobsHistoryLimit: 1,
      failedJobsHistoryLimit: 1,
      jobTemplate: {
        spec: {
          backoffLimit: 1,
          activeDeadlineSeconds: 300,
          template: {
            metadata: { labels },
            spec: {
              serviceAccountName: SERVICE_ACCOUNT.heartbeat,
              restartPolicy: 'Never',
              securityContext: { runAsNonRoot: true, runAsUser: CONTROL_PLANE_UID, seccompProfile: { type: 'RuntimeDefault' } },
              containers: [{
                name: 'heartbeat',
                image: image(v),
                imagePullPolicy: v.imagePullPolicy,
                args: ['heartbeat'],
                resources: { requests: { cpu: '50m', memory: '64Mi' }, limits: { memory: '256Mi' } },
                securityContext: { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] } },
              }],
            },
          },
        },
      },
    },
  }];
}
