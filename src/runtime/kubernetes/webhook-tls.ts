// The admission webhooks' TLS: a CA (its certificate is the webhooks' caBundle) and the
// injector's serving certificate for its Service's DNS names, made at install time and kept
// in the weft-injector-k8s-tls Secret (so `weft upgrade` can keep using them).
import { createServingCa, signServingCert } from '../../lib/serving-cert.js';
import type { WebhookTls } from './manifests/config.js';
import { NAMESPACE, SERVICE } from './names.js';

const DAY_MS = 24 * 3600_000;
export const WEBHOOK_CERT_LIFETIME_MS = 365 * DAY_MS;

/** The names the API server may use for the injector's Service (it dials <svc>.<ns>.svc). */
export function webhookDnsNames(clusterDomain: string): string[] {
  const svc = SERVICE.injector;
  return [`${svc}.${NAMESPACE}.svc`, `${svc}.${NAMESPACE}.svc.${clusterDomain}`, `${svc}.${NAMESPACE}`, svc];
}

export async function generateWebhookTls(clusterDomain: string, now = Date.now()): Promise<WebhookTls> {
  const ca = await createServingCa('webhook.weft.io', { now, lifetimeMs: 10 * 365 * DAY_MS });
  const cert = await signServingCert(ca, { dnsNames: webhookDnsNames(clusterDomain) }, { now, lifetimeMs: WEBHOOK_CERT_LIFETIME_MS });
  return { caPem: ca.certPem, cert };
}
