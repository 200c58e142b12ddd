import type * as grpc from '@grpc/grpc-js';
import type { MessageTypeDefinition } from '@grpc/proto-loader';

import type { Forbidden as _io_linkerd_proxy_opaque_route_Forbidden, Forbidden__Output as _io_linkerd_proxy_opaque_route_Forbidden__Output } from './io/linkerd/proxy/opaque_route/Forbidden.js';
import type { Invalid as _io_linkerd_proxy_opaque_route_Invalid, Invalid__Output as _io_linkerd_proxy_opaque_route_Invalid__Output } from './io/linkerd/proxy/opaque_route/Invalid.js';

type SubtypeConstructor<Constructor extends new (...args: any) => any, Subtype> = {
  new(...args: ConstructorParameters<Constructor>): Subtype;
};

export interface ProtoGrpcType {
  io: {
    linkerd: {
      proxy: {
        opaque_route: {
          Forbidden: MessageTypeDefinition<_io_linkerd_proxy_opaque_route_Forbidden, _io_linkerd_proxy_opaque_route_Forbidden__Output>
          Invalid: MessageTypeDefinition<_io_linkerd_proxy_opaque_route_Invalid, _io_linkerd_proxy_opaque_route_Invalid__Output>
        }
      }
    }
  }
}

