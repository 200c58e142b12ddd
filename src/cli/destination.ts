// `weft destination`: runs the destination service (endpoints, service profiles and the inbound/
// outbound policy API for proxies)
// over a store: the local one in --state-dir, or the cluster's (--store kubernetes, as its
// Deployment runs it). Thin: see control/destination/run.ts.
import type { Command } from 'commander';
import { Option } from 'commander';
import { Logger } from '../lib/log.js';
import { DEFAULT_STATE_DIR } from '../control/store/state-dir.js';
import { STORE_KINDS } from '../control/store/open.js';
import type { StoreKind } from '../control/store/open.js';
import { runDestination } from '../control/destination/run.js';
import { DEFAULT_POLICIES } from '../control/store/policy-types.js';
import type { DefaultPolicy } from '../control/store/policy-types.js';
import { parseCidr } from '../lib/cidr.js';
import { ConfigError } from '../lib/errors.js';
import { DEFAULT_CLUSTER_NETWORKS } from '../control/policy/authz.js';
import { DEFAULT_POLICY_OPTIONS } from '../control/policy/service.js';

/** --cluster-networks: comma-separated CIDRs. */
export function parseClusterNetworks(s: string): string[] {
  const out = s.split(',').map((c) => c.trim()).filter(Boolean);
  const bad = out.find((c) => !parseCidr(c));
  if (bad !== undefined || out.length === 0) throw new ConfigError(`--cluster-networks: "${bad ?? s}" is not a CIDR list like 10.0.0.0/8,fd00::/8`);
  return out;
}

interface Flags {
  store: StoreKind;
  stateDir: string;
  kubeconfig?: string;
  listen: string;
  trustDomain: string;
  clusterDomain: string;
  defaultNamespace: string;
  defaultInboundPolicy: DefaultPolicy;
  clusterNetworks?: string;
  egressNamespace: string;
}

export function register(program: Command): void {
  program
    .command('destination')
    .description('serve the Destination gRPC API (Linkerd-compatible) from the local store or a Kubernetes cluster')
    .addOption(new Option('--store <kind>', 'where services and endpoints come from').choices(STORE_KINDS).default('local'))
    .option('--state-dir <dir>', 'local store state directory', DEFAULT_STATE_DIR)
    .option('--kubeconfig <file>', 'kubeconfig for --store kubernetes (default: $KUBECONFIG, ~/.kube/config, in-cluster)')
    .option('--listen <addr>', 'address to serve gRPC on', '127.0.0.1:8086')
    .option('--trust-domain <domain>', 'identity trust domain', 'cluster.local')
    .option('--cluster-domain <domain>', 'Kubernetes cluster domain of service names', 'cluster.local')
    .option('--default-namespace <ns>', 'namespace of short names without one', 'default')
    .addOption(new Option('--default-inbound-policy <policy>', 'inbound policy of ports no Server selects (a pod annotation config.weft.io/default-inbound-policy overrides it)').choices(DEFAULT_POLICIES).default('all-unauthenticated'))
    .option('--cluster-networks <cidrs>', `what cluster-authenticated/-unauthenticated allow, and what an EgressNetwork without networks leaves out (default ${DEFAULT_CLUSTER_NETWORKS.join(',')})`)
    .option('--egress-namespace <ns>', 'EgressNetworks in this namespace apply to clients of every namespace (Linkerd\'s global egress namespace)', DEFAULT_POLICY_OPTIONS.egressNamespace)
    .action(async (flags: Flags) => {
      const log = new Logger('info', 'weft:destination');
      const policy = {
        defaultPolicy: flags.defaultInboundPolicy,
        egressNamespace: flags.egressNamespace,
        ...(flags.clusterNetworks ? { clusterNetworks: parseClusterNetworks(flags.clusterNetworks) } : {}),
      };
      const running = await runDestination({ ...flags, policy }, log);
      // Tests and scripts read the bound port from this line (useful with --listen :0).
      process.stdout.write(`listening on port ${running.port}\n`);
      await new Promise<void>((resolve) => {
        process.once('SIGINT', resolve);
        process.once('SIGTERM', resolve);
      });
      await running.close();
    });
}
