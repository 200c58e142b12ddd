// Original file: inbound.proto


export interface Identity {
  'name'?: (string);
}

export interface Identity__Output {
  'name': (string);
}
