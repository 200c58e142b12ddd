// weft's version, for `weft --version` and `weft proxy --version`. Kept equal to package.json's
// "version" by a test (reading package.json at run time would need its path from dist/).
export const VERSION = '0.1.0';
