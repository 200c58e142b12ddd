// `weft apply -f file.yaml`: validates manifests and writes them to the local store. A running
// `weft destination` on the same --state-dir picks them up live (it follows the directory).
import type { Command } from 'commander';
import { DEFAULT_STATE_DIR } from '../control/store/state-dir.js';
import { applyFiles } from '../control/store/apply.js';

export function register(program: Command): void {
  program
    .command('apply')
    .description('create or update resources (Service, EndpointSlice, ServiceProfile) from YAML files')
    .requiredOption('-f, --filename <file...>', 'manifest files ("-" for stdin)')
    .option('--state-dir <dir>', 'local store state directory', DEFAULT_STATE_DIR)
    .action(async (flags: { filename: string[]; stateDir: string }) => {
      for (const line of await applyFiles(flags.stateDir, flags.filename, 'apply')) console.log(line);
    });
}
