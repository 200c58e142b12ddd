// A minimal kubeconfig naming one API server with a token user, for the CLI's error paths
// (an API server that is down, refuses, or is not there).
import { writeFile } from 'node:fs/promises';

export function kubeconfigText(server: string, o: { insecure?: boolean } = {}): string {
  const cluster = o.insecure ? `{server: "${server}", insecure-skip-tls-verify: true}` : `{server: "${server}"}`;
  return [
    'apiVersion: v1',
    'kind: Config',
    'current-context: c',
    `clusters: [{name: c, cluster: ${cluster}}]`,
    'users: [{name: u, user: {token: t}}]',
    'contexts: [{name: c, context: {cluster: c, user: u}}]',
    '',
  ].join('\n');
}

/** Writes kubeconfigText(server) to `file`; returns `file`. */
export async function writeKubeconfig(file: string, server: string, o: { insecure?: boolean } = {}): Promise<string> {
  await writeFile(file, kubeconfigText(server, o));
  return file;
}
