// `weft proxy --help`, `-h`, `--version`: answered here, without starting a proxy. bin/weft.js
// loads this file only when `weft proxy` is given arguments, so a proxy started normally never
// loads it; it needs nothing but the proxy's own config (the one list of variables and their
// defaults, ENV_HELP) — not the CLI framework.
import { ENV, ENV_HELP } from './config.js';
import { VERSION } from '../lib/version.js';

/** The text of `weft proxy --help`. */
export function proxyHelp(): string {
  const rows = (Object.keys(ENV) as (keyof typeof ENV)[]).map((k) => {
    const [dflt, meaning] = ENV_HELP[k];
    return { name: ENV[k], text: dflt ? `${meaning} (default ${dflt})` : meaning };
  });
  const width = Math.max(...rows.map((r) => r.name.length));
  return [
    'Usage: weft proxy',
    '',
    "weft's data-plane proxy: outbound, inbound and admin listeners for one workload. It takes no",
    'arguments: it is configured by these environment variables, read once at start (docs/proxy.md).',
    '',
    'Environment:',
    ...rows.map((r) => `  ${r.name.padEnd(width)}  ${r.text}`),
    '',
    'Options:',
    '  -h, --help     print this help and exit',
    '  -V, --version  print the version and exit',
    '',
  ].join('\n');
}

/**
 * Answers `weft proxy <args>` (args non-empty); returns the exit code. Anything but a help or
 * version flag is refused rather than ignored: the proxy never takes arguments.
 */
export function proxyArgs(args: readonly string[], out: NodeJS.WritableStream, err: NodeJS.WritableStream): number {
  const [arg] = args;
  if (args.length === 1 && (arg === '--help' || arg === '-h')) {
    out.write(proxyHelp());
    return 0;
  }
  if (args.length === 1 && (arg === '--version' || arg === '-V')) {
    out.write(`${VERSION}\n`);
    return 0;
  }
  err.write(`weft proxy: unexpected argument${args.length > 1 ? 's' : ''} ${args.map((a) => JSON.stringify(a)).join(' ')}: the proxy is configured by WEFT_PROXY_* environment variables (weft proxy --help)\n`);
  return 2;
}
