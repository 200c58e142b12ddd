// Loads weft's .proto definitions (src/api/proto) with @grpc/proto-loader. The TypeScript
// types for the messages are generated into src/api/gen by `npm run gen:proto`
// (proto-loader-gen-types) and committed, so a build needs no code generator.
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';
import * as protoLoader from '@grpc/proto-loader';
import * as grpc from '@grpc/grpc-js';

/** Directory holding the .proto sources, found from this file in src/ or dist/src/. */
export function protoDir(): string {
  const here = dirname(fileURLToPath(import.meta.url));
  // dist/src/api -> ../../../src/api/proto ; src/api -> ./proto
  return here.includes(`${'/dist/'}`) ? join(here, '..', '..', '..', 'src', 'api', 'proto') : join(here, 'proto');
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
