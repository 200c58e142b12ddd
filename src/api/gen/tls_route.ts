import type * as grpc from '@grpc/grpc-js';
import type { MessageTypeDefinition } from '@grpc/proto-loader';

import type { SniMatch as _io_linkerd_proxy_tls_route_SniMatch, SniMatch__Output as _io_linkerd_proxy_tls_route_SniMatch__Output } from './io/linkerd/proxy/tls_route/SniMatch.js';

type SubtypeConstructor<Constructor extends new (...args: any) => any, Subtype> = {
  new(...args: ConstructorParameters<Constructor>): Subtype;
};

export interface ProtoGrpcType {
  io: {
    linkerd: {
      proxy: {
        tls_route: {
          SniMatch: MessageTypeDefinition<_io_linkerd_proxy_tls_route_SniMatch, _io_linkerd_proxy_tls_route_SniMatch__Output>
        }
      }
    }
  }
}

