// `weft viz install` / `weft viz uninstall`: the viz extension on a cluster, as Linkerd's
// `linkerd viz install | kubectl apply -f -` — Prometheus scraping the meshed pods, the metrics
// API and the dashboard, in namespace weft-viz (runtime/kubernetes/viz/). Install is offline
// (nothing read from the cluster); uninstall lists what is there, for `kubectl delete -f -`.
import type { Command } from 'commander';
import { ConfigError } from '../lib/errors.js';
import { toYaml } from '../runtime/kubernetes/manifests/yaml.js';
import { renderVizInstall } from '../runtime/kubernetes/viz/install.js';
import { VIZ_NAMESPACE, VIZ_PART_OF } from '../runtime/kubernetes/viz/names.js';
import { DEFAULT_PROMETHEUS_IMAGE, DEFAULT_VIZ_VALUES, vizValues } from '../runtime/kubernetes/viz/values.js';
import type { VizValues } from '../runtime/kubernetes/viz/values.js';

interface InstallFlags {
  image?: string;
  imageTag?: string;
  imagePullPolicy?: string;
  prometheusImage?: string;
  scrapeInterval: string;
  prometheusRetention?: string;
  prometheusMemoryLimit?: string;
  trustDomain?: string;
  clusterDomain?: string;
  dashboard: boolean;
}

/** --scrape-interval as whole seconds ("10s", "1m" or a number of seconds). */
function seconds(s: string): number {
  const m = /^(\d+)(s|m)?$/.exec(s.trim());
  if (!m) throw new ConfigError(`--scrape-interval ${s}: expected whole seconds or minutes, e.g. 10s, 1m`);
  return Number(m[1]) * (m[2] === 'm' ? 60 : 1);
}

export function valuesFromFlags(f: InstallFlags): VizValues {
  const o: Partial<{ -readonly [K in keyof VizValues]: VizValues[K] }> = { scrapeIntervalSeconds: seconds(f.scrapeInterval), dashboard: f.dashboard };
  if (f.image !== undefined) o.image = f.image;
  if (f.imageTag !== undefined) o.version = f.imageTag;
  if (f.imagePullPolicy !== undefined) o.imagePullPolicy = f.imagePullPolicy as VizValues['imagePullPolicy'];
  if (f.prometheusImage !== undefined) o.prometheusImage = f.prometheusImage;
  if (f.prometheusRetention !== undefined) o.retention = f.prometheusRetention;
  if (f.prometheusMemoryLimit !== undefined) o.prometheusMemoryLimit = f.prometheusMemoryLimit;
  if (f.trustDomain !== undefined) o.trustDomain = f.trustDomain;
  if (f.clusterDomain !== undefined) o.clusterDomain = f.clusterDomain;
  return vizValues(o);
}

export function register(viz: Command): void {
  viz
    .command('install')
    .description(`print the manifests of the viz extension on Kubernetes (weft viz install | kubectl apply -f -): Prometheus, the metrics API and the dashboard in namespace ${VIZ_NAMESPACE}`)
    .option('--image <repo>', `weft image repository, without tag (default ${DEFAULT_VIZ_VALUES.image})`)
    .option('--image-tag <tag>', `weft image tag (default ${DEFAULT_VIZ_VALUES.version})`)
    .option('--image-pull-policy <policy>', 'Always, IfNotPresent or Never')
    .option('--prometheus-image <ref>', `Prometheus image with tag or digest (default ${DEFAULT_PROMETHEUS_IMAGE})`)
    .option('--scrape-interval <duration>', "Prometheus' scrape interval (the shortest -t window is two of them)", `${DEFAULT_VIZ_VALUES.scrapeIntervalSeconds}s`)
    .option('--prometheus-retention <duration>', `how long Prometheus keeps series (default ${DEFAULT_VIZ_VALUES.retention}; in an emptyDir, lost with the pod)`)
    .option('--prometheus-memory-limit <quantity>', 'memory limit of the Prometheus container (default none)')
    .option('--trust-domain <domain>', "the mesh's trust domain (as given to weft install)")
    .option('--cluster-domain <domain>', "the cluster's DNS domain (as given to weft install)")
    .option('--no-dashboard', 'no dashboard beside the metrics API')
    .action((f: InstallFlags) => {
      process.stdout.write(toYaml(renderVizInstall(valuesFromFlags(f))));
    });
  viz
    .command('uninstall')
    .description('print the viz extension\'s objects in the cluster for deletion (weft viz uninstall | kubectl delete -f -)')
    .option('--kubeconfig <file>', 'kubeconfig (default: $KUBECONFIG, ~/.kube/config, in-cluster)')
    .action(async (f: { kubeconfig?: string }) => {
      const [{ loadKubeConfig }, { installedObjects }] = await Promise.all([import('../lib/kube.js'), import('../runtime/kubernetes/uninstall.js')]);
      const objects = await installedObjects(loadKubeConfig({ kubeconfig: f.kubeconfig }), { namespace: VIZ_NAMESPACE, partOf: VIZ_PART_OF });
      if (objects.length === 0) throw new ConfigError('the viz extension is not installed in this cluster: nothing to uninstall');
      process.stdout.write(toYaml(objects));
    });
}
