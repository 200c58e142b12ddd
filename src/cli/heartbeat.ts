// `weft heartbeat`: what the daily CronJob runs — the checks, recorded in the weft-heartbeat
// ConfigMap. Exits 1 when a check failed. Thin: see runtime/kubernetes/heartbeat.ts.
import type { Command } from 'commander';
import { WEFT_VERSION } from '../runtime/kubernetes/values.js';

export function register(program: Command): void {
  program
    .command('heartbeat')
    .description('run the control-plane checks and record the result in the weft-heartbeat ConfigMap (the heartbeat CronJob)')
    .option('--kubeconfig <file>', 'kubeconfig (default: in-cluster, $KUBECONFIG, ~/.kube/config)')
    .action(async (f: { kubeconfig?: string }) => {
      const { runHeartbeat } = await import('../runtime/kubernetes/heartbeat.js');
      const report = await runHeartbeat({ kubeconfig: f.kubeconfig, cliVersion: WEFT_VERSION });
      const failed = report.categories.flatMap((c) => c.checks.filter((r) => r.status === 'error').map((r) => `${c.name}: ${r.description}: ${r.message ?? ''}`));
      process.stdout.write(report.success ? 'heartbeat: all checks passed\n' : `heartbeat: ${failed.length} checks failed\n${failed.join('\n')}\n`);
      if (!report.success) process.exitCode = 1;
    });
}
