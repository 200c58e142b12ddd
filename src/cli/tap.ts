// `weft tap`: the tap component alone (it also runs inside `weft control`), over a local mesh's
// state directory: its identity comes from the mesh's identity service with a join token made
// from the CA directory's secret, its pods from run.json. Serves the tap API `weft viz tap/top`
// and the dashboard call (see src/control/tap/server.ts). With --store kubernetes (the
// Deployment `weft install` renders) it reads the injector's config (trust domain, identity
// service, trust anchors, its own tap identity), proves its identity with its service-account
// token, and finds pods through the API server.
import type { Command } from 'commander';
import { tapWorkloadId } from '../control/tap/identity.js';
import { startTapComponent } from '../control/tap/run.js';
import { loadCaDirectory } from '../control/identity/store.js';
import { JoinTokens } from '../control/identity/tokens.js';
import { LocalStore } from '../control/store/local-store.js';
import { parseAddress } from '../lib/address.js';
import { ConfigError } from '../lib/errors.js';
import { Logger } from '../lib/log.js';
import { DEFAULT_WEFT_DIR, readRunState, statePaths } from '../runtime/local/run-state.js';
import { LocalInventory } from '../runtime/local/viz-inventory.js';

export function register(program: Command): void {
  program
    .command('tap')
    .description('run the tap component alone: observe proxies over mTLS, serve the tap API')
    .option('--state-dir <dir>', 'weft state directory of a running mesh', DEFAULT_WEFT_DIR)
    .option('--listen <addr>', 'tap API address', '127.0.0.1:8088')
    .option('--identity-addr <addr>', "identity service (default: the running mesh's)")
    .option('--cluster-domain <domain>', 'cluster domain of service names', 'cluster.local')
    .option('--store <kind>', 'local (a mesh in --state-dir) or kubernetes (in a cluster)', 'local')
    .option('--config <file>', 'kubernetes: the injector config (weft-config ConfigMap, config.yaml)')
    .option('--token-file <file>', 'kubernetes: the service-account token (audience identity.weft.io) to prove the tap identity')
    .option('--kubeconfig <file>', 'kubernetes: kubeconfig (default: in-cluster, $KUBECONFIG)')
    .action(async (flags: { stateDir: string; listen: string; identityAddr?: string; clusterDomain: string; store: string; config?: string; tokenFile?: string; kubeconfig?: string }) => {
      if (flags.store === 'kubernetes') return serveOnCluster(flags);
      if (flags.store !== 'local') throw new ConfigError(`--store ${flags.store}: expected local or kubernetes`);
      const paths = statePaths(flags.stateDir);
      const identityAddr = flags.identityAddr ?? (await readRunState(flags.stateDir))?.control.identityAddr;
      if (!identityAddr) throw new ConfigError(`no mesh is up in ${flags.stateDir} and no --identity-addr given`);
      const ca = await loadCaDirectory(paths.identity);
      const tokens = new JoinTokens(ca.joinSecret);
      const store = await LocalStore.open(paths.store);
      const log = new Logger('info', 'weft:tap');
      const tap = await startTapComponent({
        listen: parseAddress(flags.listen, '127.0.0.1'),
        inventory: new LocalInventory(paths.root, store, ca.trustDomain, flags.clusterDomain),
        trustDomain: ca.trustDomain,
        trustAnchorsPem: ca.anchorCert.toString('pem'),
        identityAddr,
        token: () => Buffer.from(tokens.issue(tapWorkloadId(ca.trustDomain))),
        log,
      });
      await tap.ready;
      process.stdout.write(`tap ready: API port ${tap.port}, identity ${tapWorkloadId(ca.trustDomain).serviceAccount}.${tapWorkloadId(ca.trustDomain).namespace}\n`);
      await new Promise<void>((resolve) => {
        process.once('SIGINT', resolve);
        process.once('SIGTERM', resolve);
      });
      await tap.close();
      await store.close();
      process.exit(0);
    });
}

async function serveOnCluster(flags: { listen: string; clusterDomain: string; config?: string; tokenFile?: string; kubeconfig?: string }): Promise<void> {
  if (!flags.config || !flags.tokenFile) throw new ConfigError('weft tap --store kubernetes needs --config (the injector config) and --token-file');
  const [{ readFile }, { parseInjectorConfig }, { parseSpiffe }, { loadKubeConfig }, { KubernetesInventory }] = await Promise.all([
    import('node:fs/promises'), import('../control/injector/config.js'), import('../lib/spiffe.js'), import('../lib/kube.js'), import('../runtime/kubernetes/inventory.js'),
  ]);
  const configFile = flags.config;
  const tokenFile = flags.tokenFile;
  const config = parseInjectorConfig(await readFile(configFile, 'utf8'), configFile);
  if (!config.tapIdentity) throw new ConfigError(`${configFile}: no tapIdentity: proxies in this cluster serve no tap (weft upgrade renders it)`);
  const log = new Logger('info', 'weft:tap');
  const tap = await startTapComponent({
    listen: parseAddress(flags.listen, '0.0.0.0'),
    inventory: new KubernetesInventory(loadKubeConfig({ kubeconfig: flags.kubeconfig }), config.trustDomain, flags.clusterDomain),
    trustDomain: config.trustDomain,
    trustAnchorsPem: config.trustAnchorsPem,
    identityAddr: config.identityAddr,
    identityName: config.identityName,
    identity: parseSpiffe(config.tapIdentity),
    token: () => readFile(tokenFile),
    log,
  });
  await tap.ready;
  log.info('tap ready', { port: tap.port, identity: config.tapIdentity });
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  await tap.close();
  process.exit(0);
}
