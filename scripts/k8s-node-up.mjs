#!/usr/bin/env node
// The one-node cluster of the e2e tests, by hand: starts it (test/helpers/k8s-node.ts), loads
// the weft and demo images into its containerd, prints the kubeconfig to use, and tears it all
// down on Ctrl-C (or SIGTERM). Run from the repository root after `npm run build`, as root.
//
//   node scripts/k8s-node-up.mjs
//   export KUBECONFIG=<printed path>; weft install --image-pull-policy Never | kubectl apply -f -
import { startNode } from '../dist/test/helpers/k8s-node.js';

const node = await startNode();
console.log(`node Ready with DNS in ${node.startSeconds.toFixed(1)} s`);
for (const kind of ['weft', 'demo']) {
  const t = Date.now();
  await node.loadImage(kind);
  console.log(`image ${kind} built and imported in ${((Date.now() - t) / 1000).toFixed(1)} s`);
}
console.log(`KUBECONFIG=${node.cluster.kubeconfig}`);
console.log('Ctrl-C tears the cluster down');
let stopping = false;
const stop = async () => {
  if (stopping) return;
  stopping = true;
  await node.stop();
  process.exit(0);
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
setInterval(() => undefined, 1 << 30);
