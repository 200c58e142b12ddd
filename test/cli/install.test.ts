// `weft install` as users run it: its output parses and uses the certificates it is given,
// and bad input (unknown flags, incomplete or mismatched certificate files, bad values) is a
// clear error with exit code 1.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { fixtureDir } from '../helpers/k8s-fixtures.js';
import { runWeft } from '../helpers/weft-process.js';

const f = (name: string): string => join(fixtureDir, name);
const identityFiles = ['--identity-trust-anchors-file', f('trust-anchors.pem'), '--identity-issuer-certificate-file', f('issuer.crt'), '--identity-issuer-key-file', f('issuer.key')];

test('weft install uses the identity certificates given, and generates the webhook ones', async () => {
  const r = await runWeft(['install', ...identityFiles, '--ha', '--image', 'registry.example/weft', '--image-tag', '9.9.9']);
  assert.equal(r.code, 0, r.stderr);
  const objects = parseAllDocuments(r.stdout).map((d) => d.toJS() as { kind: string; metadata: { name: string }; data?: Record<string, string>; spec?: unknown });
  const issuer = objects.find((o) => o.kind === 'Secret' && o.metadata.name === 'weft-identity-issuer');
  const { readFileSync } = await import('node:fs');
  assert.equal(Buffer.from(issuer?.data?.['tls.crt'] ?? '', 'base64').toString(), readFileSync(f('issuer.crt'), 'utf8'));
  assert.match(r.stdout, /image: registry\.example\/weft:9\.9\.9/);
  assert.equal(objects.filter((o) => o.kind === 'PodDisruptionBudget').length, 4, 'one per component: identity, destination, injector, tap');
  const webhook = objects.find((o) => o.kind === 'Secret' && o.metadata.name === 'weft-injector-k8s-tls');
  assert.match(Buffer.from(webhook?.data?.['tls.crt'] ?? '', 'base64').toString(), /BEGIN CERTIFICATE/);
});

test('weft install --crds prints only the CRDs', async () => {
  const r = await runWeft(['install', '--crds']);
  assert.equal(r.code, 0, r.stderr);
  const kinds = parseAllDocuments(r.stdout).map((d) => (d.toJS() as { kind: string }).kind);
  // ServiceProfile (weft.io and linkerd.io) and the policy.weft.io kinds.
  assert.ok(kinds.length > 2, `${kinds.length} documents`);
  assert.deepEqual(new Set(kinds), new Set(['CustomResourceDefinition']));
});

test('weft install refuses bad input with a clear message and exit 1', async () => {
  const cases: [string[], RegExp][] = [
    [['--bogus'], /unknown option '--bogus'/],
    [['--identity-trust-anchors-file', f('trust-anchors.pem')], /give all of --identity-trust-anchors-file, --identity-issuer-certificate-file and --identity-issuer-key-file, or none/],
    [['--identity-trust-anchors-file', f('webhook-ca.crt'), '--identity-issuer-certificate-file', f('issuer.crt'), '--identity-issuer-key-file', f('issuer.key')], /the issuer certificate is not signed by any of the trust anchors/],
    [['--identity-trust-anchors-file', f('trust-anchors.pem'), '--identity-issuer-certificate-file', f('issuer.crt'), '--identity-issuer-key-file', f('webhook.key')], /the issuer key does not match the issuer certificate/],
    [['--identity-trust-anchors-file', f('nope.pem'), '--identity-issuer-certificate-file', f('issuer.crt'), '--identity-issuer-key-file', f('issuer.key')], /cannot read .*nope\.pem/],
    [['--proxy-cpu-request', 'lots'], /proxy cpu request: "lots" is not a Kubernetes quantity.*\(WEFT_ERR_CONFIG\)/],
    [['--image', 'weft:latest'], /image: "weft:latest" must be a repository without tag or digest/],
    [['--identity-issuer-lifetime', '36h'], /give whole days/],
  ];
  for (const [args, expected] of cases) {
    const r = await runWeft(['install', ...args]);
    assert.equal(r.code, 1, `${args.join(' ')}: exit ${r.code}`);
    assert.match(r.stderr, expected, args.join(' '));
    assert.equal(r.stdout, '', 'no partial manifests on stdout');
  }
});
