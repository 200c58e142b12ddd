// `weft upgrade`: prints the manifests of the upgraded install for `kubectl apply -f -` (the
// installed options with the flags given laid over them; certificates kept) and, on stderr,
// what applying them changes. `--diff` prints only the changes.
import type { Command } from 'commander';
import { toYaml } from '../runtime/kubernetes/manifests/yaml.js';
import { addInstallOptions, valuesFromFlags } from './install-options.js';
import type { InstallFlags } from './install-options.js';
import { ConfigError } from '../lib/errors.js';

export function register(program: Command): void {
  const cmd = program
    .command('upgrade')
    .description('print the manifests of the upgraded control plane (weft upgrade | kubectl apply -f -) and what changes')
    .option('--diff', 'print only what would change')
    .option('--kubeconfig <file>', 'kubeconfig (default: $KUBECONFIG, ~/.kube/config, in-cluster)');
  addInstallOptions(cmd).action(async (f: InstallFlags & { diff?: boolean; kubeconfig?: string }) => {
    if (f.identityTrustAnchorsFile || f.identityIssuerCertificateFile || f.identityIssuerKeyFile) {
      throw new ConfigError('weft upgrade keeps the identity certificates in use; to replace the issuer, update the weft-identity-issuer Secret');
    }
    const [{ loadKubeConfig }, { planUpgrade, describePlan }] = await Promise.all([import('../lib/kube.js'), import('../runtime/kubernetes/upgrade.js')]);
    const plan = await planUpgrade(loadKubeConfig({ kubeconfig: f.kubeconfig }), valuesFromFlags(f));
    if (f.diff) process.stdout.write(describePlan(plan));
    else {
      process.stderr.write(describePlan(plan));
      process.stdout.write(toYaml(plan.objects));
    }
  });
}
