// `weft check`: Linkerd-style checks of the cluster (--pre: before install), the control plane
// and (--proxy) the data plane; exits 1 when a check fails. Thin: see runtime/kubernetes/check/.
import type { Command } from 'commander';
import { Option } from 'commander';
import { WEFT_VERSION } from '../runtime/kubernetes/values.js';

interface Flags {
  pre?: boolean;
  proxy?: boolean;
  namespace?: string;
  output: 'table' | 'json';
  kubeconfig?: string;
  context?: string;
  dryRun: boolean;
}

export function register(program: Command): void {
  program
    .command('check')
    .description('check that weft can be installed (--pre), is installed and healthy, and (--proxy) that meshed pods are')
    .option('--pre', 'check the cluster before installing weft')
    .option('--proxy', 'also check the data plane (meshed pods)')
    .option('-n, --namespace <ns>', 'data-plane namespace for --proxy (default: all)')
    .addOption(new Option('-o, --output <format>', 'output format').choices(['table', 'json']).default('table'))
    .option('--kubeconfig <file>', 'kubeconfig (default: $KUBECONFIG, ~/.kube/config, in-cluster)')
    .option('--context <name>', 'kubeconfig context')
    .option('--no-dry-run', 'skip the checks that try the webhooks with server-side dry-run creates')
    .action(async (f: Flags) => {
      // Loaded here: only the cluster commands need the Kubernetes client.
      const [{ CheckContext }, { categoriesFor }, { runChecks }, fmt] = await Promise.all([
        import('../runtime/kubernetes/check/context.js'),
        import('../runtime/kubernetes/check/index.js'),
        import('../runtime/kubernetes/check/run.js'),
        import('../runtime/kubernetes/check/format.js'),
      ]);
      const opts = { kubeconfig: f.kubeconfig, context: f.context, pre: f.pre === true, proxy: f.proxy === true, namespace: f.namespace, dryRun: f.dryRun, cliVersion: WEFT_VERSION };
      const categories = categoriesFor(opts);
      const report = await runChecks(categories, new CheckContext(opts));
      if (f.output === 'json') process.stdout.write(fmt.formatJson(report));
      else process.stdout.write(report.categories.map(fmt.formatCategory).join('') + fmt.formatVerdict(report));
      if (!report.success) process.exitCode = 1;
    });
}
