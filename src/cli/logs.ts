// `weft logs <pod> [--proxy] [-f]`: the app's (or its proxy's) log from the running mesh; the
// run's own components by name: control, prometheus, supervisor.
import type { Command } from 'commander';
import { ConfigError } from '../lib/errors.js';
import { followFile, printFile } from '../runtime/local/follow.js';
import { DEFAULT_WEFT_DIR, findWorkload, readRunState } from '../runtime/local/run-state.js';

export function register(program: Command): void {
  program
    .command('logs <workload>')
    .description("print a pod's log (or a component's: control, prometheus, supervisor)")
    .option('--state-dir <dir>', 'weft state directory', DEFAULT_WEFT_DIR)
    .option('--proxy', "the workload's proxy log instead of the app's")
    .option('-f, --follow', 'keep printing what is appended')
    .action(async (name: string, flags: { stateDir: string; proxy?: boolean; follow?: boolean }) => {
      const state = await readRunState(flags.stateDir);
      if (!state) throw new ConfigError(`no mesh is up in ${flags.stateDir}`);
      let file: string | undefined;
      if (name === 'control') file = state.control.log;
      else if (name === 'prometheus' || name === 'supervisor') {
        file = state[name]?.log;
        if (!file) throw new ConfigError(`this mesh runs no ${name}`);
      } else {
        const w = findWorkload(state, name);
        file = flags.proxy ? w.proxy?.log : w.app?.log;
        if (!file) throw new ConfigError(`workload ${name} has no ${flags.proxy ? 'proxy' : 'app'} log`);
      }
      const out = (s: string): void => void process.stdout.write(s);
      if (!flags.follow) return void (await printFile(file, out));
      const ac = new AbortController();
      process.once('SIGINT', () => ac.abort());
      process.once('SIGTERM', () => ac.abort());
      await followFile(file, out, ac.signal);
    });
}
