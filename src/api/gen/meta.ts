import type * as grpc from '@grpc/grpc-js';
import type { MessageTypeDefinition } from '@grpc/proto-loader';

import type { Metadata as _io_linkerd_proxy_meta_Metadata, Metadata__Output as _io_linkerd_proxy_meta_Metadata__Output } from './io/linkerd/proxy/meta/Metadata.js';
import type { Resource as _io_linkerd_proxy_meta_Resource, Resource__Output as _io_linkerd_proxy_meta_Resource__Output } from './io/linkerd/proxy/meta/Resource.js';

type SubtypeConstructor<Constructor extends new (...args: any) => any, Subtype> = {
  new(...args: ConstructorParameters<Constructor>): Subtype;
};

export interface ProtoGrpcType {
  io: {
    linkerd: {
      proxy: {
        meta: {
          Metadata: MessageTypeDefinition<_io_linkerd_proxy_meta_Metadata, _io_linkerd_proxy_meta_Metadata__Output>
          Resource: MessageTypeDefinition<_io_linkerd_proxy_meta_Resource, _io_linkerd_proxy_meta_Resource__Output>
        }
      }
    }
  }
}

