// What checks share: the options, the API clients (made once the kubeconfig loads — itself the
// first check), and memoized reads, so the many checks about one Secret read it once.
import { AdmissionregistrationV1Api, ApiextensionsV1Api, AppsV1Api, AuthorizationV1Api, CoreV1Api, CustomObjectsApi, DiscoveryV1Api, RbacAuthorizationV1Api, VersionApi } from '@kubernetes/client-node';
import type { KubeConfig } from '@kubernetes/client-node';
import { isNotFound, kubeCall, loadKubeConfig } from '../../../lib/kube.js';
import { CheckFailure } from './types.js';

export interface CheckOptions {
  readonly kubeconfig?: string | undefined;
  readonly context?: string | undefined;
  /** Before install: can weft be installed here? */
  readonly pre: boolean;
  /** Also check the data plane (meshed pods). */
  readonly proxy: boolean;
  /** Data-plane namespace (all namespaces when unset). */
  readonly namespace?: string | undefined;
  /** Checks that create objects with server-side dry run (the webhooks really answer). */
  readonly dryRun: boolean;
  readonly cliVersion: string;
  readonly now?: number;
}

export class CheckContext {
  private client: KubeConfig | undefined;
  private readonly memos = new Map<string, Promise<unknown>>();

  constructor(readonly opts: CheckOptions) {}

  get now(): number {
    return this.opts.now ?? Date.now();
  }

  /** Loads the kubeconfig (the first check). */
  init(): void {
    this.client = loadKubeConfig({ kubeconfig: this.opts.kubeconfig, context: this.opts.context });
  }

  get kc(): KubeConfig {
    if (!this.client) throw new CheckFailure('no Kubernetes client (the kubeconfig did not load)');
    return this.client;
  }

  api<T>(cls: new (...args: never[]) => T): T {
    return this.kc.makeApiClient(cls as unknown as Parameters<KubeConfig['makeApiClient']>[0]) as T;
  }

  get core(): CoreV1Api { return this.api(CoreV1Api); }
  get apps(): AppsV1Api { return this.api(AppsV1Api); }
  get ext(): ApiextensionsV1Api { return this.api(ApiextensionsV1Api); }
  get admission(): AdmissionregistrationV1Api { return this.api(AdmissionregistrationV1Api); }
  get authz(): AuthorizationV1Api { return this.api(AuthorizationV1Api); }
  get rbac(): RbacAuthorizationV1Api { return this.api(RbacAuthorizationV1Api); }
  get discovery(): DiscoveryV1Api { return this.api(DiscoveryV1Api); }
  get custom(): CustomObjectsApi { return this.api(CustomObjectsApi); }
  get version(): VersionApi { return this.api(VersionApi); }

  /** One API read per key and run; a 404 resolves to undefined. */
  read<T>(key: string, what: string, call: () => Promise<T>): Promise<T | undefined> {
    let p = this.memos.get(key) as Promise<T | undefined> | undefined;
    if (!p) {
      p = kubeCall(this.kc, what, call).catch((err: unknown) => {
        if (isNotFound(err)) return undefined;
        throw err;
      });
      this.memos.set(key, p);
    }
    return p;
  }
}
