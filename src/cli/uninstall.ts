// `weft uninstall`: prints every object of the install found in the cluster, for
// `weft uninstall | kubectl delete -f -`. Thin: see runtime/kubernetes/uninstall.ts.
import type { Command } from 'commander';
import { ConfigError } from '../lib/errors.js';
import { toYaml } from '../runtime/kubernetes/manifests/yaml.js';

export function register(program: Command): void {
  program
    .command('uninstall')
    .description("print weft's objects in the cluster for deletion (weft uninstall | kubectl delete -f -)")
    .option('--kubeconfig <file>', 'kubeconfig (default: $KUBECONFIG, ~/.kube/config, in-cluster)')
    .action(async (f: { kubeconfig?: string }) => {
      const [{ loadKubeConfig }, { installedObjects }] = await Promise.all([import('../lib/kube.js'), import('../runtime/kubernetes/uninstall.js')]);
      const objects = await installedObjects(loadKubeConfig({ kubeconfig: f.kubeconfig }));
      if (objects.length === 0) throw new ConfigError('weft is not installed in this cluster: nothing to uninstall');
      process.stdout.write(toYaml(objects));
    });
}
