// Registry of CLI commands: add one import and one entry per command file.
import type { Command } from 'commander';
import { register as init } from './init.js';
import { register as apply } from './apply.js';
import { register as del } from './delete.js';
import { register as destination } from './destination.js';
import { register as identity } from './identity.js';
import { register as control } from './control.js';
import { register as up } from './up.js';
import { register as down } from './down.js';
import { register as ps } from './ps.js';
import { register as logs } from './logs.js';
import { register as demo } from './demo.js';
import { register as viz } from './viz.js';
import { register as supervise } from './supervise.js';
import { register as install } from './install.js';
import { register as inject } from './inject.js';
import { register as uninject } from './uninject.js';
import { register as injector } from './injector.js';
import { register as uninstall } from './uninstall.js';
import { register as upgrade } from './upgrade.js';
import { register as check } from './check.js';
import { register as heartbeat } from './heartbeat.js';
import { register as awaitProxy } from './await.js';
import { register as web } from './web.js';
import { register as dashboard } from './dashboard.js';

export type RegisterCommand = (program: Command) => void;

export const commands: RegisterCommand[] = [
  init, apply, del, destination, identity, control, up, down, ps, logs, demo, viz, supervise,
  install, uninstall, upgrade, check, inject, uninject, injector, heartbeat, awaitProxy, web, dashboard,
];
