// The weft CLI: one file per command under src/cli/, each exporting `register(program)`.
// This file only assembles them, and is the one rescue for the CLI: weft's own typed errors
// print as one line with their code (exit 1); anything else is a bug and keeps its stack.
import { Command } from 'commander';
import { WeftError } from '../lib/errors.js';
import { VERSION } from '../lib/version.js';
import { proxyHelp } from '../proxy/help.js';
import { commandsFor } from './commands.js';

export async function run(argv: string[]): Promise<void> {
  const program = new Command('weft')
    .description('weft: a service mesh in the style of Linkerd 2')
    .version(VERSION)
    .showHelpAfterError();
  // `weft proxy` is dispatched in bin/weft.js before this file loads; listed here for --help,
  // and `weft help proxy` prints the same text as `weft proxy --help`.
  program
    .command('proxy')
    .description('run the data-plane proxy (configured by WEFT_PROXY_* environment variables)')
    .configureHelp({ formatHelp: () => proxyHelp() });
  for (const register of await commandsFor(argv)) register(program);
  try {
    await program.parseAsync(argv);
  } catch (err) {
    if (!(err instanceof WeftError)) throw err;
    const command = argv.slice(2).filter((a) => !a.startsWith('-')).slice(0, 1).join(' ');
    process.stderr.write(`weft ${command}: ${err.message} (${err.code})\n`);
    process.exit(1);
  }
}
