// Seeded structural fuzzing of manifests: each mutation replaces, deletes or rewrites one value
// anywhere in a document, and the YAML must load or be refused with a ManifestError that names
// a field. Shared by the policy and the egress manifest tests.
import assert from 'node:assert/strict';
import { stringify } from 'yaml';
import { mulberry32 } from '../../bench/fuzz/mutate.js';
import { ManifestError, parseManifests } from '../../src/control/store/manifest.js';

/** Replaces (with one of `junk`), deletes or descends into one randomly chosen value. */
export function mutateDocument(doc: unknown, r: () => number, junk: readonly unknown[]): unknown {
  if (doc === null || typeof doc !== 'object') return junk[Math.floor(r() * junk.length)];
  const entries: [string | number, unknown][] = Array.isArray(doc) ? doc.map((v, i) => [i, v]) : Object.entries(doc);
  if (entries.length === 0 || r() < 0.15) return junk[Math.floor(r() * junk.length)];
  const [k, v] = entries[Math.floor(r() * entries.length)] as [string | number, unknown];
  const copy: Record<string | number, unknown> | unknown[] = Array.isArray(doc) ? [...doc] : { ...(doc as object) };
  if (r() < 0.2 && !Array.isArray(copy)) delete (copy as Record<string, unknown>)[k];
  else (copy as Record<string | number, unknown>)[k] = mutateDocument(v, r, junk);
  return copy;
}

/**
 * Seeds 1..`count` (a failing case replays from its seed), each mutating `bases[seed % n]` once
 * or twice; asserts every rejection is a ManifestError with a problem and, for an object
 * document, a field path. Returns how many were rejected.
 */
export function fuzzManifests(bases: readonly unknown[], count: number, junk: readonly unknown[]): number {
  let rejected = 0;
  for (let seed = 1; seed <= count; seed++) {
    const r = mulberry32(seed);
    let doc = mutateDocument(bases[seed % bases.length], r, junk);
    if (r() < 0.5) doc = mutateDocument(doc, r, junk);
    const text = stringify(doc);
    try {
      parseManifests(text, 'fuzz.yaml');
    } catch (err) {
      assert.ok(err instanceof ManifestError, `seed ${seed}: ${String(err)}\n${text}`);
      assert.ok(err.problem.length > 0, `seed ${seed}: empty problem`);
      // Only a wholly non-object document has no field path; everything else names one.
      if (doc !== null && typeof doc === 'object' && !Array.isArray(doc)) assert.ok(err.fieldPath.length > 0, `seed ${seed}: no field named: ${err.message}`);
      rejected++;
    }
  }
  return rejected;
}
