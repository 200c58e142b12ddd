// Entry of the demo application: `node dist/examples/demo/main.js <component>`, with component
// one of web, catalog, voting, vote-bot. Configuration comes from the environment only (see
// config.ts and docs/demo.md). Servers print "listening on <host:port>" on stdout once ready;
// SIGTERM or SIGINT stops the component gracefully (exit 0).
import { fileURLToPath } from 'node:url';
import { formatAddress } from '../../src/lib/address.js';
import { WeftError } from '../../src/lib/errors.js';
import { Logger } from '../../src/lib/log.js';
import { parseCatalogConfig, parseVoteBotConfig, parseVotingConfig, parseWebConfig } from './config.js';
import type { Running } from './serve.js';

export const COMPONENTS = ['web', 'catalog', 'voting', 'vote-bot'] as const;
export type Component = (typeof COMPONENTS)[number];

export function isComponent(s: string | undefined): s is Component {
  return (COMPONENTS as readonly (string | undefined)[]).includes(s);
}

/**
 * Starts one component from `env`; resolves to its stop function once it is serving. Each
 * component's module is imported on demand, so catalog and vote-bot never load grpc-js.
 */
export async function startComponent(component: Component, env: NodeJS.ProcessEnv): Promise<{ stop: () => Promise<void>; listening?: string }> {
  if (component === 'vote-bot') {
    const cfg = parseVoteBotConfig(env);
    const { startVoteBot } = await import('./vote-bot.js');
    const bot = startVoteBot(cfg, new Logger(cfg.logLevel, 'demo:vote-bot'));
    return { stop: async () => { await bot.stop(); } };
  }
  let running: Running;
  if (component === 'web') {
    const cfg = parseWebConfig(env);
    const { startWeb } = await import('./web.js');
    running = await startWeb(cfg, new Logger(cfg.logLevel, 'demo:web'));
  } else if (component === 'catalog') {
    const cfg = parseCatalogConfig(env);
    const { startCatalog } = await import('./catalog.js');
    running = await startCatalog(cfg, new Logger(cfg.logLevel, 'demo:catalog'));
  } else {
    const cfg = parseVotingConfig(env);
    const { startVoting } = await import('./voting.js');
    running = await startVoting(cfg, new Logger(cfg.logLevel, 'demo:voting'));
  }
  return { stop: () => running.close(), listening: formatAddress(running.address) };
}

async function main(argv: string[]): Promise<number> {
  const component = argv[0];
  if (!isComponent(component)) {
    process.stderr.write(`usage: main.js <${COMPONENTS.join('|')}>\n`);
    return 2;
  }
  let started;
  try {
    started = await startComponent(component, process.env);
  } catch (err) {
    const code = err instanceof WeftError ? ` (${err.code})` : '';
    process.stderr.write(`${component}: ${err instanceof Error ? err.message : String(err)}${code}\n`);
    return 1;
  }
  if (started.listening) process.stdout.write(`listening on ${started.listening}\n`);
  await new Promise<void>((resolve) => {
    process.once('SIGTERM', resolve);
    process.once('SIGINT', resolve);
  });
  await started.stop();
  return 0;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  // exit explicitly: a lingering handle (a keep-alive socket, a gRPC channel) must not keep a
  // stopped component alive.
  process.exit(await main(process.argv.slice(2)));
}
