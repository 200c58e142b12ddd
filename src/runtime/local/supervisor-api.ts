// The supervisor's API: small JSON over HTTP on a unix socket in the state directory (private,
// like the directory), for the commands that change a running mesh — `weft apply` / `delete`
// (live changes) and `weft down` (stop everything). The server side maps weft's typed errors to
// a status and `{ error: { code, message } }`; the client turns that back into a WeftError with
// the same code, so the CLI's one rescue prints it like any other.
import http from 'node:http';
import { rm } from 'node:fs/promises';
import { WeftError } from '../../lib/errors.js';

export class SupervisorUnavailableError extends WeftError {
  constructor(socket: string, why: string) {
    super('WEFT_ERR_SUPERVISOR_UNAVAILABLE', `the mesh's supervisor does not answer on ${socket} (${why}); is the mesh up? (weft ps)`);
  }
}

export interface ApplyRequest {
  /** The manifests (a mesh file's text). */
  readonly text: string;
  /** For errors ("mesh.yaml: Deployment demo/web: ..."). */
  readonly file: string;
  /** Where relative commands in the file start. */
  readonly workingDir: string;
  /** Also remove what the mesh has and the file does not name. */
  readonly prune?: boolean;
}

export interface ShutdownResult {
  readonly lines: readonly string[];
  readonly stopped: number;
  readonly namespaces: readonly string[];
}

export interface SupervisorHandlers {
  apply(r: ApplyRequest): Promise<readonly string[]>;
  delete(r: ApplyRequest): Promise<readonly string[]>;
  /** Stops everything; the lines say what was removed. The process exits after answering. */
  shutdown(): Promise<ShutdownResult>;
}

const MAX_BODY = 4 * 1024 * 1024;

function readJson(req: http.IncomingMessage): Promise<unknown> {
  return new Promise((resolve, reject) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (c: string) => {
      body += c;
      if (body.length > MAX_BODY) req.destroy(new WeftError('WEFT_ERR_TOO_LARGE', 'request body over 4 MiB'));
    });
    req.on('end', () => {
      try {
        resolve(body ? JSON.parse(body) : {});
      } catch {
        reject(new WeftError('WEFT_ERR_BAD_REQUEST', 'body is not JSON'));
      }
    });
    req.on('error', reject);
  });
}

function statusOf(err: unknown): number {
  const code = err instanceof WeftError ? err.code : '';
  if (['WEFT_ERR_INVALID_MESH_FILE', 'WEFT_ERR_PORT_CONFLICT', 'WEFT_ERR_BAD_REQUEST', 'WEFT_ERR_CONFIG', 'WEFT_ERR_INVALID_MANIFEST'].includes(code)) return 400;
  if (code === 'WEFT_ERR_SHUTTING_DOWN') return 503;
  return 500;
}

function applyRequest(v: unknown): ApplyRequest {
  const o = (v ?? {}) as Record<string, unknown>;
  if (typeof o['text'] !== 'string' || typeof o['file'] !== 'string' || typeof o['workingDir'] !== 'string') {
    throw new WeftError('WEFT_ERR_BAD_REQUEST', 'expected { text, file, workingDir }');
  }
  return { text: o['text'], file: o['file'], workingDir: o['workingDir'], prune: o['prune'] === true };
}

export interface SupervisorServer {
  close(): Promise<void>;
}

export async function serveSupervisorApi(socket: string, h: SupervisorHandlers, onShutdownAnswered: () => void): Promise<SupervisorServer> {
  await rm(socket, { force: true });
  const server = http.createServer((req, res) => {
    const send = (status: number, body: unknown): void => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body) + '\n');
    };
    const route = `${req.method} ${req.url}`;
    void (async () => {
      try {
        if (route === 'GET /v1/status') return send(200, { pid: process.pid });
        if (route === 'POST /v1/apply') return send(200, { lines: await h.apply(applyRequest(await readJson(req))) });
        if (route === 'POST /v1/delete') return send(200, { lines: await h.delete(applyRequest(await readJson(req))) });
        if (route === 'POST /v1/shutdown') {
          const result = await h.shutdown();
          res.once('finish', onShutdownAnswered);
          return send(200, result);
        }
        send(404, { error: { code: 'WEFT_ERR_NOT_FOUND', message: `no route ${route}` } });
      } catch (err) {
        send(statusOf(err), { error: { code: err instanceof WeftError ? err.code : 'WEFT_ERR_INTERNAL', message: (err as Error).message } });
      }
    })();
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(socket, () => resolve());
  });
  return { close: () => new Promise((r) => server.close(() => r())) };
}

/** One call to the supervisor; its errors come back as WeftErrors with their codes. */
export function callSupervisor<T>(socket: string, method: 'GET' | 'POST', path: string, body?: unknown, timeoutMs = 120_000): Promise<T> {
  return new Promise((resolve, reject) => {
    const req = http.request({ socketPath: socket, method, path, headers: { 'content-type': 'application/json' }, timeout: timeoutMs }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (text += c));
      res.on('end', () => {
        let v: { error?: { code: string; message: string } };
        try {
          v = JSON.parse(text) as typeof v;
        } catch {
          return reject(new SupervisorUnavailableError(socket, `answered ${res.statusCode} without JSON`));
        }
        if (res.statusCode === 200) resolve(v as T);
        else reject(new WeftError(v.error?.code ?? 'WEFT_ERR_INTERNAL', v.error?.message ?? `status ${res.statusCode}`));
      });
    });
    req.once('timeout', () => req.destroy(new SupervisorUnavailableError(socket, `no answer in ${timeoutMs} ms`)));
    req.once('error', (err) => reject(err instanceof WeftError ? err : new SupervisorUnavailableError(socket, (err as NodeJS.ErrnoException).code ?? err.message)));
    req.end(body === undefined ? undefined : JSON.stringify(body));
  });
}
