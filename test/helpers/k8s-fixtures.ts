// Fixed certificates (test/fixtures/k8s, made by generate.mjs there) so install and inject
// output is the same on every run, and the injector config an install with them carries.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { injectorConfigDocument } from '../../src/control/injector/config.js';
import type { InstallCerts } from '../../src/runtime/kubernetes/install.js';
import { injectorConfig } from '../../src/runtime/kubernetes/manifests/config.js';
import { installValues } from '../../src/runtime/kubernetes/values.js';
import { repoRoot } from './golden.js';

export const fixtureDir = join(repoRoot, 'test', 'fixtures', 'k8s');
const read = (name: string): string => readFileSync(join(fixtureDir, name), 'utf8');

export function fixtureCerts(): InstallCerts {
  return {
    identity: { trustAnchorsPem: read('trust-anchors.pem'), issuerCertPem: read('issuer.crt'), issuerKeyPem: read('issuer.key') },
    webhook: { caPem: read('webhook-ca.crt'), cert: { certPem: read('webhook.crt'), keyPem: read('webhook.key') } },
  };
}

/** config.yaml as `weft install` (default options, fixture certificates) writes it into weft-config. */
export function fixtureInjectorConfigYaml(): string {
  return stringify(injectorConfigDocument(injectorConfig(installValues(), read('trust-anchors.pem'))), { lineWidth: 0 });
}

/**
 * A one-replica Deployment for a test API server whose pods never run (the test creates and
 * marks them): an `app` container and, with `proxyPorts`, a `weft-proxy` sidecar declaring
 * those named container ports, as the injector would. Ends with a document separator.
 */
export function fakeDeploymentYaml(namespace: string, name: string, opts: { appImage?: string; proxyPorts?: Record<string, number>; podLabels?: Record<string, string> } = {}): string {
  const containers: object[] = [{ name: 'app', image: opts.appImage ?? `example.invalid/${name}:1` }];
  if (opts.proxyPorts) {
    containers.push({ name: 'weft-proxy', image: 'example.invalid/weft:1', ports: Object.entries(opts.proxyPorts).map(([n, containerPort]) => ({ name: n, containerPort })) });
  }
  return stringify({
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, namespace },
    spec: {
      replicas: 1,
      selector: { matchLabels: { app: name } },
      template: { metadata: { labels: { app: name, ...opts.podLabels } }, spec: { containers } },
    },
  }) + '---\n';
}
