// `weft delete -f file.yaml`: deletes the resources the manifests name from the local store.
import type { Command } from 'commander';
import { DEFAULT_STATE_DIR } from '../control/store/state-dir.js';
import { applyFiles } from '../control/store/apply.js';

export function register(program: Command): void {
  program
    .command('delete')
    .description('delete the resources named in YAML files')
    .requiredOption('-f, --filename <file...>', 'manifest files ("-" for stdin)')
    .option('--state-dir <dir>', 'local store state directory', DEFAULT_STATE_DIR)
    .action(async (flags: { filename: string[]; stateDir: string }) => {
      for (const line of await applyFiles(flags.stateDir, flags.filename, 'delete')) console.log(line);
    });
}
