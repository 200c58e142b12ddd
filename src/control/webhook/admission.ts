// The admission.k8s.io/v1 AdmissionReview shapes the webhooks read and answer (only the
// fields weft uses), and the JSON patch a mutating webhook returns.

export interface AdmissionRequest {
  readonly uid: string;
  readonly kind: { readonly group: string; readonly version: string; readonly kind: string };
  readonly resource?: { readonly group: string; readonly version: string; readonly resource: string };
  readonly namespace?: string;
  readonly name?: string;
  readonly operation: 'CREATE' | 'UPDATE' | 'DELETE' | 'CONNECT';
  readonly object?: unknown;
  readonly dryRun?: boolean;
}

export type JsonPatchOp = { readonly op: 'add' | 'replace' | 'remove'; readonly path: string; readonly value?: unknown };

/** What a handler decides; the server wraps it into the AdmissionReview response. */
export interface AdmissionResult {
  readonly allowed: boolean;
  /** Shown to the client (kubectl prints it) when not allowed. */
  readonly message?: string;
  readonly code?: number;
  readonly patch?: readonly JsonPatchOp[];
  /** Shown by kubectl as "Warning: ...", even when allowed. */
  readonly warnings?: readonly string[];
}

export type AdmissionHandler = (req: AdmissionRequest) => Promise<AdmissionResult>;

export function admissionResponse(uid: string, r: AdmissionResult): Record<string, unknown> {
  const response: Record<string, unknown> = { uid, allowed: r.allowed };
  if (!r.allowed) response['status'] = { code: r.code ?? 400, message: r.message ?? 'denied' };
  if (r.patch && r.patch.length > 0) {
    response['patchType'] = 'JSONPatch';
    response['patch'] = Buffer.from(JSON.stringify(r.patch)).toString('base64');
  }
  if (r.warnings && r.warnings.length > 0) response['warnings'] = [...r.warnings];
  return { apiVersion: 'admission.k8s.io/v1', kind: 'AdmissionReview', response };
}

/** JSON Pointer escaping of one path segment (RFC 6901). */
export function pointer(...segments: string[]): string {
  return segments.map((s) => '/' + s.replace(/~/g, '~0').replace(/\//g, '~1')).join('');
}

/**
 * The patch that turns `before` into `after`, field by field at the given paths: each changed
 * field is set whole ("add" replaces an existing member), each removed one removed. Coarse but
 * exact, and independent of how many containers or annotations a pod has.
 */
export function fieldPatch(before: unknown, after: unknown, paths: readonly (readonly string[])[]): JsonPatchOp[] {
  const get = (o: unknown, path: readonly string[]): unknown => path.reduce<unknown>((v, k) => (v && typeof v === 'object' ? (v as Record<string, unknown>)[k] : undefined), o);
  const ops: JsonPatchOp[] = [];
  for (const path of paths) {
    const a = get(before, path);
    const b = get(after, path);
    if (JSON.stringify(a) === JSON.stringify(b)) continue;
    if (b === undefined) ops.push({ op: 'remove', path: pointer(...path) });
    else ops.push({ op: 'add', path: pointer(...path), value: b });
  }
  return ops;
}
