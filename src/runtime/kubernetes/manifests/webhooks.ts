// The admission webhooks, both served by the injector Deployment over the same certificate.
// failurePolicy Ignore on both: a pod is never blocked because the injector is down (it is then
// created without a proxy — `weft check --proxy` lists such pods), nor is a ServiceProfile.
import { ADMISSION_WEBHOOKS_LABEL, CONTROL_PLANE_COMPONENT_LABEL } from '../../../control/injector/annotations.js';
import { INJECT_PATH, MUTATING_WEBHOOK, NAMESPACE, PORTS, SERVICE, VALIDATE_PATH, VALIDATING_WEBHOOK } from '../names.js';
import type { InstallValues } from '../values.js';
import { installLabels } from './labels.js';
import type { K8sObject } from './yaml.js';

const namespaceSelector = {
  matchExpressions: [
    { key: ADMISSION_WEBHOOKS_LABEL, operator: 'NotIn', values: ['disabled'] },
    { key: 'kubernetes.io/metadata.name', operator: 'NotIn', values: ['kube-system'] },
  ],
};

function clientConfig(path: string, caPem: string): Record<string, unknown> {
  return {
    service: { name: SERVICE.injector, namespace: NAMESPACE, path, port: PORTS.webhookService },
    caBundle: Buffer.from(caPem).toString('base64'),
  };
}

export function renderWebhooks(v: InstallValues, caPem: string): K8sObject[] {
  return [
    {
      apiVersion: 'admissionregistration.k8s.io/v1',
      kind: 'MutatingWebhookConfiguration',
      metadata: { name: MUTATING_WEBHOOK, labels: installLabels(v.version) },
      webhooks: [{
        name: 'weft-proxy-injector.weft.io',
        clientConfig: clientConfig(INJECT_PATH, caPem),
        rules: [{ operations: ['CREATE'], apiGroups: [''], apiVersions: ['v1'], resources: ['pods'], scope: 'Namespaced' }],
        namespaceSelector,
        // The control plane's own pods never go through the injector.
        objectSelector: { matchExpressions: [{ key: CONTROL_PLANE_COMPONENT_LABEL, operator: 'DoesNotExist' }] },
        failurePolicy: 'Ignore',
        sideEffects: 'None',
        admissionReviewVersions: ['v1'],
        timeoutSeconds: 10,
        reinvocationPolicy: 'Never',
      }],
    },
    {
      apiVersion: 'admissionregistration.k8s.io/v1',
      kind: 'ValidatingWebhookConfiguration',
      metadata: { name: VALIDATING_WEBHOOK, labels: installLabels(v.version) },
      webhooks: [{
        name: 'weft-sp-validator.weft.io',
        clientConfig: clientConfig(VALIDATE_PATH, caPem),
        rules: [{ operations: ['CREATE', 'UPDATE'], apiGroups: ['weft.io', 'linkerd.io'], apiVersions: ['*'], resources: ['serviceprofiles'], scope: 'Namespaced' }],
        namespaceSelector,
        failurePolicy: 'Ignore',
        sideEffects: 'None',
        admissionReviewVersions: ['v1'],
        timeoutSeconds: 10,
      }],
    },
  ];
}
