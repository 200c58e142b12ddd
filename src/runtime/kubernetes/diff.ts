// What `kubectl apply` of a manifest would change in a live object, approximately: the fields
// the manifest sets whose live value differs. Fields only the live object has (defaults the API
// server filled in, status) are not changes, so a fresh install diffs as unchanged.

type Json = Record<string, unknown>;

function isObj(v: unknown): v is Json {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

/**
 * A live object's field: client-node's typed models rename dashed wire keys (a CRD's
 * JSONSchemaProps reads "x-kubernetes-preserve-unknown-fields" as
 * "x_kubernetes_preserve_unknown_fields"), so the other spellings are looked up too.
 */
function liveField(live: Json, k: string): unknown {
  if (k in live || !k.includes('-')) return live[k];
  const snake = k.replace(/-/g, '_');
  return snake in live ? live[snake] : live[k.replace(/-([a-z])/g, (_m, c: string) => c.toUpperCase())];
}

/** Paths (a.b[2].c) where `desired` sets something `live` does not have equal. */
export function changedFields(desired: unknown, live: unknown, path = ''): string[] {
  if (isObj(desired)) {
    if (!isObj(live)) return [path || '<root>'];
    return Object.entries(desired).flatMap(([k, v]) => changedFields(v, liveField(live, k), path ? `${path}.${k}` : k));
  }
  if (Array.isArray(desired)) {
    if (!Array.isArray(live) || live.length !== desired.length) return [path];
    // One entry per changed element at most: "containers[0]" rather than every field below it.
    return desired.flatMap((v, i) => (changedFields(v, live[i], `${path}[${i}]`).length > 0 ? [`${path}[${i}]`] : []));
  }
  return desired === live || String(desired) === String(live) ? [] : [path];
}

/** Fields of a manifest that describe the object (not its identity or bookkeeping). */
export function specOf(o: Json): Json {
  const out: Json = {};
  for (const [k, v] of Object.entries(o)) {
    if (k === 'apiVersion' || k === 'kind' || k === 'status') continue;
    if (k === 'metadata' && isObj(v)) {
      const m: Json = {};
      if (v['labels']) m['labels'] = v['labels'];
      if (v['annotations']) m['annotations'] = v['annotations'];
      out['metadata'] = m;
      continue;
    }
    out[k] = v;
  }
  return out;
}
