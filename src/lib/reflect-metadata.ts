// Minimal Reflect metadata API (getMetadata, getOwnMetadata, defineMetadata, hasMetadata) for
// tsyringe, a dependency of @peculiar/x509. Installed only if nothing provides it already.
// Imported for its side effect by src/lib/x509.ts, before @peculiar/x509 loads.
type Key = string | symbol;
const store = new WeakMap<object, Map<Key, Map<Key | undefined, unknown>>>();

function own(target: object, prop: Key | undefined, create: boolean): Map<Key, unknown> | undefined {
  let byProp = store.get(target);
  if (!byProp && create) store.set(target, (byProp = new Map()));
  let m = byProp?.get(prop as Key) as Map<Key, unknown> | undefined;
  if (!m && create && byProp) byProp.set(prop as Key, (m = new Map()) as never);
  return m;
}

interface ReflectMetadata {
  getMetadata?: unknown;
}

const R = Reflect as unknown as ReflectMetadata & Record<string, unknown>;
if (typeof R.getMetadata !== 'function') {
  const getOwnMetadata = (key: Key, target: object, prop?: Key): unknown => own(target, prop, false)?.get(key);
  const getMetadata = (key: Key, target: object, prop?: Key): unknown => {
    for (let t: object | null = target; t; t = Object.getPrototypeOf(t) as object | null) {
      const m = own(t, prop, false);
      if (m?.has(key)) return m.get(key);
    }
    return undefined;
  };
  Object.assign(R, {
    getOwnMetadata,
    getMetadata,
    hasOwnMetadata: (key: Key, target: object, prop?: Key) => own(target, prop, false)?.has(key) ?? false,
    hasMetadata: (key: Key, target: object, prop?: Key) => getMetadata(key, target, prop) !== undefined,
    defineMetadata: (key: Key, value: unknown, target: object, prop?: Key) => {
      (own(target, prop, true) as Map<Key, unknown>).set(key, value);
    },
    metadata: (key: Key, value: unknown) => (target: object, prop?: Key) => {
      (own(target, prop, true) as Map<Key, unknown>).set(key, value);
    },
  });
}
