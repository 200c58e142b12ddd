// Registry of CLI commands: add one import and one entry per command file.
import type { Command } from 'commander';
import { register as init } from './init.js';

export type RegisterCommand = (program: Command) => void;

export const commands: RegisterCommand[] = [init];
