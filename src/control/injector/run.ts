// `weft injector` as a library call: the admission webhook server with its handlers — proxy
// injection (/inject), ServiceProfile validation (/validate/serviceprofile) and policy
// validation (/validate/policy) — on the port
// the webhook configurations point at. The proxy mode pods get by default follows the cluster:
// native sidecars from Kubernetes 1.29, classic before.
import { readFile } from 'node:fs/promises';
import { VersionApi } from '@kubernetes/client-node';
import type { Address } from '../../lib/address.js';
import { ConfigError } from '../../lib/errors.js';
import { kubeCall, loadKubeConfig } from '../../lib/kube.js';
import type { Logger } from '../../lib/log.js';
import { policyValidator } from '../validator/policy.js';
import { serviceProfileValidator } from '../validator/serviceprofile.js';
import { startAdmissionServer } from '../webhook/server.js';
import type { InjectorConfig, ProxyMode } from './config.js';
import { parseInjectorConfig, proxyModeForVersion } from './config.js';
import { watchNamespaceAnnotations } from './namespaces.js';
import { injectorHandler } from './webhook.js';
import { INJECT_PATH, VALIDATE_PATH, VALIDATE_POLICY_PATH } from '../../runtime/kubernetes/names.js';

export interface InjectorOptions {
  readonly listen: Address;
  readonly certFile: string;
  readonly keyFile: string;
  readonly configFile: string;
  readonly kubeconfig?: string | undefined;
  /** Overrides the mode chosen from the cluster's version. */
  readonly proxyMode?: ProxyMode | undefined;
  readonly version: string;
  readonly controlPlaneNamespace: string;
  readonly log?: Logger;
}

export interface RunningInjector {
  readonly port: number;
  readonly config: InjectorConfig;
  close(): Promise<void>;
}

export async function startInjector(o: InjectorOptions): Promise<RunningInjector> {
  let text: string;
  try {
    text = await readFile(o.configFile, 'utf8');
  } catch (err) {
    throw new ConfigError(`cannot read injector config ${o.configFile}: ${(err as Error).message}`, { cause: err });
  }
  const kc = loadKubeConfig({ kubeconfig: o.kubeconfig });
  let mode = o.proxyMode;
  if (!mode) {
    const v = await kubeCall(kc, 'read the API server version', () => kc.makeApiClient(VersionApi).getCode());
    mode = proxyModeForVersion(Number(v.major), parseInt(v.minor, 10));
    o.log?.info('cluster version', { version: v.gitVersion, defaultProxyMode: mode });
  }
  const config = Object.freeze({ ...parseInjectorConfig(text, o.configFile), defaultProxyMode: mode });
  const namespaces = watchNamespaceAnnotations(kc, o.log?.child('namespaces'));
  try {
    const server = await startAdmissionServer({
      listen: o.listen,
      certFile: o.certFile,
      keyFile: o.keyFile,
      log: o.log,
      handlers: {
        [INJECT_PATH]: injectorHandler({
          config,
          namespaceAnnotations: (name) => namespaces.get(name),
          createdBy: `weft/injector ${o.version}`,
          controlPlaneNamespace: o.controlPlaneNamespace,
          log: o.log?.child('inject'),
        }),
        [VALIDATE_PATH]: serviceProfileValidator(),
        [VALIDATE_POLICY_PATH]: policyValidator(),
      },
    });
    return {
      port: server.port,
      config,
      close: async () => {
        await server.close();
        await namespaces.close();
      },
    };
  } catch (err) {
    await namespaces.close();
    throw err;
  }
}
