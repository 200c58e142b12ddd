// `weft uninject`: removes what inject() added from the workloads in YAML files, directories
// or stdin, and prints the result. Offline.
import type { Command } from 'commander';
import { uninject } from '../control/injector/inject.js';
import { transformManifests } from '../runtime/kubernetes/workloads.js';
import { readInputs } from './inject-input.js';

export function register(program: Command): void {
  program
    .command('uninject')
    .description('remove the weft proxy from Kubernetes workloads in YAML (files, directories or - for stdin) and print them')
    .argument('<paths...>', 'files, directories or - (stdin)')
    .action(async (paths: string[]) => {
      for (const input of await readInputs(paths)) {
        const { output, reports } = transformManifests(input.text, input.source, (pod) => {
          const r = uninject(pod);
          return { pod: r.pod, changed: r.changed, note: r.changed ? 'uninjected' : 'skipped: no weft proxy' };
        });
        process.stdout.write(output);
        for (const r of reports) process.stderr.write(`${r.kind.toLowerCase()} "${r.name}" ${r.note}\n`);
      }
    });
}
