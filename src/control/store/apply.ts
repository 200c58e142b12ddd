// What `weft apply -f` / `weft delete -f` do: load and validate every file first (nothing is
// written if any document is invalid), then write to or delete from the local store. Returns
// kubectl-style lines ("service/web configured").
import { LocalStore } from './local-store.js';
import { loadManifestFile } from './manifest.js';
import type { Resource } from './types.js';

function label(r: Resource): string {
  return `${r.kind.toLowerCase()}/${r.metadata.name}${r.metadata.namespace === 'default' ? '' : ` -n ${r.metadata.namespace}`}`;
}

export async function applyFiles(stateDir: string, files: readonly string[], mode: 'apply' | 'delete'): Promise<string[]> {
  const resources: Resource[] = [];
  for (const f of files) resources.push(...(await loadManifestFile(f)));
  const store = await LocalStore.open(stateDir, { follow: false });
  try {
    if (mode === 'delete') {
      const keys = resources.map((r) => ({ kind: r.kind, namespace: r.metadata.namespace, name: r.metadata.name }));
      const gone = new Set((await store.delete(keys)).map((k) => `${k.kind}/${k.namespace}/${k.name}`));
      return resources.map((r) => `${label(r)} ${gone.has(`${r.kind}/${r.metadata.namespace}/${r.metadata.name}`) ? 'deleted' : 'not found'}`);
    }
    const existed = await Promise.all(resources.map((r) => store.get(r.kind, r.metadata.namespace, r.metadata.name)));
    await store.apply(resources);
    return resources.map((r, i) => `${label(r)} ${existed[i] ? 'configured' : 'created'}`);
  } finally {
    await store.close();
  }
}
