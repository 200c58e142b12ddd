// `weft viz top <resource>`: a live table of the resource's hottest paths, redrawn in place once
// a second in the terminal's alternate screen (as `linkerd viz top`); q or Ctrl-C quits and
// gives the terminal back as it was.
import type { Command } from 'commander';
import { tapStream } from '../control/tap/client.js';
import { TopTable, topLines } from '../viz/top.js';
import { tapApi, tapOptions, tapQuery, type TapFlags } from './viz-tap.js';

const ALT_SCREEN_ON = '\x1b[?1049h\x1b[?25l';
const ALT_SCREEN_OFF = '\x1b[?25h\x1b[?1049l';
const HOME_CLEAR = '\x1b[H\x1b[2J';

export function register(viz: Command): void {
  tapOptions(viz.command('top <resource>'))
    .description('a live table of the hottest paths of a resource (from tap), refreshed in place; q quits')
    .option('--refresh <ms>', 'redraw interval', '1000')
    .option('--kubernetes', "the cluster's tap component (through the API server) instead of the local mesh's")
    .option('--kubeconfig <file>', 'kubeconfig for --kubernetes (default: $KUBECONFIG, ~/.kube/config)')
    .action(async (resource: string, flags: TapFlags & { refresh: string; kubernetes?: boolean; kubeconfig?: string }) => {
      const { addr, via } = await tapApi(flags);
      const table = new TopTable();
      const out = process.stdout;
      let status = `tapping ${resource}…`;
      const s = tapStream(addr, tapQuery(resource, flags), {
        started: (pods) => (status = `tapping ${resource}: ${pods.length} proxies${pods.length ? ` (${pods.slice(0, 4).join(', ')}${pods.length > 4 ? ', …' : ''})` : ''}`),
        event: (e) => table.add(e),
        proxyError: (pod, message) => (status = `tap ${pod}: ${message}`),
      }, via);
      const draw = (): void => {
        const width = out.columns || 120;
        const height = out.rows || 40;
        const lines = topLines(table.top(Math.max(1, height - 5)), width);
        out.write(HOME_CLEAR + [status.slice(0, width), '', ...lines, '', '(press q to quit)'].join('\n'));
      };
      out.write(ALT_SCREEN_ON);
      draw();
      const timer = setInterval(draw, Math.max(100, Number(flags.refresh) || 1000));
      const stdin = process.stdin;
      const quit = (): void => s.close();
      if (stdin.isTTY) stdin.setRawMode(true);
      stdin.resume();
      stdin.on('data', (b: Buffer) => {
        const k = b.toString();
        if (k === 'q' || k === 'Q' || k === '\x03') quit();
      });
      process.once('SIGINT', quit);
      process.once('SIGTERM', quit);
      try {
        await s.done;
      } finally {
        clearInterval(timer);
        if (stdin.isTTY) stdin.setRawMode(false);
        stdin.pause();
        out.write(ALT_SCREEN_OFF);
      }
    });
}
