import type { Config } from '@oclif/core';
import * as core from '@sempair/core';
import { createRegistry, isUserError, UserError, type Registry, type RegisterHookOptions } from '@sempair/core';
import * as tf from '@tensorflow/tfjs-core';
import { shareHostPackages } from './host-peers.js';

/**
 * What a `sempair:register` hook receives: the registry to add to, plus the host's own
 * `@sempair/core` and `@tensorflow/tfjs-core` modules, so a plugin can be written with no
 * imports at all (and, if it imports them anyway, host-peers.ts hands it the same copies).
 */
export interface SempairRegisterOptions extends RegisterHookOptions {
  core: typeof core;
  tf: typeof tf;
}

/** An oclif plugin whose `sempair:register` hook failed. */
export interface PluginFailure {
  plugin: string;
  type: string;
  line: string;
}

export interface PluginInfo {
  name: string;
  version: string;
  /** core (shipped with sempair), user (sempair plugins install) or link (sempair plugins link). */
  type: string;
  root: string;
  /** Declares the `sempair:register` hook, i.e. adds methods, datasets, evaluators, … */
  registers: boolean;
}

export interface LoadedRegistry {
  registry: Registry;
  failures: PluginFailure[];
  plugins: PluginInfo[];
}

export const REGISTER_EVENT = 'sempair:register';

let loading: Promise<LoadedRegistry> | undefined;

/**
 * Builds the registry once per process: core's built-ins, then every oclif plugin (built-in
 * ones from package.json `oclif.plugins`, installed and linked ones alike) through the same
 * `sempair:register` hook. Failures are collected, not thrown; `requireRegistry` turns them into
 * one line naming the plugin, `sempair doctor` lists them.
 */
export function loadRegistry(config: Config): Promise<LoadedRegistry> {
  loading ??= load(config);
  return loading;
}

async function load(config: Config): Promise<LoadedRegistry> {
  const plugins: PluginInfo[] = [...config.plugins.values()]
    .filter((p) => !p.isRoot)
    .map((p) => ({
      name: p.name,
      version: p.version,
      type: p.type,
      root: p.root,
      registers: Boolean(p.hooks[REGISTER_EVENT]?.length),
    }));
  if (plugins.some((p) => p.registers && p.type !== 'core')) shareHostPackages();

  const registry = createRegistry();
  const options: SempairRegisterOptions = { registry, core, tf };
  const result = await config.runHook(REGISTER_EVENT, options as unknown as Record<string, unknown>);
  const failures = result.failures.map(({ plugin, error }) => describeFailure(plugin.name, plugin.type, error));
  return { registry, failures, plugins };
}

function describeFailure(name: string, type: string, error: Error): PluginFailure {
  const code = (error as { code?: string }).code ?? '';
  const message = firstLine(error.message);
  const remedy =
    type === 'core'
      ? 'build the workspace (pnpm build): a built-in plugin is missing or broken'
      : type === 'link'
        ? `fix or rebuild the linked plugin, or unlink it (sempair plugins unlink ${name})`
        : `update it (sempair plugins update) or uninstall it (sempair plugins uninstall ${name})`;
  let line: string;
  if (isUserError(error)) line = `plugin ${name}: ${error.line}`;
  else if (/MODULE_NOT_FOUND/.test(code) || /Cannot find (module|package)/.test(message)) {
    line = `plugin ${name} could not be loaded (${message}) — ${remedy}`;
  } else line = `plugin ${name} failed to register: ${message} — ${remedy}`;
  return { plugin: name, type, line };
}

function firstLine(text: string): string {
  return (text.split('\n').find((l) => l.trim()) ?? text).trim();
}

/** The registry, or a UserError naming the first plugin that failed to register. */
export async function requireRegistry(config: Config): Promise<Registry> {
  const { registry, failures } = await loadRegistry(config);
  const [first] = failures;
  if (first) {
    const more = failures.length > 1 ? ` (and ${failures.length - 1} more; see sempair doctor)` : '';
    throw new UserError(`${first.line}${more}`);
  }
  return registry;
}
