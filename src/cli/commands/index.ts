/** Every command, in the order `k8smon --help` lists them. Adding one is a file here and a line below. */
import type { CommandDefinition } from '../command.js';
import { agentCommand } from './agent.js';
import { applyCommand } from './apply.js';
import { checkCommand } from './check.js';
import { completionCommand } from './completion.js';
import { deleteCommand } from './delete.js';
import { diffCommand } from './diff.js';
import { estimateCommand } from './estimate.js';
import { initCommand } from './init.js';
import { presetsCommand } from './presets.js';
import { renderCommand } from './render.js';
import { schemaCommand } from './schema.js';
import { snapshotCommand } from './snapshot.js';
import { targetsCommand } from './targets.js';

export const COMMANDS: readonly CommandDefinition[] = [
  renderCommand,
  applyCommand,
  diffCommand,
  deleteCommand,
  initCommand,
  snapshotCommand,
  targetsCommand,
  checkCommand,
  estimateCommand,
  agentCommand,
  presetsCommand,
  schemaCommand,
  completionCommand,
];
