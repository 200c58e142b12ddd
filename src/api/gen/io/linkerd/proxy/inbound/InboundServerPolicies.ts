// Original file: inbound.proto

import type * as grpc from '@grpc/grpc-js'
import type { MethodDefinition } from '@grpc/proto-loader'
import type { PortSpec as _io_linkerd_proxy_inbound_PortSpec, PortSpec__Output as _io_linkerd_proxy_inbound_PortSpec__Output } from '../../../../io/linkerd/proxy/inbound/PortSpec.js';
import type { Server as _io_linkerd_proxy_inbound_Server, Server__Output as _io_linkerd_proxy_inbound_Server__Output } from '../../../../io/linkerd/proxy/inbound/Server.js';

export interface InboundServerPoliciesClient extends grpc.Client {
  GetPort(argument: _io_linkerd_proxy_inbound_PortSpec, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_io_linkerd_proxy_inbound_Server__Output>): grpc.ClientUnaryCall;
  GetPort(argument: _io_linkerd_proxy_inbound_PortSpec, metadata: grpc.Metadata, callback: grpc.requestCallback<_io_linkerd_proxy_inbound_Server__Output>): grpc.ClientUnaryCall;
  GetPort(argument: _io_linkerd_proxy_inbound_PortSpec, options: grpc.CallOptions, callback: grpc.requestCallback<_io_linkerd_proxy_inbound_Server__Output>): grpc.ClientUnaryCall;
  GetPort(argument: _io_linkerd_proxy_inbound_PortSpec, callback: grpc.requestCallback<_io_linkerd_proxy_inbound_Server__Output>): grpc.ClientUnaryCall;
  getPort(argument: _io_linkerd_proxy_inbound_PortSpec, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_io_linkerd_proxy_inbound_Server__Output>): grpc.ClientUnaryCall;
  getPort(argument: _io_linkerd_proxy_inbound_PortSpec, metadata: grpc.Metadata, callback: grpc.requestCallback<_io_linkerd_proxy_inbound_Server__Output>): grpc.ClientUnaryCall;
  getPort(argument: _io_linkerd_proxy_inbound_PortSpec, options: grpc.CallOptions, callback: grpc.requestCallback<_io_linkerd_proxy_inbound_Server__Output>): grpc.ClientUnaryCall;
  getPort(argument: _io_linkerd_proxy_inbound_PortSpec, callback: grpc.requestCallback<_io_linkerd_proxy_inbound_Server__Output>): grpc.ClientUnaryCall;
  
  WatchPort(argument: _io_linkerd_proxy_inbound_PortSpec, metadata: grpc.Metadata, options?: grpc.CallOptions): grpc.ClientReadableStream<_io_linkerd_proxy_inbound_Server__Output>;
  WatchPort(argument: _io_linkerd_proxy_inbound_PortSpec, options?: grpc.CallOptions): grpc.ClientReadableStream<_io_linkerd_proxy_inbound_Server__Output>;
  watchPort(argument: _io_linkerd_proxy_inbound_PortSpec, metadata: grpc.Metadata, options?: grpc.CallOptions): grpc.ClientReadableStream<_io_linkerd_proxy_inbound_Server__Output>;
  watchPort(argument: _io_linkerd_proxy_inbound_PortSpec, options?: grpc.CallOptions): grpc.ClientReadableStream<_io_linkerd_proxy_inbound_Server__Output>;
  
}

export interface InboundServerPoliciesHandlers extends grpc.UntypedServiceImplementation {
  GetPort: grpc.handleUnaryCall<_io_linkerd_proxy_inbound_PortSpec__Output, _io_linkerd_proxy_inbound_Server>;
  
  WatchPort: grpc.handleServerStreamingCall<_io_linkerd_proxy_inbound_PortSpec__Output, _io_linkerd_proxy_inbound_Server>;
  
}

export interface InboundServerPoliciesDefinition extends grpc.ServiceDefinition {
  GetPort: MethodDefinition<_io_linkerd_proxy_inbound_PortSpec, _io_linkerd_proxy_inbound_Server, _io_linkerd_proxy_inbound_PortSpec__Output, _io_linkerd_proxy_inbound_Server__Output>
  WatchPort: MethodDefinition<_io_linkerd_proxy_inbound_PortSpec, _io_linkerd_proxy_inbound_Server, _io_linkerd_proxy_inbound_PortSpec__Output, _io_linkerd_proxy_inbound_Server__Output>
}
