// A small leveled logger writing one line per event to stderr. The level can be changed at
// run time (the proxy's admin /proxy-log-level), so it is a mutable object passed down, not a
// module-level constant. Kept hand-written: the proxy must stay small (no pino/winston).

export const LOG_LEVELS = ['error', 'warn', 'info', 'debug', 'trace'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export function isLogLevel(s: string): s is LogLevel {
  return (LOG_LEVELS as readonly string[]).includes(s);
}

export class Logger {
  private rank: number;
  constructor(
    private levelName: LogLevel = 'info',
    private readonly scope = 'weft',
    private readonly sink: (line: string) => void = (l) => process.stderr.write(l + '\n'),
  ) {
    this.rank = LOG_LEVELS.indexOf(levelName);
  }

  get level(): LogLevel {
    return this.levelName;
  }

  setLevel(level: LogLevel): void {
    this.levelName = level;
    this.rank = LOG_LEVELS.indexOf(level);
  }

  enabled(level: LogLevel): boolean {
    return LOG_LEVELS.indexOf(level) <= this.rank;
  }

  /** A logger sharing this one's level but naming another scope. */
  child(scope: string): Logger {
    const c = new Logger(this.levelName, `${this.scope}:${scope}`, this.sink);
    // Children follow the parent's level even after setLevel on the parent.
    Object.defineProperty(c, 'rank', { get: () => this.rank });
    Object.defineProperty(c, 'levelName', { get: () => this.levelName });
    return c;
  }

  private write(level: LogLevel, msg: string, fields?: Record<string, unknown>): void {
    if (!this.enabled(level)) return;
    let line = `${new Date().toISOString()} ${level.toUpperCase().padEnd(5)} ${this.scope} ${msg}`;
    if (fields) {
      for (const [k, v] of Object.entries(fields)) {
        line += ` ${k}=${v instanceof Error ? JSON.stringify(v.message) : JSON.stringify(v)}`;
      }
    }
    this.sink(line);
  }

  error(msg: string, fields?: Record<string, unknown>): void { this.write('error', msg, fields); }
  warn(msg: string, fields?: Record<string, unknown>): void { this.write('warn', msg, fields); }
  info(msg: string, fields?: Record<string, unknown>): void { this.write('info', msg, fields); }
  debug(msg: string, fields?: Record<string, unknown>): void { this.write('debug', msg, fields); }
  trace(msg: string, fields?: Record<string, unknown>): void { this.write('trace', msg, fields); }
}
