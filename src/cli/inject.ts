// `weft inject`: adds the proxy to the workloads in YAML files, directories or stdin, with the
// same inject() the admission webhook runs, and prints the result (pipe it to kubectl apply).
// The proxy's configuration comes from --config (the weft-config ConfigMap's config.yaml) or,
// without it, from the cluster weft is installed in.
import { readFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { Option } from 'commander';
import type { InjectorConfig, ProxyMode } from '../control/injector/config.js';
import { PROXY_MODES, parseInjectorConfig } from '../control/injector/config.js';
import { inject } from '../control/injector/inject.js';
import { ConfigError } from '../lib/errors.js';
import { NAMESPACE } from '../runtime/kubernetes/names.js';
import { WEFT_VERSION } from '../runtime/kubernetes/values.js';
import { transformManifests } from '../runtime/kubernetes/workloads.js';
import { readInputs } from './inject-input.js';

interface Flags {
  config?: string;
  kubeconfig?: string;
  proxyMode?: ProxyMode;
}

async function loadConfig(f: Flags): Promise<InjectorConfig> {
  if (f.config) {
    let text: string;
    try {
      text = await readFile(f.config, 'utf8');
    } catch (err) {
      throw new ConfigError(`cannot read ${f.config}: ${(err as Error).message}`, { cause: err });
    }
    return parseInjectorConfig(text, f.config);
  }
  // Loaded only now: offline use (--config) never loads the Kubernetes client.
  const [{ loadKubeConfig }, { readInjectorConfig }] = await Promise.all([import('../lib/kube.js'), import('../runtime/kubernetes/cluster-config.js')]);
  return readInjectorConfig(loadKubeConfig({ kubeconfig: f.kubeconfig }));
}

export function register(program: Command): void {
  program
    .command('inject')
    .description('add the weft proxy to Kubernetes workloads in YAML (files, directories or - for stdin) and print them')
    .argument('<paths...>', 'files, directories or - (stdin)')
    .option('--config <file>', "the injector's config.yaml (default: read from the cluster's weft-config ConfigMap)")
    .option('--kubeconfig <file>', 'kubeconfig, when the config is read from the cluster')
    .addOption(new Option('--proxy-mode <mode>', 'native sidecar (Kubernetes >= 1.29) or classic sidecar (default: native)').choices(PROXY_MODES))
    .action(async (paths: string[], f: Flags) => {
      const inputs = await readInputs(paths);
      const base = await loadConfig(f);
      const config = f.proxyMode ? Object.freeze({ ...base, defaultProxyMode: f.proxyMode }) : base;
      for (const input of inputs) {
        const { output, reports } = transformManifests(input.text, input.source, (pod) => {
          const r = inject(pod, config, { force: true, createdBy: `weft/cli ${WEFT_VERSION}`, controlPlaneNamespace: NAMESPACE });
          return r.injected ? { pod: r.pod, changed: true, note: `injected (${r.mode} sidecar)` } : { pod, changed: false, note: `skipped: ${r.reason}` };
        });
        process.stdout.write(output);
        for (const r of reports) process.stderr.write(`${r.kind.toLowerCase()} "${r.name}" ${r.note}\n`);
      }
    });
}
