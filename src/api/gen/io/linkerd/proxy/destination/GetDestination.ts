// Original file: destination.proto


export interface GetDestination {
  'scheme'?: (string);
  'path'?: (string);
  'contextToken'?: (string);
}

export interface GetDestination__Output {
  'scheme': (string);
  'path': (string);
  'contextToken': (string);
}
