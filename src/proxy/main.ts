// `weft proxy`: parse the environment once, start the proxy, drain on SIGTERM/SIGINT or on
// POST /shutdown, then exit.
import { ConfigError } from '../lib/errors.js';
import { parseProxyConfig, type ProxyConfig } from './config.js';
import { startProxy } from './proxy.js';
import { installProcessGuard } from './guard.js';

export async function main(env: Record<string, string | undefined>): Promise<void> {
  let cfg: ProxyConfig;
  try {
    cfg = parseProxyConfig(env);
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`weft proxy: ${err.message}\n`);
      process.exit(2);
    }
    throw err;
  }
  const proxy = await startProxy(cfg, { env, onShutdown: () => process.exit(0) });
  // One connection's bug must not end the process that serves every other connection.
  installProcessGuard(proxy.guard);
  const stop = (signal: string): void => {
    proxy.log.info('signal received, draining', { signal });
    void proxy.drain().then(() => process.exit(0));
  };
  process.once('SIGTERM', () => stop('SIGTERM'));
  process.once('SIGINT', () => stop('SIGINT'));
}
