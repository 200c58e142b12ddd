import type * as grpc from '@grpc/grpc-js';
import type { MessageTypeDefinition } from '@grpc/proto-loader';

import type { Headers as _io_linkerd_proxy_http_types_Headers, Headers__Output as _io_linkerd_proxy_http_types_Headers__Output } from './io/linkerd/proxy/http_types/Headers.js';
import type { HttpMethod as _io_linkerd_proxy_http_types_HttpMethod, HttpMethod__Output as _io_linkerd_proxy_http_types_HttpMethod__Output } from './io/linkerd/proxy/http_types/HttpMethod.js';
import type { Scheme as _io_linkerd_proxy_http_types_Scheme, Scheme__Output as _io_linkerd_proxy_http_types_Scheme__Output } from './io/linkerd/proxy/http_types/Scheme.js';

type SubtypeConstructor<Constructor extends new (...args: any) => any, Subtype> = {
  new(...args: ConstructorParameters<Constructor>): Subtype;
};

export interface ProtoGrpcType {
  io: {
    linkerd: {
      proxy: {
        http_types: {
          Headers: MessageTypeDefinition<_io_linkerd_proxy_http_types_Headers, _io_linkerd_proxy_http_types_Headers__Output>
          HttpMethod: MessageTypeDefinition<_io_linkerd_proxy_http_types_HttpMethod, _io_linkerd_proxy_http_types_HttpMethod__Output>
          Scheme: MessageTypeDefinition<_io_linkerd_proxy_http_types_Scheme, _io_linkerd_proxy_http_types_Scheme__Output>
        }
      }
    }
  }
}

