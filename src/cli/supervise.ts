// `weft supervise` (hidden): the process that keeps a local mesh running. Started by `weft up`,
// which sends it the run's options over an IPC channel; see runtime/local/supervisor-daemon.ts.
import type { Command } from 'commander';
import { ConfigError } from '../lib/errors.js';
import type { SuperviseOptions } from '../runtime/local/supervisor-daemon.js';
import { runSupervisor } from '../runtime/local/supervisor-daemon.js';

export function register(program: Command): void {
  program
    .command('supervise', { hidden: true })
    .description('keep a local mesh running (started by `weft up`)')
    .requiredOption('--state-dir <dir>', 'weft state directory')
    .action(async (flags: { stateDir: string }) => {
      const options = await new Promise<SuperviseOptions>((resolve, reject) => {
        if (!process.send) return reject(new ConfigError('weft supervise is started by `weft up` (it needs its IPC channel)'));
        process.once('message', (m: { type?: string; options?: SuperviseOptions }) =>
          m.type === 'start' && m.options ? resolve(m.options) : reject(new ConfigError('weft supervise: expected a start message')));
      });
      // Returns once the mesh is up (or failed); the API socket and the children keep it running.
      await runSupervisor(flags.stateDir, options);
    });
}
