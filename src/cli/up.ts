// `weft up -f mesh.yaml`: start the control plane and every workload of the file, each in its
// own network namespace with transparent interception (root), or on loopback ports with an
// explicit proxy (otherwise, or with --loopback). Thin: see runtime/local/up.ts.
import type { Command } from 'commander';
import { WeftError } from '../lib/errors.js';
import { up } from '../runtime/local/up.js';
import { DEFAULT_WEFT_DIR } from '../runtime/local/run-state.js';
import { formatStatus, workloadStatus } from '../runtime/local/status.js';

/**
 * Wraps a command action: a WeftError (bad file, no mesh up, a workload not ready) is printed
 * as one line with its code and exits 1, without a stack trace; anything else is a bug and
 * keeps its stack.
 */
interface Flags {
  file: string;
  stateDir: string;
  loopback?: boolean;
  netns?: boolean;
  network: string;
  timeout: string;
}

export function register(program: Command): void {
  program
    .command('up')
    .description('run a mesh on this machine from a mesh.yaml (see docs/local-runtime.md)')
    .requiredOption('-f, --file <mesh.yaml>', 'the mesh file')
    .option('--state-dir <dir>', 'weft state directory', DEFAULT_WEFT_DIR)
    .option('--loopback', 'force loopback mode (explicit proxy, no namespaces)')
    .option('--netns', 'require namespace mode (fail instead of falling back)')
    .option('--network <n>', 'network index: bridge weft<n>, pods 10.77.<n>.0/24', '0')
    .option('--timeout <ms>', 'how long to wait for the proxies to be ready', '30000')
    .action(async (flags: Flags) => {
      let r;
      try {
        r = await up({
          meshFile: flags.file,
          stateDir: flags.stateDir,
          mode: flags.loopback ? 'loopback' : flags.netns ? 'netns' : 'auto',
          networkIndex: Number(flags.network),
          readyTimeoutMs: Number(flags.timeout),
          progress: (l) => process.stdout.write(`${l}\n`),
        });
      } catch (err) {
        // What started stays up for inspection (ps, logs); a bad file started nothing.
        if (err instanceof WeftError && err.code !== 'WEFT_ERR_INVALID_MESH_FILE' && err.code !== 'WEFT_ERR_ALREADY_UP') {
          process.stderr.write(`weft up failed; what it started is still there: weft ps / weft logs <workload> [--proxy], then weft down --state-dir ${flags.stateDir}\n`);
        }
        throw err;
      }
      process.stdout.write(formatStatus(await workloadStatus(r.state)));
    });
}
