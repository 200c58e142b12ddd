// SO_ORIGINAL_DST through weft's native addon (native/): for a connection that iptables
// REDIRECTed to the proxy, the kernel's conntrack entry still holds the address the client
// dialled. The addon is loaded lazily, on first use, so a proxy without it (no toolchain at
// install, non-Linux) still starts, and isAvailable() tells why interception is off.
import { fs } from '../../lib/builtins.js';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Socket } from 'node:net';
import type { Address } from '../../lib/address.js';
import { WeftError } from '../../lib/errors.js';
import type { OriginalDst } from './original-dst.js';

/** The addon's binary, relative to the repository (or installed package) root. */
export const NATIVE_ADDON_RELATIVE_PATH = join('native', 'build', 'Release', 'weft_native.node');

export interface NativeOriginalDst {
  readonly host: string;
  readonly port: number;
  readonly family: 'IPv4' | 'IPv6';
}

/** What the addon exports (native/src/original_dst.c). */
export interface NativeAddon {
  /** null when the kernel has no original destination for the socket (not redirected/tracked). */
  getOriginalDst(fd: number): NativeOriginalDst | null;
}

export type Availability = { readonly available: true } | { readonly available: false; readonly reason: string };

/** The addon could not be found or loaded: interception cannot work in this process. */
export class NativeAddonUnavailableError extends WeftError {
  constructor(reason: string, options?: { cause?: unknown }) {
    super('WEFT_ERR_NATIVE_UNAVAILABLE', `native addon unavailable: ${reason}`, options);
  }
}

/** Walks up from this module to the directory that holds the built addon. */
export function findNativeAddon(startDir = dirname(fileURLToPath(import.meta.url))): string | undefined {
  let dir = startDir;
  for (let i = 0; i < 8; i++) {
    const candidate = join(dir, NATIVE_ADDON_RELATIVE_PATH);
    if (fs.existsSync(candidate)) return candidate;
    const parent = dirname(dir);
    if (parent === dir) break;
    dir = parent;
  }
  return undefined;
}

/** Loads the addon; throws NativeAddonUnavailableError with the reason. */
export function loadNativeAddon(path?: string): NativeAddon {
  if (process.platform !== 'linux') {
    throw new NativeAddonUnavailableError(`SO_ORIGINAL_DST is Linux-only (platform ${process.platform})`);
  }
  const file = path ?? findNativeAddon();
  if (!file) {
    throw new NativeAddonUnavailableError(`${NATIVE_ADDON_RELATIVE_PATH} not built (run \`npm run build:native\`)`);
  }
  try {
    const mod = createRequire(import.meta.url)(file) as Partial<NativeAddon>;
    if (typeof mod.getOriginalDst !== 'function') throw new Error('getOriginalDst is not exported');
    return mod as NativeAddon;
  } catch (err) {
    throw new NativeAddonUnavailableError(`cannot load ${file}: ${(err as Error).message}`, { cause: err });
  }
}

/** The OS file descriptor behind a net.Socket (libuv's TCP handle), or undefined. */
export function socketFd(socket: Socket): number | undefined {
  const handle = (socket as unknown as { _handle?: { fd?: unknown } | null })._handle;
  const fd = handle?.fd;
  return typeof fd === 'number' && fd >= 0 ? fd : undefined;
}

function unmapV4(host: string): string {
  return host.startsWith('::ffff:') && host.includes('.') ? host.slice(7) : host;
}

export interface SoOriginalDstOptions {
  /** Path to weft_native.node; found beside the package by default. */
  readonly addonPath?: string;
  /** An already loaded addon (tests, or a caller that loaded it itself). */
  readonly addon?: NativeAddon;
  /** Told about lookups that failed for reasons other than "not redirected". */
  readonly onError?: (err: unknown) => void;
}

export class SoOriginalDst implements OriginalDst {
  private addon: NativeAddon | undefined;
  private loadError: NativeAddonUnavailableError | undefined;

  constructor(private readonly options: SoOriginalDstOptions = {}) {
    this.addon = options.addon;
  }

  /** Loads the addon if not yet tried; says why interception is off when it cannot be. */
  isAvailable(): Availability {
    const addon = this.load();
    return addon ? { available: true } : { available: false, reason: this.loadError?.message ?? 'unknown' };
  }

  lookup(socket: Socket): Address | undefined {
    const addon = this.load();
    if (!addon) return undefined;
    const fd = socketFd(socket);
    if (fd === undefined) return undefined;
    let dst: NativeOriginalDst | null;
    try {
      dst = addon.getOriginalDst(fd);
    } catch (err) {
      this.options.onError?.(err);
      return undefined;
    }
    if (!dst) return undefined;
    const host = unmapV4(dst.host);
    // conntrack knows every tracked connection, redirected or not; for one that came straight
    // to the proxy's listener the "original" destination is the listener itself.
    const localHost = socket.localAddress === undefined ? undefined : unmapV4(socket.localAddress);
    if (host === localHost && dst.port === socket.localPort) return undefined;
    return { host, port: dst.port };
  }

  private load(): NativeAddon | undefined {
    if (this.addon || this.loadError) return this.addon;
    try {
      this.addon = loadNativeAddon(this.options.addonPath);
    } catch (err) {
      this.loadError =
        err instanceof NativeAddonUnavailableError ? err : new NativeAddonUnavailableError(String(err), { cause: err });
    }
    return this.addon;
  }
}
