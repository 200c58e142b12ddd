// `weft viz profile --tap`: a ServiceProfile from observed traffic, as `linkerd viz profile
// --tap` makes one — a route per distinct (method, path) seen, its pathRegex the path with
// regex characters escaped (query strings dropped), routes sorted. Pure; the CLI collects.
import { stringify } from 'yaml';
import type { TapEventJson } from '../control/tap/event-json.js';

export class ObservedRoutes {
  private readonly seen = new Map<string, { method: string; path: string }>();

  add(e: TapEventJson): void {
    if (e.type !== 'requestInit' || !e.method || !e.path) return;
    const path = e.path.split('?')[0] ?? e.path;
    this.seen.set(`${e.method} ${path}`, { method: e.method, path });
  }

  get size(): number {
    return this.seen.size;
  }

  routes(): { method: string; path: string }[] {
    return [...this.seen.values()].sort((a, b) => a.path.localeCompare(b.path) || a.method.localeCompare(b.method));
  }
}

function escapeRegex(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** The ServiceProfile (YAML) for service `name` in `namespace` with the observed routes. */
export function profileYaml(name: string, namespace: string, clusterDomain: string, routes: readonly { method: string; path: string }[]): string {
  const doc = {
    apiVersion: 'linkerd.io/v1alpha2',
    kind: 'ServiceProfile',
    metadata: { name: `${name}.${namespace}.svc.${clusterDomain}`, namespace },
    spec: {
      routes: routes.map((r) => ({ name: `${r.method} ${r.path}`, condition: { method: r.method, pathRegex: escapeRegex(r.path) } })),
    },
  };
  return stringify(doc);
}
