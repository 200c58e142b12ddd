// weft-webhooks-and-apisvc-tls: the webhooks' certificate is valid, names the injector's
// Service and is the one their caBundle vouches for; the injector has somewhere to be called;
// and (unless --no-dry-run) the API server really calls every webhook: a pod created with
// server-side dry run comes back with the proxy, an invalid ServiceProfile and an invalid
// AuthorizationPolicy are refused.
import { randomBytes } from 'node:crypto';
import type { V1Pod } from '@kubernetes/client-node';
import { INJECT_ANNOTATION, INJECT_ENABLED, PROXY_CONTAINER } from '../../../control/injector/annotations.js';
import { isNotFound } from '../../../lib/kube.js';
import { x509 } from '../../../lib/x509.js';
import { INJECTOR_TLS_SECRET, MUTATING_WEBHOOK, NAMESPACE, SERVICE, VALIDATING_WEBHOOK } from '../names.js';
import type { CheckContext } from './context.js';
import { EXPIRY_WARNING_MS, expiresIn, injectorConfig, secretField } from './reads.js';
import type { Category } from './types.js';
import { CheckFailure, CheckWarning } from './types.js';

/** Where the dry-run checks create their (never stored) objects. */
export const DRY_RUN_NAMESPACE = 'default';
const RENEW = 'weft upgrade | kubectl apply -f - issues a new webhook certificate when it expires within 30 days or is unusable; then restart the injector (kubectl -n weft rollout restart deploy/weft-injector)';

async function servingCert(ctx: CheckContext): Promise<x509.X509Certificate> {
  const pem = await secretField(ctx, INJECTOR_TLS_SECRET, 'tls.crt');
  try {
    return new x509.X509Certificate(pem);
  } catch {
    throw new CheckFailure(`secret ${NAMESPACE}/${INJECTOR_TLS_SECRET} tls.crt is not a PEM certificate`);
  }
}

async function caBundles(ctx: CheckContext): Promise<{ name: string; pem: string }[]> {
  const m = await ctx.read('mwc', `read ${MUTATING_WEBHOOK}`, () => ctx.admission.readMutatingWebhookConfiguration({ name: MUTATING_WEBHOOK }));
  const v = await ctx.read('vwc', `read ${VALIDATING_WEBHOOK}`, () => ctx.admission.readValidatingWebhookConfiguration({ name: VALIDATING_WEBHOOK }));
  const out: { name: string; pem: string }[] = [];
  for (const w of [...(m?.webhooks ?? []), ...(v?.webhooks ?? [])]) {
    const b = w.clientConfig.caBundle;
    out.push({ name: w.name, pem: b ? Buffer.from(b, 'base64').toString('utf8') : '' });
  }
  if (out.length < 2) throw new CheckFailure('the webhook configurations are missing (see weft-config above)');
  return out;
}

async function signedBy(cert: x509.X509Certificate, bundlePem: string): Promise<boolean> {
  let cas: x509.X509Certificate[];
  try {
    cas = x509.PemConverter.decode(bundlePem).map((d) => new x509.X509Certificate(d));
  } catch {
    return false;
  }
  for (const ca of cas) if (await cert.verify({ publicKey: ca.publicKey, signatureOnly: true })) return true;
  return false;
}

async function dryRunNamespaceExists(ctx: CheckContext): Promise<void> {
  if (!(await ctx.read(`ns/${DRY_RUN_NAMESPACE}`, `read namespace ${DRY_RUN_NAMESPACE}`, () => ctx.core.readNamespace({ name: DRY_RUN_NAMESPACE })))) {
    throw new CheckWarning(`namespace ${DRY_RUN_NAMESPACE} does not exist: cannot try the webhooks`, 'create it, or run weft check --no-dry-run');
  }
}

/**
 * Creates an invalid object with server-side dry run (never stored): passes when the API server
 * refuses it with `field` named (the validator answered), fails when it is accepted.
 */
async function refusedOnDryRun(
  ctx: CheckContext,
  api: { group: string; version: string; plural: string },
  o: { kind: string; name: string; spec: unknown; field: RegExp },
): Promise<void> {
  await dryRunNamespaceExists(ctx);
  const body = { apiVersion: `${api.group}/${api.version}`, kind: o.kind, metadata: { name: o.name, namespace: DRY_RUN_NAMESPACE }, spec: o.spec };
  try {
    await ctx.custom.createNamespacedCustomObject({ ...api, namespace: DRY_RUN_NAMESPACE, body, dryRun: 'All' });
  } catch (err) {
    const text = `${String((err as { body?: unknown }).body ?? '')} ${(err as Error).message}`;
    if (o.field.test(text)) return;
    // An install older than the kind (or CRDs deleted): say which CRD, not "404".
    if (isNotFound(err)) throw new CheckFailure(`CRD ${api.plural}.${api.group} is not installed`, 'weft upgrade | kubectl apply -f - installs it');
    throw err;
  }
  throw new CheckFailure(`an invalid ${o.kind} was accepted`);
}

export const weftWebhooks: Category = {
  name: 'weft-webhooks-and-apisvc-tls',
  checks: [
    {
      description: 'injector webhook certificate is valid and names its Service',
      hint: RENEW,
      run: async (ctx) => {
        const cert = await servingCert(ctx);
        if (cert.notAfter.getTime() <= ctx.now || cert.notBefore.getTime() > ctx.now + 60_000) {
          throw new CheckFailure(`the certificate is valid from ${cert.notBefore.toISOString()} to ${cert.notAfter.toISOString()}`);
        }
        const names = new Set(cert.getExtension(x509.SubjectAlternativeNameExtension)?.names.items.map((n) => n.value) ?? []);
        const need = `${SERVICE.injector}.${NAMESPACE}.svc`;
        if (!names.has(need)) throw new CheckFailure(`the certificate does not name ${need} (it names ${[...names].join(', ') || 'nothing'})`);
      },
    },
    {
      description: 'injector webhook certificate is valid for at least 60 days',
      hint: RENEW,
      run: async (ctx) => {
        const left = (await servingCert(ctx)).notAfter.getTime() - ctx.now;
        if (left < EXPIRY_WARNING_MS) throw new CheckWarning(`the webhook certificate ${expiresIn(left)}`);
      },
    },
    {
      description: "webhook configurations' caBundle matches the injector certificate",
      hint: `the API server will refuse the injector's TLS: ${RENEW}, or set each webhook's caBundle to ca.crt of secret ${NAMESPACE}/${INJECTOR_TLS_SECRET}`,
      run: async (ctx) => {
        const cert = await servingCert(ctx);
        const bad: string[] = [];
        for (const b of await caBundles(ctx)) if (!(await signedBy(cert, b.pem))) bad.push(b.name);
        if (bad.length) throw new CheckFailure(`the injector's certificate is not signed by the caBundle of: ${bad.join(', ')}`);
      },
    },
    {
      description: 'injector has ready endpoints',
      hint: `while the injector is down, pods are created without a proxy (failurePolicy: Ignore never blocks them): kubectl -n ${NAMESPACE} get pods; then restart the pods created meanwhile (weft check --proxy lists them)`,
      run: async (ctx) => {
        const l = await ctx.read('injector-slices', 'list injector endpoints', () =>
          ctx.discovery.listNamespacedEndpointSlice({ namespace: NAMESPACE, labelSelector: `kubernetes.io/service-name=${SERVICE.injector}` }));
        const ready = (l?.items ?? []).flatMap((s) => s.endpoints ?? []).filter((e) => e.conditions?.ready !== false);
        if (ready.length === 0) throw new CheckWarning('the injector Service has no ready endpoint: the API server cannot call the webhooks now');
        return `${ready.length} ready`;
      },
    },
    {
      description: 'the API server calls the proxy injector',
      hint: `the API server admits pods without calling the injector (failurePolicy: Ignore): look for "failed calling webhook" in its log; check the caBundle and the certificate (above) and kubectl -n ${NAMESPACE} logs deploy/weft-injector`,
      run: async (ctx) => {
        if (!ctx.opts.dryRun) return 'skipped (--no-dry-run)';
        await dryRunNamespaceExists(ctx);
        const c = await injectorConfig(ctx);
        const body: V1Pod = {
          apiVersion: 'v1',
          kind: 'Pod',
          metadata: { name: `weft-check-${randomBytes(4).toString('hex')}`, namespace: DRY_RUN_NAMESPACE, annotations: { [INJECT_ANNOTATION]: INJECT_ENABLED } },
          spec: { containers: [{ name: 'check', image: c.image }] },
        };
        const pod = await ctx.core.createNamespacedPod({ namespace: DRY_RUN_NAMESPACE, body, dryRun: 'All' });
        const names = [...(pod.spec?.initContainers ?? []), ...(pod.spec?.containers ?? [])].map((x) => x.name);
        if (!names.includes(PROXY_CONTAINER)) throw new CheckFailure('a pod annotated for injection was admitted without the proxy');
      },
    },
    {
      description: 'the API server calls the ServiceProfile validator',
      hint: `the API server stores ServiceProfiles without validating them: check the caBundle and certificate (above) and kubectl -n ${NAMESPACE} logs deploy/weft-injector`,
      run: async (ctx) => {
        if (!ctx.opts.dryRun) return 'skipped (--no-dry-run)';
        await refusedOnDryRun(ctx, { group: 'weft.io', version: 'v1alpha1', plural: 'serviceprofiles' }, {
          kind: 'ServiceProfile',
          name: `weft-check-${randomBytes(4).toString('hex')}.${DRY_RUN_NAMESPACE}.svc.cluster.local`,
          spec: { routes: [{ name: 'check', condition: { method: 'NOT A METHOD' } }] },
          field: /condition\.method/,
        });
      },
    },
    {
      description: 'the API server calls the policy validator',
      hint: `the API server stores policy objects without validating them (the destination skips an invalid one and logs why): check the caBundle and certificate (above) and kubectl -n ${NAMESPACE} logs deploy/weft-injector`,
      run: async (ctx) => {
        if (!ctx.opts.dryRun) return 'skipped (--no-dry-run)';
        // An AuthorizationPolicy without its targetRef.
        await refusedOnDryRun(ctx, { group: 'policy.weft.io', version: 'v1alpha1', plural: 'authorizationpolicies' }, {
          kind: 'AuthorizationPolicy',
          name: `weft-check-${randomBytes(4).toString('hex')}`,
          spec: { requiredAuthenticationRefs: [] },
          field: /spec\.targetRef/,
        });
      },
    },
  ],
};
