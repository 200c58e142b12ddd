// Registry of CLI commands: add one import and one entry per command file.
import type { Command } from 'commander';
import { register as init } from './init.js';
import { register as apply } from './apply.js';
import { register as del } from './delete.js';
import { register as destination } from './destination.js';
import { register as identity } from './identity.js';

export type RegisterCommand = (program: Command) => void;

export const commands: RegisterCommand[] = [init, apply, del, destination, identity];
