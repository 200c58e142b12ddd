// The zero-trust example of docs/policy.md (examples/demo/policy.yaml) against the demo's own
// workloads: what the policy controller answers for each demo pod, decoded and decided by the
// proxy's own code, for the identities of the demo's service accounts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseManifests } from '../../src/control/store/manifest.js';
import { LocalStore } from '../../src/control/store/local-store.js';
import { PolicyIndex } from '../../src/control/policy/policy-index.js';
import { inboundServer } from '../../src/control/policy/inbound.js';
import { DEFAULT_POLICY_OPTIONS } from '../../src/control/policy/service.js';
import { loadMeshFile } from '../../src/runtime/local/mesh-file.js';
import { storeResources } from '../../src/runtime/local/store-sync.js';
import { decodeServer } from '../../src/proxy/policy/decode.js';
import { authorize, makeClient, type Client } from '../../src/proxy/policy/authorize.js';
import { matchRoute } from '../../src/proxy/policy/http-route-match.js';
import * as protoLoader from '@grpc/proto-loader';
import { LOADER_OPTIONS, protoDir } from '../../src/api/load.js';
import type { Server__Output } from '../../src/api/gen/io/linkerd/proxy/inbound/Server.js';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const id = (sa: string) => `spiffe://cluster.local/ns/demo/sa/${sa}`;

test('the demo zero-trust policy: catalog and voting admit web only, web admits anyone, probes reach catalog', async (t) => {
  const mesh = await loadMeshFile(join(ROOT, 'examples/demo/mesh.yaml'), { workingDir: ROOT });
  const policy = parseManifests(await readFile(join(ROOT, 'examples/demo/policy.yaml'), 'utf8'), 'policy.yaml');
  const pods = mesh.workloads.map((w) => ({ name: w.name, workload: w, replica: 0 }));
  const dir = await mkdtemp(join(tmpdir(), 'weft-demo-policy-'));
  const store = await LocalStore.open(dir, { follow: false });
  const index = new PolicyIndex(store);
  t.after(async () => {
    index.close();
    await store.close();
    await rm(dir, { recursive: true, force: true });
  });
  await store.apply([...storeResources(mesh, [], pods, () => ({ ip: '10.0.0.1', port: 1 })), ...policy]);
  await index.ready;
  await new Promise((r) => setTimeout(r, 10));
  // Round-trip through the wire format, as the proxy receives it.
  const type = protoLoader.loadSync(join(protoDir(), 'inbound.proto'), { ...LOADER_OPTIONS, longs: String, includeDirs: [protoDir()] });
  const codec = type['io.linkerd.proxy.inbound.Server'] as unknown as { serialize: (v: unknown) => Buffer; deserialize: (b: Buffer) => Server__Output };
  const wire = (ns: string, pod: string, port: number) => {
    const msg = inboundServer(index, { namespace: ns, pod }, port, DEFAULT_POLICY_OPTIONS);
    return decodeServer(codec.deserialize(codec.serialize(msg)));
  };
  const allowed = (p: ReturnType<typeof wire>, path: string, client: Client) => {
    const m = matchRoute(p.routes, { method: 'GET', path, query: '', host: '', header: () => undefined });
    assert.ok(m, `no route for ${path}`);
    return authorize(m.route.authorizations, client)?.labels.name;
  };
  const web = makeClient(true, id('web'), '10.0.0.2');
  const bot = makeClient(true, id('vote-bot'), '10.0.0.3');
  const probe = makeClient(false, '', '10.0.0.254');
  const catalog = wire('demo', 'catalog', 7081);
  assert.equal(catalog.server.name, 'catalog-http');
  assert.equal(allowed(catalog, '/items', web), 'catalog-from-web');
  assert.equal(allowed(catalog, '/items', bot), undefined);
  assert.equal(allowed(catalog, '/items', probe), undefined);
  assert.equal(allowed(catalog, '/healthz', probe), 'catalog-probes');
  const voting = wire('demo', 'voting', 7082);
  assert.equal(voting.protocol, 'grpc');
  assert.equal(authorize(voting.authorizations, web)?.labels.name, 'voting-from-web');
  assert.equal(authorize(voting.authorizations, bot), undefined);
  const webSrv = wire('demo', 'web', 7080);
  assert.equal(allowed(webSrv, '/', bot), 'all-unauthenticated');
  assert.equal(allowed(webSrv, '/', probe), 'all-unauthenticated');
});
