// Categories about the cluster itself: can we talk to it, is it recent enough, and (--pre) may
// we install weft into it.
import { NAMESPACE } from '../names.js';
import type { CheckContext } from './context.js';
import type { Category } from './types.js';
import { CheckFailure, CheckWarning } from './types.js';

/** Oldest Kubernetes weft supports; native sidecars (the default proxy mode) need 1.29. */
export const MIN_VERSION = { major: 1, minor: 26 };
export const NATIVE_SIDECAR_VERSION = { major: 1, minor: 29 };

export const kubernetesApi: Category = {
  name: 'kubernetes-api',
  fatal: true,
  checks: [
    {
      description: 'can initialize the client',
      hint: 'point --kubeconfig or KUBECONFIG at a kubeconfig for your cluster (or select a --context)',
      run: async (ctx) => ctx.init(),
    },
    {
      description: 'can query the Kubernetes API',
      hint: 'check that the API server in your kubeconfig is up and reachable from here (kubectl version)',
      run: async (ctx) => {
        const v = await ctx.read('version', 'read the API server version', () => ctx.version.getCode());
        return v?.gitVersion;
      },
    },
  ],
};

export const kubernetesVersion: Category = {
  name: 'kubernetes-version',
  checks: [
    {
      description: 'is running the minimum Kubernetes API version',
      hint: `weft needs Kubernetes ${MIN_VERSION.major}.${MIN_VERSION.minor} or later`,
      run: async (ctx) => {
        const v = await ctx.read('version', 'read the API server version', () => ctx.version.getCode());
        const major = Number(v?.major);
        const minor = parseInt(v?.minor ?? '', 10);
        if (!Number.isFinite(major) || !Number.isFinite(minor)) throw new CheckFailure(`cannot read the API server version (${JSON.stringify(v)})`);
        if (major < MIN_VERSION.major || (major === MIN_VERSION.major && minor < MIN_VERSION.minor)) {
          throw new CheckFailure(`the API server is ${v?.gitVersion}`);
        }
        if (major === 1 && minor < NATIVE_SIDECAR_VERSION.minor) {
          throw new CheckWarning(`the API server is ${v?.gitVersion}: proxies are injected as classic sidecars (native sidecars need 1.29)`, 'upgrade the cluster to 1.29 or later for native sidecars (Jobs then complete on their own)');
        }
        return v?.gitVersion;
      },
    },
  ],
};

async function canI(ctx: CheckContext, verb: string, group: string, resource: string, namespace?: string): Promise<boolean> {
  const r = await ctx.authz.createSelfSubjectAccessReview({
    body: { apiVersion: 'authorization.k8s.io/v1', kind: 'SelfSubjectAccessReview', spec: { resourceAttributes: { verb, group, resource, ...(namespace ? { namespace } : {}) } } },
  });
  return r.status?.allowed === true;
}

function canCreate(resources: readonly [string, string][], namespace?: string): (ctx: CheckContext) => Promise<void> {
  return async (ctx) => {
    const denied: string[] = [];
    for (const [group, resource] of resources) if (!(await canI(ctx, 'create', group, resource, namespace))) denied.push(group ? `${resource}.${group}` : resource);
    if (denied.length) throw new CheckFailure(`you may not create ${denied.join(', ')}`);
  };
}

export const preKubernetesSetup: Category = {
  name: 'pre-kubernetes-setup',
  checks: [
    {
      description: 'control plane namespace does not already exist',
      hint: `weft is installed already (or the "${NAMESPACE}" namespace is used otherwise): weft check, or weft upgrade`,
      run: async (ctx) => {
        const ns = await ctx.read(`ns/${NAMESPACE}`, `read namespace ${NAMESPACE}`, () => ctx.core.readNamespace({ name: NAMESPACE }));
        if (ns) throw new CheckFailure(`namespace ${NAMESPACE} exists`);
      },
    },
    {
      description: 'can create non-namespaced resources',
      hint: 'installing weft needs a cluster administrator (cluster-admin or equivalent)',
      run: canCreate([
        ['', 'namespaces'],
        ['apiextensions.k8s.io', 'customresourcedefinitions'],
        ['rbac.authorization.k8s.io', 'clusterroles'],
        ['rbac.authorization.k8s.io', 'clusterrolebindings'],
        ['admissionregistration.k8s.io', 'mutatingwebhookconfigurations'],
        ['admissionregistration.k8s.io', 'validatingwebhookconfigurations'],
      ]),
    },
    {
      description: 'can create namespaced resources',
      hint: `installing weft needs rights to create its objects in the "${NAMESPACE}" namespace`,
      run: canCreate([
        ['', 'serviceaccounts'], ['', 'secrets'], ['', 'configmaps'], ['', 'services'],
        ['apps', 'deployments'], ['rbac.authorization.k8s.io', 'roles'], ['rbac.authorization.k8s.io', 'rolebindings'],
        ['policy', 'poddisruptionbudgets'], ['batch', 'cronjobs'],
      ], NAMESPACE),
    },
  ],
};
