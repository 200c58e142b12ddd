// Original file: destination.proto

import type { Duration as _google_protobuf_Duration, Duration__Output as _google_protobuf_Duration__Output } from '../../../../google/protobuf/Duration.js';

export interface RetryBudget {
  'retryRatio'?: (number | string);
  'minRetriesPerSecond'?: (number);
  'ttl'?: (_google_protobuf_Duration | null);
}

export interface RetryBudget__Output {
  'retryRatio': (number);
  'minRetriesPerSecond': (number);
  'ttl': (_google_protobuf_Duration__Output | null);
}
