// The admission webhooks, all served by the injector Deployment over the same certificate:
// the proxy injector, and two validators — ServiceProfiles, and the policy kinds. Validation
// covers only the API groups whose CRDs weft installs (weft.io and policy.weft.io; linkerd.io
// and policy.linkerd.io unless --no-linkerd-crds, when Linkerd owns them): another controller's
// objects, Gateway API routes included, are not weft's to refuse.
// failurePolicy Ignore on all: a pod is never blocked because the injector is down (it is then
// created without a proxy — `weft check --proxy` lists such pods), nor is a ServiceProfile or a
// policy object (the store then skips an invalid one and logs why).
import { ADMISSION_WEBHOOKS_LABEL, CONTROL_PLANE_COMPONENT_LABEL } from '../../../control/injector/annotations.js';
import { INJECT_PATH, MUTATING_WEBHOOK, NAMESPACE, PORTS, SERVICE, VALIDATE_PATH, VALIDATE_POLICY_PATH, VALIDATING_WEBHOOK } from '../names.js';
import { policyResources } from './crds.js';
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
      webhooks: [
        validatingWebhook('weft-sp-validator.weft.io', VALIDATE_PATH, caPem, [
          { operations: ['CREATE', 'UPDATE'], apiGroups: v.linkerdCrds ? ['weft.io', 'linkerd.io'] : ['weft.io'], apiVersions: ['*'], resources: ['serviceprofiles'], scope: 'Namespaced' },
        ]),
        // One rule per group: the groups define different kinds (JWTAuthentication is weft's own).
        validatingWebhook('weft-policy-validator.weft.io', VALIDATE_POLICY_PATH, caPem, policyGroups(v).map((g) => (
          { operations: ['CREATE', 'UPDATE'], apiGroups: [g], apiVersions: ['*'], resources: policyResources(g), scope: 'Namespaced' }
        ))),
      ],
    },
  ];
}

function policyGroups(v: InstallValues): string[] {
  return v.linkerdCrds ? ['policy.weft.io', 'policy.linkerd.io'] : ['policy.weft.io'];
}

function validatingWebhook(name: string, path: string, caPem: string, rules: Record<string, unknown>[]): Record<string, unknown> {
  return {
    name,
    clientConfig: clientConfig(path, caPem),
    rules,
    namespaceSelector,
    failurePolicy: 'Ignore',
    sideEffects: 'None',
    admissionReviewVersions: ['v1'],
    timeoutSeconds: 10,
  };
}
