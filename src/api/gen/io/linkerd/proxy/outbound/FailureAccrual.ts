// Original file: outbound.proto

import type { EjectionConfig as _io_linkerd_proxy_outbound_EjectionConfig, EjectionConfig__Output as _io_linkerd_proxy_outbound_EjectionConfig__Output } from '../../../../io/linkerd/proxy/outbound/EjectionConfig.js';
import type { ExponentialBackoff as _io_linkerd_proxy_outbound_ExponentialBackoff, ExponentialBackoff__Output as _io_linkerd_proxy_outbound_ExponentialBackoff__Output } from '../../../../io/linkerd/proxy/outbound/ExponentialBackoff.js';
import type { Duration as _google_protobuf_Duration, Duration__Output as _google_protobuf_Duration__Output } from '../../../../google/protobuf/Duration.js';

export interface _io_linkerd_proxy_outbound_FailureAccrual_ConsecutiveFailures {
  'maxFailures'?: (number);
  'backoff'?: (_io_linkerd_proxy_outbound_ExponentialBackoff | null);
}

export interface _io_linkerd_proxy_outbound_FailureAccrual_ConsecutiveFailures__Output {
  'maxFailures': (number);
  'backoff': (_io_linkerd_proxy_outbound_ExponentialBackoff__Output | null);
}

export interface _io_linkerd_proxy_outbound_FailureAccrual_Unified {
  'successRateThreshold'?: (number | string);
  'decay'?: (_google_protobuf_Duration | null);
  'minRequests'?: (number);
  'maxConsecutiveFailures'?: (number);
  'backoff'?: (_io_linkerd_proxy_outbound_ExponentialBackoff | null);
}

export interface _io_linkerd_proxy_outbound_FailureAccrual_Unified__Output {
  'successRateThreshold': (number);
  'decay': (_google_protobuf_Duration__Output | null);
  'minRequests': (number);
  'maxConsecutiveFailures': (number);
  'backoff': (_io_linkerd_proxy_outbound_ExponentialBackoff__Output | null);
}

export interface FailureAccrual {
  'consecutiveFailures'?: (_io_linkerd_proxy_outbound_FailureAccrual_ConsecutiveFailures | null);
  'unified'?: (_io_linkerd_proxy_outbound_FailureAccrual_Unified | null);
  'ejection'?: (_io_linkerd_proxy_outbound_EjectionConfig | null);
  'kind'?: "consecutiveFailures"|"unified";
}

export interface FailureAccrual__Output {
  'consecutiveFailures'?: (_io_linkerd_proxy_outbound_FailureAccrual_ConsecutiveFailures__Output | null);
  'unified'?: (_io_linkerd_proxy_outbound_FailureAccrual_Unified__Output | null);
  'ejection': (_io_linkerd_proxy_outbound_EjectionConfig__Output | null);
  'kind'?: "consecutiveFailures"|"unified";
}
