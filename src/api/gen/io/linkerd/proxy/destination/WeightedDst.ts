// Original file: destination.proto


export interface WeightedDst {
  'authority'?: (string);
  'weight'?: (number);
}

export interface WeightedDst__Output {
  'authority': (string);
  'weight': (number);
}
