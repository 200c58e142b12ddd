// Registry of CLI commands: one entry per command file (named as its command), each module
// exporting `register(program)`. Modules are loaded on use: `weft ps` loads ps.ts and what it
// imports, not the Kubernetes client, gRPC and X.509 code other commands need (loading all of
// them cost ~0.6 s of CPU per invocation, measured with `weft --version`).
import type { Command } from 'commander';

export type RegisterCommand = (program: Command) => void;

type Loader = () => Promise<{ register: RegisterCommand }>;

export const COMMANDS: Readonly<Record<string, Loader>> = {
  init: () => import('./init.js'),
  apply: () => import('./apply.js'),
  delete: () => import('./delete.js'),
  destination: () => import('./destination.js'),
  identity: () => import('./identity.js'),
  control: () => import('./control.js'),
  up: () => import('./up.js'),
  down: () => import('./down.js'),
  ps: () => import('./ps.js'),
  logs: () => import('./logs.js'),
  demo: () => import('./demo.js'),
  viz: () => import('./viz.js'),
  supervise: () => import('./supervise.js'),
  install: () => import('./install.js'),
  uninstall: () => import('./uninstall.js'),
  upgrade: () => import('./upgrade.js'),
  check: () => import('./check.js'),
  inject: () => import('./inject.js'),
  uninject: () => import('./uninject.js'),
  injector: () => import('./injector.js'),
  heartbeat: () => import('./heartbeat.js'),
  await: () => import('./await.js'),
  tap: () => import('./tap.js'),
  'metrics-api': () => import('./metrics-api.js'),
  web: () => import('./web.js'),
  dashboard: () => import('./dashboard.js'),
};

/**
 * The commands to register for `argv`: the one it names (also as `weft help <name>`), or all of
 * them (`weft --help`, no command, an unknown one: commander then lists them or suggests one).
 */
export async function commandsFor(argv: readonly string[]): Promise<RegisterCommand[]> {
  const words = argv.slice(2).filter((a) => !a.startsWith('-'));
  if (words.length === 0 && argv.some((a) => a === '-V' || a === '--version')) return [];
  const name = words[0] === 'help' ? words[1] : words[0];
  const load = name !== undefined && Object.hasOwn(COMMANDS, name) ? [COMMANDS[name] as Loader] : Object.values(COMMANDS);
  return (await Promise.all(load.map((l) => l()))).map((m) => m.register);
}
