// `weft delete -f file.yaml`: on a running mesh, what the files name is removed live (a
// Deployment's pods stop, their namespaces go; a Service loses its cluster IP); without one,
// the resources are deleted from the local store.
import type { Command } from 'commander';
import { DEFAULT_STATE_DIR } from '../control/store/state-dir.js';
import { applyFiles } from '../control/store/apply.js';
import { changeLive, findRunningMesh } from '../runtime/local/live-apply.js';

export function register(program: Command): void {
  program
    .command('delete')
    .description('delete the resources named in YAML files: live on a running mesh, else from the local store')
    .requiredOption('-f, --filename <file...>', 'manifest files ("-" for stdin)')
    .option('--state-dir <dir>', 'weft state directory of a running mesh, or a local store directory', DEFAULT_STATE_DIR)
    .action(async (flags: { filename: string[]; stateDir: string }) => {
      const mesh = await findRunningMesh(flags.stateDir);
      const lines = mesh ? await changeLive(mesh, flags.filename, 'delete') : await applyFiles(flags.stateDir, flags.filename, 'delete');
      for (const line of lines) console.log(line);
    });
}
