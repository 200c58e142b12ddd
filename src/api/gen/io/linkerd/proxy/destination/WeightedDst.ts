// Original file: src/api/proto/destination.proto


export interface WeightedDst {
  'authority'?: (string);
  'weight'?: (number);
}

export interface WeightedDst__Output {
  'authority': (string);
  'weight': (number);
}
