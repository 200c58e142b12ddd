// The dashboard's JSON and SSE payloads: the one contract between the web server (Node) and the
// page (browser modules under ui/, compiled by their own tsconfig). Types only, no code, so both
// sides can include this file.

/** One workload (Deployment) row, as the metrics API's stat gives it, plus recent history. */
export interface WorkloadSummary {
  readonly namespace: string;
  readonly name: string;
  readonly meshedPods: number;
  readonly pods: number;
  /** 0..1; null without responses in the window. */
  readonly successRate: number | null;
  readonly rps: number;
  readonly p50: number | null;
  readonly p99: number | null;
  readonly tcpConnections: number;
  /** Requests per second at each of the last polls, oldest first (sparkline). */
  readonly rpsHistory: readonly number[];
}

export interface NamespaceSummary {
  readonly name: string;
  readonly meshedPods: number;
  readonly pods: number;
  readonly successRate: number | null;
  readonly rps: number;
  readonly p50: number | null;
  readonly p99: number | null;
}

export interface Overview {
  readonly window: string;
  /** ISO time of the poll that produced it. */
  readonly at: string;
  readonly namespaces: readonly NamespaceSummary[];
  readonly workloads: readonly WorkloadSummary[];
}

/** One edge of the topology: what `src` sent to `dst` in the window. */
export interface TopologyEdge {
  readonly src: string;
  readonly srcNamespace: string;
  readonly dst: string;
  readonly dstNamespace: string;
  readonly secured: boolean;
  readonly clientId: string;
  readonly serverId: string;
  readonly msg: string;
  /** From the source's outbound side (`stat --from`); null when the source is not meshed. */
  readonly rps: number | null;
  readonly successRate: number | null;
}

export interface Topology {
  readonly window: string;
  readonly at: string;
  /** "namespace/name" of every workload, with traffic or not. */
  readonly nodes: readonly { readonly namespace: string; readonly name: string; readonly rps: number; readonly successRate: number | null }[];
  readonly edges: readonly TopologyEdge[];
}

export interface RouteSummary {
  readonly route: string;
  readonly service: string;
  readonly successRate: number | null;
  readonly rps: number;
  readonly p50: number | null;
  readonly p99: number | null;
}

export interface WorkloadDetail {
  readonly window: string;
  readonly namespace: string;
  readonly name: string;
  readonly summary: WorkloadSummary | null;
  readonly inbound: readonly TopologyEdge[];
  readonly outbound: readonly TopologyEdge[];
  readonly routes: readonly RouteSummary[];
  /** Why there are no routes (no ServiceProfile, no Service), or ''. */
  readonly routesNote: string;
}

export type HealthState = 'ok' | 'down' | 'unknown';

export interface ComponentHealth {
  readonly name: 'identity' | 'destination' | 'metrics-api' | 'prometheus';
  readonly state: HealthState;
  readonly address: string;
  /** What was checked, or why it failed. */
  readonly detail: string;
  /** Latency of the probe in ms (when it answered). */
  readonly ms: number | null;
}

export interface CertificateInfo {
  readonly name: string;
  readonly subject: string;
  readonly notBefore: string;
  readonly notAfter: string;
  readonly daysLeft: number;
  /** Share of its lifetime left, 0..1 (the issuer lives a day, the anchor a year). */
  readonly lifeLeft: number;
}

export interface Health {
  readonly at: string;
  readonly components: readonly ComponentHealth[];
  readonly certificates: readonly CertificateInfo[];
}

/** A request seen by tap (the tap source's events, as the page shows them). */
export interface TapEventView {
  readonly at: string;
  readonly direction: 'inbound' | 'outbound';
  readonly source: string;
  readonly destination: string;
  readonly method: string;
  readonly authority: string;
  readonly path: string;
  readonly status: number | null;
  readonly latencyMs: number | null;
  readonly tls: boolean;
}

/** The error body of every JSON endpoint (and an SSE `problem` event). */
export interface ApiError {
  readonly error: { readonly code: string; readonly message: string };
}
