// Manifests shared by the destination tests.
export const WEB = `
apiVersion: v1
kind: Service
metadata: {name: web, namespace: shop}
spec:
  clusterIP: 10.96.0.20
  ports: [{name: http, port: 80, targetPort: 8080}, {name: db, port: 3306}]
---
apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata:
  name: web-a
  namespace: shop
  labels: {kubernetes.io/service-name: web}
endpoints:
- addresses: [10.1.0.1]
  zone: z1
  targetRef: {kind: Pod, name: web-1, namespace: shop, serviceAccountName: web}
- addresses: [10.1.0.2]
  conditions: {ready: true}
  targetRef: {kind: Pod, name: web-2, namespace: shop, serviceAccountName: web}
- addresses: [10.1.0.9]
  conditions: {ready: false}
ports: [{name: http, port: 8080}, {name: db, port: 3306}]
`;

export function slice(name: string, ips: string[]): string {
  return `
apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata:
  name: ${name}
  namespace: shop
  labels: {kubernetes.io/service-name: web}
endpoints:
${ips.map((ip, i) => `- addresses: [${ip}]\n  targetRef: {kind: Pod, name: ${name}-${i}, namespace: shop, serviceAccountName: web}`).join('\n')}
ports: [{name: http, port: 8080}]
`;
}

export const PROFILE = (timeout: string): string => `
apiVersion: linkerd.io/v1alpha2
kind: ServiceProfile
metadata: {name: web.shop.svc.cluster.local, namespace: shop}
spec:
  routes:
  - name: GET /items
    condition: {method: GET, pathRegex: /items(/.*)?}
    isRetryable: true
    timeout: ${timeout}
    responseClasses:
    - condition: {status: {min: 500, max: 599}}
      isFailure: true
  dstOverrides:
  - {authority: web-v2.shop.svc.cluster.local:80, weight: 250m}
  - {authority: web.shop.svc.cluster.local:80, weight: 750m}
  opaquePorts: [3306]
`;
