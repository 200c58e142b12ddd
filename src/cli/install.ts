// `weft install`: prints the control plane's manifests for `kubectl apply -f -` (`--crds`: the
// CRDs only, as Linkerd splits them). Offline: nothing is read from a cluster. Certificates are
// generated unless given (--identity-*-file).
import type { Command } from 'commander';
import { generateIdentityPki, readIdentityPki } from '../runtime/kubernetes/identity-pki.js';
import { renderInstall } from '../runtime/kubernetes/install.js';
import { renderCrds } from '../runtime/kubernetes/manifests/crds.js';
import { toYaml } from '../runtime/kubernetes/manifests/yaml.js';
import { installValues } from '../runtime/kubernetes/values.js';
import { generateWebhookTls } from '../runtime/kubernetes/webhook-tls.js';
import { addInstallOptions, valuesFromFlags } from './install-options.js';
import type { InstallFlags } from './install-options.js';

export function register(program: Command): void {
  const cmd = program
    .command('install')
    .description('print the Kubernetes manifests of the control plane (weft install | kubectl apply -f -)')
    .option('--crds', 'print only the CustomResourceDefinitions');
  addInstallOptions(cmd).action(async (f: InstallFlags & { crds?: boolean }) => {
    const values = installValues(valuesFromFlags(f));
    if (f.crds) {
      process.stdout.write(toYaml(renderCrds(values)));
      return;
    }
    const identity = (await readIdentityPki({
      trustAnchorsFile: f.identityTrustAnchorsFile,
      issuerCertFile: f.identityIssuerCertificateFile,
      issuerKeyFile: f.identityIssuerKeyFile,
    })) ?? (await generateIdentityPki(values));
    const webhook = await generateWebhookTls(values.clusterDomain);
    process.stdout.write(toYaml(renderInstall(values, { identity, webhook })));
  });
}
