// `weft down`: stop and remove everything `weft up` made (processes, namespaces, veths, the
// bridge, iptables rules, hosts files). --all also removes any leftover weft* namespace/link.
import type { Command } from 'commander';
import { down } from '../runtime/local/down.js';
import { cleanupAll } from '../runtime/local/netns.js';
import { DEFAULT_WEFT_DIR } from '../runtime/local/run-state.js';

export function register(program: Command): void {
  program
    .command('down')
    .description('stop the mesh started by `weft up` and remove what it made')
    .option('--state-dir <dir>', 'weft state directory', DEFAULT_WEFT_DIR)
    .option('--all', "also remove every namespace and link named weft* (after a crash without state)")
    .action(async (flags: { stateDir: string; all?: boolean }) => {
      const r = await down(flags.stateDir, (l) => process.stdout.write(`${l}\n`));
      if (!r.found) process.stdout.write(`no mesh is up in ${flags.stateDir}\n`);
      if (flags.all) {
        const c = await cleanupAll('weft');
        process.stdout.write(`removed ${c.namespaces.length} namespace(s) and ${c.links.length} link(s) named weft*\n`);
      }
    });
}
