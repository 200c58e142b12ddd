// Original file: outbound.proto

import type { Duration as _google_protobuf_Duration, Duration__Output as _google_protobuf_Duration__Output } from '../../../../google/protobuf/Duration.js';

export interface ExponentialBackoff {
  'minBackoff'?: (_google_protobuf_Duration | null);
  'maxBackoff'?: (_google_protobuf_Duration | null);
  'jitterRatio'?: (number | string);
  'respectRetryAfterHint'?: (boolean);
}

export interface ExponentialBackoff__Output {
  'minBackoff': (_google_protobuf_Duration__Output | null);
  'maxBackoff': (_google_protobuf_Duration__Output | null);
  'jitterRatio': (number);
  'respectRetryAfterHint': (boolean);
}
