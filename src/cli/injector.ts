// `weft injector`: the admission webhooks (proxy injection, ServiceProfile validation) as the
// injector Deployment runs them. Thin: see control/injector/run.ts.
import type { Command } from 'commander';
import { Option } from 'commander';
import { parseAddress } from '../lib/address.js';
import { ConfigError } from '../lib/errors.js';
import { Logger, isLogLevel } from '../lib/log.js';
import { PROXY_MODES } from '../control/injector/config.js';
import type { ProxyMode } from '../control/injector/config.js';
import { NAMESPACE } from '../runtime/kubernetes/names.js';
import { WEFT_VERSION } from '../runtime/kubernetes/values.js';

interface Flags {
  listen: string;
  tlsCertFile: string;
  tlsKeyFile: string;
  config: string;
  kubeconfig?: string;
  proxyMode?: ProxyMode;
  logLevel: string;
}

export function register(program: Command): void {
  program
    .command('injector')
    .description('serve the admission webhooks: proxy injection (/inject) and ServiceProfile validation (/validate/serviceprofile)')
    .requiredOption('--tls-cert-file <file>', 'serving certificate (PEM) the webhook configurations trust')
    .requiredOption('--tls-key-file <file>', 'its private key (PEM)')
    .requiredOption('--config <file>', "the injector's config.yaml (from the weft-config ConfigMap)")
    .option('--listen <addr>', 'address to serve HTTPS on', '0.0.0.0:8443')
    .option('--kubeconfig <file>', 'kubeconfig (default: $KUBECONFIG, ~/.kube/config, in-cluster)')
    .addOption(new Option('--proxy-mode <mode>', 'default proxy mode (default: native from Kubernetes 1.29, else classic)').choices(PROXY_MODES))
    .option('--log-level <level>', 'error|warn|info|debug|trace', 'info')
    .action(async (f: Flags) => {
      if (!isLogLevel(f.logLevel)) throw new ConfigError(`invalid --log-level ${f.logLevel}`);
      const log = new Logger(f.logLevel, 'weft:injector');
      // Loaded here, not at the top: only this command needs the Kubernetes client.
      const { startInjector } = await import('../control/injector/run.js');
      const running = await startInjector({
        listen: parseAddress(f.listen, '0.0.0.0'),
        certFile: f.tlsCertFile,
        keyFile: f.tlsKeyFile,
        configFile: f.config,
        kubeconfig: f.kubeconfig,
        proxyMode: f.proxyMode,
        version: WEFT_VERSION,
        controlPlaneNamespace: NAMESPACE,
        log,
      });
      // Tests and scripts read the bound port from this line (useful with --listen :0).
      process.stdout.write(`listening on port ${running.port}\n`);
      await new Promise<void>((resolve) => {
        process.once('SIGINT', resolve);
        process.once('SIGTERM', resolve);
      });
      await running.close();
    });
}
