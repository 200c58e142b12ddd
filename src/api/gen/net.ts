import type * as grpc from '@grpc/grpc-js';
import type { MessageTypeDefinition } from '@grpc/proto-loader';

import type { IPAddress as _io_linkerd_proxy_net_IPAddress, IPAddress__Output as _io_linkerd_proxy_net_IPAddress__Output } from './io/linkerd/proxy/net/IPAddress.js';
import type { IPNetwork as _io_linkerd_proxy_net_IPNetwork, IPNetwork__Output as _io_linkerd_proxy_net_IPNetwork__Output } from './io/linkerd/proxy/net/IPNetwork.js';
import type { IPv6 as _io_linkerd_proxy_net_IPv6, IPv6__Output as _io_linkerd_proxy_net_IPv6__Output } from './io/linkerd/proxy/net/IPv6.js';
import type { TcpAddress as _io_linkerd_proxy_net_TcpAddress, TcpAddress__Output as _io_linkerd_proxy_net_TcpAddress__Output } from './io/linkerd/proxy/net/TcpAddress.js';

type SubtypeConstructor<Constructor extends new (...args: any) => any, Subtype> = {
  new(...args: ConstructorParameters<Constructor>): Subtype;
};

export interface ProtoGrpcType {
  io: {
    linkerd: {
      proxy: {
        net: {
          IPAddress: MessageTypeDefinition<_io_linkerd_proxy_net_IPAddress, _io_linkerd_proxy_net_IPAddress__Output>
          IPNetwork: MessageTypeDefinition<_io_linkerd_proxy_net_IPNetwork, _io_linkerd_proxy_net_IPNetwork__Output>
          IPv6: MessageTypeDefinition<_io_linkerd_proxy_net_IPv6, _io_linkerd_proxy_net_IPv6__Output>
          TcpAddress: MessageTypeDefinition<_io_linkerd_proxy_net_TcpAddress, _io_linkerd_proxy_net_TcpAddress__Output>
        }
      }
    }
  }
}

