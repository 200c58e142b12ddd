// `weft dashboard`: the URL of the mesh's dashboard — the one the control plane serves, when it
// answers; otherwise one started here (over the same metrics API) until Ctrl-C.
import type { Command } from 'commander';
import { readRunState } from '../runtime/local/run-state.js';
import { dashboardAnswers } from '../web/targets.js';
import type { WebFlags } from './web.js';
import { addWebOptions, serveDashboard, untilSignal } from './web.js';

export function register(program: Command): void {
  addWebOptions(program.command('dashboard').description('print the URL of the mesh\'s dashboard (starting one if the control plane serves none)'), '127.0.0.1:0')
    .action(async (flags: WebFlags) => {
      const state = await readRunState(flags.stateDir);
      const addr = state?.control.webAddr;
      if (addr && !flags.metricsApi && (await dashboardAnswers(addr))) {
        process.stdout.write(`dashboard: http://${addr}/\n`);
        return;
      }
      const web = await serveDashboard(flags);
      process.stdout.write(`dashboard: ${web.url}\n${addr ? `(the control plane's dashboard at ${addr} does not answer: serving one here)\n` : ''}Ctrl-C stops it.\n`);
      await untilSignal();
      await web.close();
      process.exit(0);
    });
}
