// `weft await [--shutdown] [-- command...]`: waits for the local proxy to be ready, then runs
// the command and exits with its status, asking the proxy to shut down after it with
// --shutdown (Jobs next to a classic sidecar). Without a command: only waits (the classic
// sidecar's postStart hook).
import { spawn } from 'node:child_process';
import { constants } from 'node:os';
import type { Command } from 'commander';
import { shutdownProxy, waitForProxy } from '../runtime/kubernetes/await-proxy.js';
import { parseDuration } from './identity.js';

interface Flags {
  admin: string;
  timeout: string;
  shutdown?: boolean;
}

export function register(program: Command): void {
  program
    .command('await')
    .description('wait for the local proxy to be ready, then run a command (and shut the proxy down after it with --shutdown)')
    .argument('[command...]', 'the command to run once the proxy is ready (after --)')
    .option('--admin <host:port>', "the proxy's admin address", '127.0.0.1:4191')
    .option('--timeout <duration>', 'how long to wait for the proxy', '120s')
    .option('--shutdown', 'POST /shutdown to the proxy once the command has exited')
    .action(async (command: string[], f: Flags) => {
      await waitForProxy(f.admin, parseDuration(f.timeout));
      if (command.length === 0) return;
      const child = spawn(command[0] as string, command.slice(1), { stdio: 'inherit' });
      const forward = (sig: NodeJS.Signals): void => void child.kill(sig);
      process.on('SIGTERM', forward);
      process.on('SIGINT', forward);
      const code = await new Promise<number>((resolve) => {
        child.once('error', (err) => {
          process.stderr.write(`weft await: cannot run ${command[0]}: ${err.message}\n`);
          resolve(127);
        });
        // A command killed by a signal exits 128+n, as a shell reports it.
        child.once('exit', (c, sig) => resolve(c ?? 128 + (sig ? (constants.signals[sig] ?? 15) : 1)));
      });
      if (f.shutdown) await shutdownProxy(f.admin);
      process.exitCode = code;
    });
}
