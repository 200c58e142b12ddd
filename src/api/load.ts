// Loads weft's .proto definitions (src/api/proto) with @grpc/proto-loader. The TypeScript
// types for the messages are generated into src/api/gen by `npm run gen:proto`
// (proto-loader-gen-types) and committed, so a build needs no code generator.
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';
import { existsSync } from 'node:fs';
import * as protoLoader from '@grpc/proto-loader';
import * as grpc from '@grpc/grpc-js';

/**
 * Directory holding the .proto sources (src/api/proto), found from this module: in src/api,
 * dist/src/api, or the proxy's bundle (dist/proxy and its chunks).
 */
export function protoDir(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  if (existsSync(join(dir, 'proto', 'identity.proto'))) return join(dir, 'proto');
  for (let i = 0; i < 5; i++) {
    const candidate = join(dir, 'src', 'api', 'proto');
    if (existsSync(join(candidate, 'identity.proto'))) return candidate;
    dir = dirname(dir);
  }
  throw new Error(`src/api/proto not found above ${fileURLToPath(import.meta.url)}`);
}

export const LOADER_OPTIONS: protoLoader.Options = {
  keepCase: false,
  longs: Number,
  enums: String,
  defaults: true,
  oneofs: true,
};

/** Loads one .proto file (relative to src/api/proto) as a grpc-js package definition. */
export function loadProto(file: string): grpc.GrpcObject {
  const def = protoLoader.loadSync(join(protoDir(), file), { ...LOADER_OPTIONS, includeDirs: [protoDir()] });
  return grpc.loadPackageDefinition(def);
}

/** The APIs a proxy calls or serves: discovery, outbound and inbound policy, tap. */
const PROXY_PROTOS = ['destination.proto', 'outbound.proto', 'inbound.proto', 'tap.proto'];
let proxyApiObject: grpc.GrpcObject | undefined;

/**
 * The proxy's four APIs, loaded once into one root on first use. Loaded file by file, each
 * client parsed and built descriptors for the same shared imports again: 83–90 ms of a meshed
 * proxy's start against 52–55 ms for one load (bench/RESULTS.md, 2026-12-04 16:24). 64-bit
 * fields decode as strings, so IPv6 halves decode exactly.
 */
export function proxyApis(): grpc.GrpcObject {
  proxyApiObject ??= grpc.loadPackageDefinition(protoLoader.loadSync(PROXY_PROTOS.map((f) => join(protoDir(), f)), { ...LOADER_OPTIONS, longs: String, includeDirs: [protoDir()] }));
  return proxyApiObject;
}
