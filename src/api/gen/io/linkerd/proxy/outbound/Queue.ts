// Original file: outbound.proto

import type { Duration as _google_protobuf_Duration, Duration__Output as _google_protobuf_Duration__Output } from '../../../../google/protobuf/Duration.js';

export interface Queue {
  'capacity'?: (number);
  'failfastTimeout'?: (_google_protobuf_Duration | null);
}

export interface Queue__Output {
  'capacity': (number);
  'failfastTimeout': (_google_protobuf_Duration__Output | null);
}
