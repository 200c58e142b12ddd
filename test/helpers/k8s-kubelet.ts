// What a kubelet would report, for clusters without one: a pod's status set through the status
// subresource — Running, Ready, an IP, its containers (and native sidecars) started and ready —
// so Deployments become available, the endpoint-slice controller lists the pod, and the API
// server routes webhook calls to it (the IP is this host's, where the test runs the component).
import type { KubeCluster } from './k8s-cluster.js';

interface PodJson {
  metadata: { name: string; namespace: string };
  spec: { nodeName?: string; containers: { name: string; image: string }[]; initContainers?: { name: string; image: string; restartPolicy?: string }[] };
}

/** The node test pods are bound to: the endpoint-slice controller skips pods whose node it does not know. */
export const TEST_NODE = 'weft-test-node';

async function ensureNode(cluster: KubeCluster): Promise<void> {
  if ((await cluster.kubectl(['get', 'node', TEST_NODE])).code === 0) return;
  await cluster.k(['create', '-f', '-'], `apiVersion: v1\nkind: Node\nmetadata: {name: ${TEST_NODE}, labels: {kubernetes.io/hostname: ${TEST_NODE}, kubernetes.io/os: linux}}\n`);
}

export async function markPodRunning(cluster: KubeCluster, namespace: string, name: string, ip: string): Promise<void> {
  let pod = JSON.parse(await cluster.k(['get', 'pod', name, '-n', namespace, '-o', 'json'])) as PodJson;
  if (!pod.spec.nodeName) {
    // What the scheduler does: bind the pod to a node (spec.nodeName is set only through this).
    await ensureNode(cluster);
    await cluster.k(['create', '-f', '-'], `apiVersion: v1\nkind: Binding\nmetadata: {name: ${name}, namespace: ${namespace}}\ntarget: {apiVersion: v1, kind: Node, name: ${TEST_NODE}}\n`);
    pod = JSON.parse(await cluster.k(['get', 'pod', name, '-n', namespace, '-o', 'json'])) as PodJson;
  }
  const now = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
  const running = (c: { name: string; image: string }) => ({
    name: c.name, image: c.image, imageID: '', ready: true, started: true, restartCount: 0, state: { running: { startedAt: now } },
  });
  const sidecars = (pod.spec.initContainers ?? []).filter((c) => c.restartPolicy === 'Always');
  const done = (pod.spec.initContainers ?? []).filter((c) => c.restartPolicy !== 'Always').map((c) => ({
    name: c.name, image: c.image, imageID: '', ready: true, restartCount: 0, state: { terminated: { exitCode: 0, reason: 'Completed', startedAt: now, finishedAt: now } },
  }));
  const cond = (type: string) => ({ type, status: 'True', lastTransitionTime: now });
  const status = {
    phase: 'Running',
    podIP: ip,
    podIPs: [{ ip }],
    hostIP: ip,
    startTime: now,
    conditions: ['PodScheduled', 'Initialized', 'ContainersReady', 'Ready'].map(cond),
    containerStatuses: pod.spec.containers.map(running),
    ...(pod.spec.initContainers?.length ? { initContainerStatuses: [...done, ...sidecars.map(running)] } : {}),
  };
  await cluster.k(['patch', 'pod', name, '-n', namespace, '--subresource=status', '--type=merge', '-p', JSON.stringify({ status })]);
}

/** Waits for pods matching a selector to exist (a controller creates them), and returns their names. */
export async function podsOf(cluster: KubeCluster, namespace: string, selector: string, count = 1, timeoutMs = 30_000): Promise<string[]> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const out = await cluster.k(['get', 'pods', '-n', namespace, '-l', selector, '-o', 'jsonpath={.items[*].metadata.name}']);
    const names = out.split(/\s+/).filter(Boolean);
    if (names.length >= count) return names;
    if (Date.now() > end) throw new Error(`no pods for ${selector} in ${namespace} within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** What a kubelet does for pods being deleted: stops them and confirms (deletes them for good). */
export async function finishTerminatingPods(cluster: KubeCluster, namespace: string): Promise<void> {
  const out = await cluster.kubectl(['get', 'pods', '-n', namespace, '-o', 'jsonpath={range .items[?(@.metadata.deletionTimestamp)]}{.metadata.name}{"\\n"}{end}']);
  for (const name of out.stdout.split('\n').filter(Boolean)) {
    await cluster.kubectl(['delete', 'pod', name, '-n', namespace, '--grace-period=0', '--force', '--wait=false']);
  }
}
