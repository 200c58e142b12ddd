// `weft ps`: the pods of the running mesh (from run.json), alive and ready or not, with their
// restarts and last exit; then the run's components (supervisor, control plane, Prometheus).
import type { Command } from 'commander';
import { ConfigError } from '../lib/errors.js';
import { readRunState, DEFAULT_WEFT_DIR } from '../runtime/local/run-state.js';
import { componentStatus, formatComponents, formatStatus, workloadStatus } from '../runtime/local/status.js';

export function register(program: Command): void {
  program
    .command('ps')
    .description('list the pods and components of the mesh started by `weft up`')
    .option('--state-dir <dir>', 'weft state directory', DEFAULT_WEFT_DIR)
    .option('-o, --output <format>', 'table or json', 'table')
    .action(async (flags: { stateDir: string; output: string }) => {
      if (flags.output !== 'table' && flags.output !== 'json') throw new ConfigError(`-o: unknown output "${flags.output}" (table or json)`);
      const state = await readRunState(flags.stateDir);
      if (!state) {
        process.stdout.write(`no mesh is up in ${flags.stateDir}\n`);
        return;
      }
      const rows = await workloadStatus(state);
      const components = componentStatus(state);
      if (flags.output === 'json') {
        process.stdout.write(JSON.stringify({ mode: state.mode, workloads: rows, components }, null, 2) + '\n');
        return;
      }
      process.stdout.write(`mode: ${state.mode}   mesh: ${state.meshFile}\n` + formatStatus(rows) + '\n' + formatComponents(components));
    });
}
