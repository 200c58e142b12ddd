// Least privilege, component by component — each rule is there because the component's code
// makes exactly that call:
//   destination  list+watch Services, EndpointSlices, Pods (service accounts), both
//                ServiceProfile CRDs and the policy kinds it reads (informers; no writes)
//   identity     create TokenReviews; get its own issuer Secret (by name)
//   injector     get/list/watch Namespaces (inject and config.weft.io/* on namespaces); the
//                validators need nothing (the API server sends them the object)
//   tap          list Pods and Services (which proxies to observe, and naming the ends)
//   heartbeat    read what `weft check` reads; update its own ConfigMap (by name)
import { HEARTBEAT_CONFIG_MAP, INJECTOR_TLS_SECRET, ISSUER_SECRET, MUTATING_WEBHOOK, NAMESPACE, SERVICE_ACCOUNT, VALIDATING_WEBHOOK } from '../names.js';
import type { InstallValues } from '../values.js';
import { installLabels } from './labels.js';
import type { K8sObject } from './yaml.js';

type Rule = { apiGroups: string[]; resources: string[]; verbs: string[]; resourceNames?: string[] };

function clusterRole(v: InstallValues, name: string, rules: Rule[]): K8sObject {
  return { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', metadata: { name, labels: installLabels(v.version) }, rules };
}

function clusterRoleBinding(v: InstallValues, name: string, sa: string): K8sObject {
  return {
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'ClusterRoleBinding',
    metadata: { name, labels: installLabels(v.version) },
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name },
    subjects: [{ kind: 'ServiceAccount', name: sa, namespace: NAMESPACE }],
  };
}

function role(v: InstallValues, name: string, rules: Rule[]): K8sObject {
  return { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'Role', metadata: { name, namespace: NAMESPACE, labels: installLabels(v.version) }, rules };
}

function roleBinding(v: InstallValues, name: string, sa: string): K8sObject {
  return {
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'RoleBinding',
    metadata: { name, namespace: NAMESPACE, labels: installLabels(v.version) },
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name },
    subjects: [{ kind: 'ServiceAccount', name: sa, namespace: NAMESPACE }],
  };
}

const WATCH = ['list', 'watch'];
const LINKERD_POLICY = ['servers', 'authorizationpolicies', 'meshtlsauthentications', 'networkauthentications', 'httplocalratelimitpolicies', 'httproutes', 'egressnetworks'];
const READ = ['get', 'list'];

export function renderServiceAccounts(v: InstallValues): K8sObject[] {
  return Object.values(SERVICE_ACCOUNT).map((name) => ({
    apiVersion: 'v1',
    kind: 'ServiceAccount',
    metadata: { name, namespace: NAMESPACE, labels: installLabels(v.version) },
  }));
}

export function renderRbac(v: InstallValues): K8sObject[] {
  const dst = 'weft-destination';
  const id = 'weft-identity';
  const inj = 'weft-injector';
  const hb = 'weft-heartbeat';
  return [
    clusterRole(v, dst, [
      { apiGroups: [''], resources: ['services', 'pods'], verbs: WATCH },
      { apiGroups: ['discovery.k8s.io'], resources: ['endpointslices'], verbs: WATCH },
      { apiGroups: ['weft.io', 'linkerd.io'], resources: ['serviceprofiles'], verbs: WATCH },
      // The policy API, group by group as the store lists it: Linkerd's policy kinds (weft's
      // group adds its own JWTAuthentication) and the Gateway API's routes.
      { apiGroups: ['policy.weft.io'], resources: [...LINKERD_POLICY, 'jwtauthentications'], verbs: WATCH },
      { apiGroups: ['policy.linkerd.io'], resources: LINKERD_POLICY, verbs: WATCH },
      { apiGroups: ['gateway.networking.k8s.io'], resources: ['httproutes', 'grpcroutes'], verbs: WATCH },
    ]),
    clusterRoleBinding(v, dst, SERVICE_ACCOUNT.destination),
    clusterRole(v, id, [{ apiGroups: ['authentication.k8s.io'], resources: ['tokenreviews'], verbs: ['create'] }]),
    clusterRoleBinding(v, id, SERVICE_ACCOUNT.identity),
    role(v, id, [{ apiGroups: [''], resources: ['secrets'], verbs: ['get'], resourceNames: [ISSUER_SECRET] }]),
    roleBinding(v, id, SERVICE_ACCOUNT.identity),
    clusterRole(v, inj, [{ apiGroups: [''], resources: ['namespaces'], verbs: ['get', 'list', 'watch'] }]),
    clusterRoleBinding(v, inj, SERVICE_ACCOUNT.injector),
    clusterRole(v, 'weft-tap', [{ apiGroups: [''], resources: ['pods', 'services'], verbs: ['list'] }]),
    clusterRoleBinding(v, 'weft-tap', SERVICE_ACCOUNT.tap),
    clusterRole(v, hb, [
      { apiGroups: [''], resources: ['namespaces'], verbs: ['get'] },
      { apiGroups: ['apiextensions.k8s.io'], resources: ['customresourcedefinitions'], verbs: ['get'] },
      { apiGroups: ['admissionregistration.k8s.io'], resources: ['mutatingwebhookconfigurations'], verbs: ['get'], resourceNames: [MUTATING_WEBHOOK] },
      { apiGroups: ['admissionregistration.k8s.io'], resources: ['validatingwebhookconfigurations'], verbs: ['get'], resourceNames: [VALIDATING_WEBHOOK] },
      { apiGroups: ['rbac.authorization.k8s.io'], resources: ['clusterroles', 'clusterrolebindings'], verbs: ['get'] },
    ]),
    clusterRoleBinding(v, hb, SERVICE_ACCOUNT.heartbeat),
    role(v, hb, [
      { apiGroups: [''], resources: ['configmaps'], verbs: ['get', 'update', 'patch'], resourceNames: [HEARTBEAT_CONFIG_MAP] },
      { apiGroups: [''], resources: ['configmaps', 'serviceaccounts', 'services', 'pods'], verbs: READ },
      { apiGroups: [''], resources: ['secrets'], verbs: ['get'], resourceNames: [ISSUER_SECRET, INJECTOR_TLS_SECRET] },
      { apiGroups: ['apps'], resources: ['deployments'], verbs: READ },
      { apiGroups: ['discovery.k8s.io'], resources: ['endpointslices'], verbs: READ },
      { apiGroups: ['rbac.authorization.k8s.io'], resources: ['roles', 'rolebindings'], verbs: ['get'] },
      { apiGroups: ['batch'], resources: ['cronjobs'], verbs: ['get'] },
    ]),
    roleBinding(v, hb, SERVICE_ACCOUNT.heartbeat),
  ];
}
