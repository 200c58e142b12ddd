// `weft apply -f file.yaml`: on a running mesh (`weft up`), the file goes to its supervisor and
// takes effect live — Deployments start, change or scale, Services get their cluster IPs,
// profiles reach the proxies (--prune also removes what the mesh has and the file does not
// name). Without a running mesh, Services, EndpointSlices and ServiceProfiles are validated and
// written to the local store, which a running `weft destination` follows.
import type { Command } from 'commander';
import { DEFAULT_STATE_DIR } from '../control/store/state-dir.js';
import { applyFiles } from '../control/store/apply.js';
import { changeLive, findRunningMesh, hasDeployment, NoRunningMeshError, readManifestText } from '../runtime/local/live-apply.js';

export function register(program: Command): void {
  program
    .command('apply')
    .description('create or update resources from YAML files: live on a running mesh, else in the local store')
    .requiredOption('-f, --filename <file...>', 'manifest files ("-" for stdin)')
    .option('--state-dir <dir>', 'weft state directory of a running mesh, or a local store directory', DEFAULT_STATE_DIR)
    .option('--prune', 'on a running mesh: also remove the Deployments, Services and resources the files do not name')
    .action(async (flags: { filename: string[]; stateDir: string; prune?: boolean }) => {
      const mesh = await findRunningMesh(flags.stateDir);
      if (mesh) {
        for (const line of await changeLive(mesh, flags.filename, 'apply', { prune: flags.prune === true })) console.log(line);
        return;
      }
      for (const f of flags.filename) if (f !== '-' && hasDeployment(await readManifestText(f))) throw new NoRunningMeshError(flags.stateDir, `${f}: Deployments`);
      if (flags.prune) throw new NoRunningMeshError(flags.stateDir, '--prune and Deployments');
      for (const line of await applyFiles(flags.stateDir, flags.filename, 'apply')) console.log(line);
    });
}
