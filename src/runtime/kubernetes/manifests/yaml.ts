// Kubernetes objects -> the multi-document YAML `kubectl apply -f -` reads. Key order is the
// order objects are built in, so output is stable for golden files.
import { stringify } from 'yaml';

export type K8sObject = Record<string, unknown> & {
  readonly apiVersion: string;
  readonly kind: string;
  readonly metadata: { readonly name: string; readonly namespace?: string; readonly labels?: Record<string, string>; readonly annotations?: Record<string, string> };
};

export function toYaml(objects: readonly object[]): string {
  return objects.map((o) => '---\n' + stringify(o, { lineWidth: 0, aliasDuplicateObjects: false })).join('');
}
