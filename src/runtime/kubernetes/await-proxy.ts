// For workloads next to a classic sidecar (Linkerd's linkerd-await): wait until the proxy is
// ready before the app starts (the proxy's postStart hook does this too), and tell the proxy to
// exit once the app has (POST /shutdown on the admin port, accepted from localhost only), so a
// Job's pod can complete. Native sidecars need neither: Kubernetes starts them first and stops
// them after the app.
import { WeftError } from '../../lib/errors.js';

export class AwaitTimeoutError extends WeftError {
  constructor(admin: string, ms: number, last: string) {
    super('WEFT_ERR_AWAIT_TIMEOUT', `the proxy at ${admin} was not ready within ${ms} ms (${last})`);
  }
}

export async function waitForProxy(admin: string, timeoutMs: number, pollMs = 100): Promise<void> {
  const end = Date.now() + timeoutMs;
  let last: string;
  for (;;) {
    try {
      const res = await fetch(`http://${admin}/ready`, { signal: AbortSignal.timeout(1000) });
      await res.arrayBuffer();
      if (res.status === 200) return;
      last = `/ready answered ${res.status}`;
    } catch (err) {
      last = (err as Error).message;
    }
    if (Date.now() >= end) throw new AwaitTimeoutError(admin, timeoutMs, last);
    await new Promise((r) => setTimeout(r, pollMs));
  }
}

/** Asks the proxy to exit; false when it could not be reached (it may be gone already). */
export async function shutdownProxy(admin: string): Promise<boolean> {
  try {
    const res = await fetch(`http://${admin}/shutdown`, { method: 'POST', signal: AbortSignal.timeout(5000) });
    await res.arrayBuffer();
    return res.status === 200;
  } catch {
    return false;
  }
}
