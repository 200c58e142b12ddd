// Children (and temp directories) that must not outlive the test process, even when it is killed
// (a test file that times out is terminated by the runner, and no `after` or 'exit' handler runs
// then): they are listed in files that a small detached watcher reads once this process is gone,
// killing and removing what is still listed. A child stopped normally is taken off the list first, so a pid the
// system has since reused is never killed.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

interface State {
  readonly dir: string;
  readonly pids: Set<number>;
  readonly dirs: Set<string>;
  /** Shell commands run (in order) after the pids are killed, before the directories go. */
  readonly cmds: Set<string>;
}

let state: State | undefined;

function init(): State {
  if (state) return state;
  const dir = mkdtempSync(join(tmpdir(), 'weft-reaper-'));
  // $0 = our pid, $1 = the directory; sleeps 1 s at a time while we live.
  const script = 'while kill -0 "$0" 2>/dev/null; do sleep 1; done; [ -s "$1/pids" ] && kill -9 $(cat "$1/pids") 2>/dev/null; '
    + '[ -s "$1/cmds" ] && sh "$1/cmds" >/dev/null 2>&1; '
    + '[ -s "$1/dirs" ] && while read -r d; do rm -rf "$d"; done < "$1/dirs"; rm -rf "$1"';
  const watcher = spawn('sh', ['-c', script, String(process.pid), dir], { detached: true, stdio: 'ignore' });
  watcher.unref();
  state = { dir, pids: new Set(), dirs: new Set(), cmds: new Set() };
  process.once('exit', () => {
    // An exit without the children's after() hooks (an uncaught error): stop them now; then
    // nothing is left for the watcher, which removes the directory and ends.
    for (const pid of state?.pids ?? []) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
    try {
      writeFileSync(join(dir, 'pids'), '');
    } catch {
      // already gone
    }
    // Directories still listed are left to the watcher (it runs once this process is gone).
  });
  return state;
}

function save(s: State): void {
  writeFileSync(join(s.dir, 'pids'), [...s.pids].join(' '));
  writeFileSync(join(s.dir, 'dirs'), [...s.dirs].map((d) => d + '\n').join(''));
  writeFileSync(join(s.dir, 'cmds'), [...s.cmds].map((c) => c + '\n').join(''));
}

/**
 * Runs the shell command `cmd` if this process dies before calling forget() (for cleanups that
 * are more than killing a process or removing a directory: mounts, network devices, cgroups).
 */
export function runWithTest(cmd: string): { forget(): void } {
  const s = init();
  s.cmds.add(cmd);
  save(s);
  return {
    forget: () => {
      s.cmds.delete(cmd);
      save(s);
    },
  };
}

/** Removes `dir` if this process dies without removing it; call forget() once it is removed. */
export function removeWithTest(dir: string): { forget(): void } {
  const s = init();
  s.dirs.add(dir);
  save(s);
  return {
    forget: () => {
      s.dirs.delete(dir);
      save(s);
    },
  };
}

/** Kills `child` if this process dies before the child has exited. */
export function reapWithTest(child: ChildProcess): void {
  if (child.pid === undefined) return;
  const s = init();
  const pid = child.pid;
  s.pids.add(pid);
  save(s);
  child.once('exit', () => {
    s.pids.delete(pid);
    save(s);
  });
}

