// @sempair/cli: the `sempair` command line. Commands live in ./commands (oclif pattern strategy).
export { SempairCommand } from './base-command.js';
export type { SempairRegisterOptions } from './registry/load-registry.js';
export { loadConfigFile, type FileConfig } from './config/load-config.js';
