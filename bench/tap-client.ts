// For the tap-overhead row: the tap component's side of one active tap — an identity from the
// bench's identity service (join token, as `weft control` does) and one Observe stream on the
// tapped proxy, read as fast as it comes, counting events.
import { tapWorkloadId } from '../src/control/tap/identity.js';
import { observeProxy } from '../src/control/tap/proxy-client.js';
import { IdentityClient } from '../src/proxy/identity/client.js';
import type { BenchIdentity } from './identity-fixture.js';

export interface ActiveTap {
  readonly events: () => number;
  close(): void;
}

export async function startActiveTap(identity: BenchIdentity, tapAddr: string, proxyIdentity: string): Promise<ActiveTap> {
  const id = tapWorkloadId(identity.service.trustDomain);
  const client = new IdentityClient({
    identity: id, token: () => Buffer.from(identity.service.issueJoinToken(id)), trustAnchorsPem: identity.service.trustAnchorPem,
    address: `127.0.0.1:${identity.service.port}`,
  });
  client.start();
  const keep = setInterval(() => {}, 1000);
  try {
    await client.ready;
  } finally {
    clearInterval(keep);
  }
  const h = observeProxy({ addr: tapAddr, identity: proxyIdentity }, client.secureContext(), { limit: 1_000_000 });
  let n = 0;
  h.stream.on('data', () => n++);
  h.stream.on('error', () => {});
  return {
    events: () => n,
    close() {
      h.close();
      client.close();
    },
  };
}
