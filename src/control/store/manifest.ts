// Loads multi-document YAML manifests (`weft apply -f`) into validated resources. Every error
// is a ManifestError naming the file, the document's index and resource, and the field path.
import { readFile } from 'node:fs/promises';
import { parseAllDocuments } from 'yaml';
import { WeftError } from '../../lib/errors.js';
import { FieldError } from './fields.js';
import { validateResource } from './validate.js';
import type { Resource } from './types.js';

export class ManifestError extends WeftError {
  constructor(
    readonly file: string,
    /** 0-based index of the YAML document within the file. */
    readonly document: number,
    /** "Kind namespace/name" when known, else undefined. */
    readonly resource: string | undefined,
    readonly fieldPath: string,
    readonly problem: string,
  ) {
    super('WEFT_ERR_INVALID_MANIFEST',
      `${file}: document ${document}${resource ? ` (${resource})` : ''}: ${fieldPath ? `${fieldPath}: ` : ''}${problem}`);
  }
}

function nameOf(doc: unknown): string | undefined {
  if (!doc || typeof doc !== 'object') return undefined;
  const d = doc as Record<string, unknown>;
  const m = (d['metadata'] ?? {}) as Record<string, unknown>;
  if (typeof d['kind'] !== 'string' || typeof m['name'] !== 'string') return undefined;
  return `${d['kind']} ${typeof m['namespace'] === 'string' ? m['namespace'] : 'default'}/${m['name']}`;
}

/** Parses manifests from text; `file` is only used in error messages. Empty documents are skipped. */
export function parseManifests(text: string, file: string): Resource[] {
  const out: Resource[] = [];
  parseAllDocuments(text).forEach((doc, i) => {
    if ('errors' in doc && doc.errors.length > 0) {
      throw new ManifestError(file, i, undefined, '', `invalid YAML: ${doc.errors[0]?.message ?? 'parse error'}`);
    }
    const value: unknown = doc.toJS();
    if (value === null || value === undefined) return;
    try {
      // A `kind: List` wrapper (kubectl get -o yaml) holds its resources in items.
      const v = value as Record<string, unknown>;
      const items = v['kind'] === 'List' && Array.isArray(v['items']) ? v['items'] : [value];
      for (const item of items) out.push(validateResource(item));
    } catch (err) {
      if (err instanceof FieldError) throw new ManifestError(file, i, nameOf(value), err.path, err.problem);
      throw err;
    }
  });
  return out;
}

export async function loadManifestFile(file: string): Promise<Resource[]> {
  let text: string;
  try {
    text = file === '-' ? await readStdin() : await readFile(file, 'utf8');
  } catch (err) {
    throw new ManifestError(file, 0, undefined, '', `cannot read: ${(err as Error).message}`);
  }
  return parseManifests(text, file);
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of process.stdin) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}
