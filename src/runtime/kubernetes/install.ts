// `weft install`: every object of the control plane, in the order `kubectl apply` needs them
// (namespace and CRDs first, webhooks last so nothing is sent to an injector not yet running).
// Pure over (values, certificates): certificates are generated or read by the caller, so the
// output is reproducible (golden files) and `weft upgrade` can re-render with the ones in use.
import { renderDeployments, renderDisruptionBudgets, renderServices } from './manifests/components.js';
import { renderConfigMaps, renderIssuerSecret, renderNamespace, renderWebhookSecret } from './manifests/config.js';
import type { WebhookTls } from './manifests/config.js';
import { renderCrds } from './manifests/crds.js';
import { renderHeartbeat } from './manifests/heartbeat.js';
import { renderRbac, renderServiceAccounts } from './manifests/rbac.js';
import { renderWebhooks } from './manifests/webhooks.js';
import type { K8sObject } from './manifests/yaml.js';
import type { IdentityPki } from './identity-pki.js';
import type { InstallValues } from './values.js';

export interface InstallCerts {
  readonly identity: IdentityPki;
  readonly webhook: WebhookTls;
}

export function renderInstall(v: InstallValues, certs: InstallCerts): K8sObject[] {
  return [
    renderNamespace(v),
    ...renderCrds(v),
    ...renderServiceAccounts(v),
    ...renderRbac(v),
    renderIssuerSecret(v, certs.identity),
    renderWebhookSecret(v, certs.webhook),
    ...renderConfigMaps(v, certs.identity.trustAnchorsPem),
    ...renderServices(v),
    ...renderDeployments(v),
    ...renderDisruptionBudgets(v),
    ...renderWebhooks(v, certs.webhook.caPem),
    ...renderHeartbeat(v),
  ];
}
