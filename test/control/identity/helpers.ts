// Shared fixtures for identity tests: temp CA directories and a raw Certify call.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as grpc from '@grpc/grpc-js';
import { loadProto } from '../../../src/api/load.js';
import type { ProtoGrpcType } from '../../../src/api/gen/identity.js';
import type { CertifyRequest } from '../../../src/api/gen/io/linkerd/proxy/identity/CertifyRequest.js';
import type { CertifyResponse__Output } from '../../../src/api/gen/io/linkerd/proxy/identity/CertifyResponse.js';

export async function tempDir(t: { after(fn: () => void | Promise<void>): void }): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'weft-identity-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

export type CertifyResult = { ok: true; res: CertifyResponse__Output } | { ok: false; code: number; details: string };

/** One Certify over TLS trusting `anchorPem` (the identity service's serving name). */
export function certifyRaw(port: number, anchorPem: string, req: CertifyRequest, trustDomain = 'cluster.local'): Promise<CertifyResult> {
  const proto = loadProto('identity.proto') as unknown as ProtoGrpcType;
  const name = `identity.weft.serviceaccount.identity.weft.${trustDomain}`;
  const client = new proto.io.linkerd.proxy.identity.Identity(`127.0.0.1:${port}`, grpc.credentials.createSsl(Buffer.from(anchorPem)), {
    'grpc.ssl_target_name_override': name,
    'grpc.default_authority': name,
  });
  return new Promise<CertifyResult>((resolve) => {
    client.Certify(req, { deadline: Date.now() + 10_000 }, (err, res) => {
      client.close();
      if (err) resolve({ ok: false, code: err.code, details: err.details });
      else resolve({ ok: true, res: res as CertifyResponse__Output });
    });
  });
}
