// examples/demo/mesh.yaml and profiles.yaml stay consistent with the demo's code: each
// Deployment starts a real component with an environment its config parser accepts, ports and
// Service addresses agree, and the documents the store understands pass its validation.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseAllDocuments, stringify } from 'yaml';
import { parseManifests } from '../../src/control/store/manifest.js';
import { parseMeshFile } from '../../src/runtime/local/mesh-file.js';
import {
  parseCatalogConfig, parseServiceAddress, parseVoteBotConfig, parseVotingConfig, parseWebConfig,
} from '../../examples/demo/config.js';
import { COMPONENTS } from '../../examples/demo/main.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const DEMO = join(ROOT, 'examples', 'demo');

interface Doc {
  kind: string;
  apiVersion: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string> };
  spec?: Record<string, unknown>;
}
interface Container {
  name: string;
  command: string[];
  env?: { name: string; value: string }[];
  ports?: { name: string; containerPort: number }[];
}
interface DeploymentSpec {
  selector: { matchLabels: Record<string, string> };
  template: { metadata: { labels: Record<string, string> }; spec: { serviceAccountName: string; containers: Container[] } };
}
interface ServiceSpec {
  selector: Record<string, string>;
  ports: { name: string; port: number; targetPort: string | number }[];
}

function load(file: string): Doc[] {
  return parseAllDocuments(readFileSync(join(DEMO, file), 'utf8')).map((d) => {
    assert.equal(d.errors.length, 0, `${file}: ${d.errors[0]?.message ?? ''}`);
    return d.toJS() as Doc;
  });
}

const docs = load('mesh.yaml');
const deployments = docs.filter((d) => d.kind === 'Deployment');
const services = docs.filter((d) => d.kind === 'Service');
const parsers = { web: parseWebConfig, catalog: parseCatalogConfig, voting: parseVotingConfig, 'vote-bot': parseVoteBotConfig };

test('mesh.yaml: one Deployment per component, started by main.js with an environment it accepts', () => {
  assert.deepEqual(deployments.map((d) => d.metadata.name).sort(), [...COMPONENTS].sort());
  const accounts = new Set(docs.filter((d) => d.kind === 'ServiceAccount').map((d) => d.metadata.name));
  for (const d of deployments) {
    assert.equal(d.metadata.namespace, 'demo');
    const spec = d.spec as unknown as DeploymentSpec;
    for (const [k, v] of Object.entries(spec.selector.matchLabels)) assert.equal(spec.template.metadata.labels[k], v);
    assert.ok(accounts.has(spec.template.spec.serviceAccountName), `${d.metadata.name}: service account`);
    const [c] = spec.template.spec.containers;
    assert.ok(c);
    const component = d.metadata.name as keyof typeof parsers;
    assert.deepEqual(c.command, ['node', 'dist/examples/demo/main.js', component]);
    assert.ok(existsSync(join(ROOT, c.command[1] as string)), 'main.js is built where the command expects it');
    const env = Object.fromEntries((c.env ?? []).map((e) => [e.name, e.value]));
    const cfg = parsers[component](env);
    if ('listen' in cfg) assert.deepEqual(c.ports?.map((p) => p.containerPort), [cfg.listen.port]);
  }
});

test('mesh.yaml: Services select a workload, target its named port, and are what callers address', () => {
  const byName = new Map(deployments.map((d) => [d.metadata.name, d.spec as unknown as DeploymentSpec]));
  const endpoints = new Set<string>();
  for (const s of services) {
    const spec = s.spec as unknown as ServiceSpec;
    const target = [...byName.values()].find((d) => Object.entries(spec.selector).every(([k, v]) => d.template.metadata.labels[k] === v));
    assert.ok(target, `${s.metadata.name} selects a Deployment`);
    const ports = target.template.spec.containers[0]?.ports ?? [];
    for (const p of spec.ports) {
      assert.ok(ports.some((cp) => cp.name === p.targetPort || cp.containerPort === p.targetPort), `${s.metadata.name}:${p.port}`);
      endpoints.add(`${s.metadata.name}.${s.metadata.namespace ?? 'default'}:${p.port}`);
    }
  }
  const addressed = deployments.flatMap((d) => (d.spec as unknown as DeploymentSpec).template.spec.containers[0]?.env ?? [])
    .filter((e) => /^(CATALOG|VOTING|WEB)_ADDR$/.test(e.name));
  assert.equal(addressed.length, 3);
  for (const e of addressed) {
    const a = parseServiceAddress(e.value);
    assert.ok(endpoints.has(`${a.host}:${a.port}`), `${e.name}=${e.value} names a Service port`);
  }
});

test('the Services in mesh.yaml and the ServiceProfiles in profiles.yaml pass the store\'s validation', () => {
  const storeKinds = docs.filter((d) => d.kind === 'Service');
  const parsed = parseManifests(storeKinds.map((d) => stringify(d)).join('---\n'), 'mesh.yaml');
  assert.deepEqual(parsed.map((r) => `${r.metadata.namespace}/${r.metadata.name}`), ['demo/web', 'demo/catalog', 'demo/voting']);
  const profiles = parseManifests(readFileSync(join(DEMO, 'profiles.yaml'), 'utf8'), 'profiles.yaml');
  assert.deepEqual(profiles.map((r) => r.metadata.name), [
    'web.demo.svc.cluster.local', 'catalog.demo.svc.cluster.local', 'voting.demo.svc.cluster.local',
  ]);
});

test('the local runtime parser accepts mesh.yaml: four injected workloads, three Services, distinct ports', () => {
  const mesh = parseMeshFile(readFileSync(join(DEMO, 'mesh.yaml'), 'utf8'), 'mesh.yaml', { workingDir: ROOT });
  assert.deepEqual(mesh.workloads.map((w) => [w.name, w.namespace, w.serviceAccount, w.inject]), [
    ['catalog', 'demo', 'catalog', true], ['voting', 'demo', 'voting', true],
    ['web', 'demo', 'web', true], ['vote-bot', 'demo', 'vote-bot', true],
  ]);
  assert.deepEqual(mesh.services.map((s) => s.service.metadata.name), ['web', 'catalog', 'voting']);
  // In the loopback fallback all workloads share the host's ports: they must differ.
  const ports = mesh.workloads.flatMap((w) => w.ports.map((p) => p.containerPort));
  assert.equal(new Set(ports).size, ports.length);
});
