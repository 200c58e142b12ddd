// A real grpc-js Echo server and client for tests (test/fixtures/echo.proto).
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';

export interface Msg {
  text: string;
  n: number;
}

const here = dirname(fileURLToPath(import.meta.url));
// dist/test/helpers -> test/fixtures
const protoPath = join(here, '..', '..', '..', 'test', 'fixtures', 'echo.proto');

type EchoCtor = grpc.ServiceClientConstructor;
function echoService(): EchoCtor {
  const def = protoLoader.loadSync(protoPath, { defaults: true });
  const pkg = grpc.loadPackageDefinition(def) as unknown as { weft: { test: { Echo: EchoCtor } } };
  return pkg.weft.test.Echo;
}

/** A status the Unary handler answers with instead of echoing (a test's failure injection). */
export type UnaryFault = (req: Msg) => { code: grpc.status; details: string; afterHeaders?: boolean } | undefined;

/** An Echo server on `host` (a loopback address of the test's choosing) and a free port. */
export async function startGrpcEcho(fault?: UnaryFault, host = '127.0.0.1'): Promise<{ port: number; close: () => Promise<void> }> {
  const Echo = echoService();
  const server = new grpc.Server();
  server.addService(Echo.service, {
    Unary(call: grpc.ServerUnaryCall<Msg, Msg>, cb: grpc.sendUnaryData<Msg>) {
      const injected = fault?.(call.request);
      if (injected) {
        // afterHeaders: a 200 with headers first, the status in the trailers (else trailers-only).
        if (injected.afterHeaders) call.sendMetadata(new grpc.Metadata());
        cb({ code: injected.code, details: injected.details });
        return;
      }
      if (call.request.text === 'fail') {
        cb({ code: grpc.status.FAILED_PRECONDITION, details: 'asked to fail' });
        return;
      }
      call.sendMetadata(new grpc.Metadata());
      cb(null, { text: `echo:${call.request.text}`, n: call.request.n + 1 });
    },
    ServerStream(call: grpc.ServerWritableStream<Msg, Msg>) {
      for (let i = 0; i < call.request.n; i++) call.write({ text: call.request.text, n: i });
      call.end();
    },
    Bidi(call: grpc.ServerDuplexStream<Msg, Msg>) {
      call.on('data', (m: Msg) => call.write({ text: `echo:${m.text}`, n: m.n }));
      call.on('end', () => call.end());
    },
  });
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync(`${host}:0`, grpc.ServerCredentials.createInsecure(), (err, p) => (err ? reject(err) : resolve(p))),
  );
  return { port, close: () => new Promise((r) => server.tryShutdown(() => r())) };
}

export type EchoClient = grpc.Client & {
  Unary(m: Msg, cb: (err: grpc.ServiceError | null, r?: Msg) => void): grpc.ClientUnaryCall;
  ServerStream(m: Msg): grpc.ClientReadableStream<Msg>;
  Bidi(): grpc.ClientDuplexStream<Msg, Msg>;
};

export function echoClient(target: string, options: grpc.ClientOptions = {}): EchoClient {
  const Echo = echoService();
  return new Echo(target, grpc.credentials.createInsecure(), options) as unknown as EchoClient;
}

export function unary(c: EchoClient, m: Msg): Promise<Msg> {
  return new Promise((resolve, reject) => c.Unary(m, (err, r) => (err ? reject(err) : resolve(r as Msg))));
}
