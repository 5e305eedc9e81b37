import { createRequire } from 'node:module';
import {
  backendFacts,
  initBackend,
  parseBackendPreference,
  type BackendCandidate,
  type Registry,
  type WebgpuAdapterFacts,
} from '@sempair/core';
import { SempairCommand } from '../base-command.js';
import { backendFlag } from '../config/flags.js';
import type { PluginInfo } from '../registry/load-registry.js';
import { renderPairs, renderTable } from '../tables.js';

/** What each catalog of the registry holds from one plugin, e.g. "methods: simclr". */
function contributions(registry: Registry, plugin: string): string {
  const catalogs = {
    methods: registry.methods,
    datasets: registry.datasets,
    'pair sources': registry.pairSources,
    backbones: registry.backbones,
    augmentations: registry.augmentations,
    evaluators: registry.evaluators,
  };
  return Object.entries(catalogs)
    .map(([kind, catalog]) => {
      const ids = catalog.list().map((e) => e.id).filter((id) => catalog.origin(id) === plugin);
      return ids.length ? `${kind}: ${ids.join(', ')}` : '';
    })
    .filter(Boolean)
    .join('\n');
}

/** What `auto` makes of each candidate, in its order: the one it picks, and why it passes the others. */
function autoVerdicts(candidates: BackendCandidate[]): string[] {
  const pick = candidates.find((c) => c.available && c.autoSkip === undefined);
  let passed = false;
  return candidates.map((c) => {
    if (c === pick) {
      passed = true;
      return 'picks this';
    }
    if (passed) return `not needed (${pick!.name} comes first)`;
    if (!c.available) return 'skips: not available';
    return 'skips: software adapter (auto wants a hardware GPU)';
  });
}

/** The WebGPU adapter's fields, for people. */
function adapterPairs(adapter: WebgpuAdapterFacts): Array<[string, string]> {
  return [
    ['vendor', adapter.vendor || '?'],
    ['architecture', adapter.architecture || '?'],
    ['device', adapter.device || '?'],
    ['driver', adapter.description || '?'],
    ['kind', adapter.kind],
  ];
}

function packageVersion(name: string): string | undefined {
  try {
    return (createRequire(import.meta.url)(`${name}/package.json`) as { version: string }).version;
  } catch {
    return undefined;
  }
}

export default class Doctor extends SempairCommand<typeof Doctor> {
  static override summary = 'Show the compute backend and why it was chosen, versions, missing optional backends, and installed plugins.';
  static override examples = ['<%= config.bin %> <%= command.id %>', '<%= config.bin %> <%= command.id %> --backend wasm --json'];
  static override flags = { backend: backendFlag };

  async run(): Promise<void> {
    const { registry, failures, plugins } = await this.registryReport();
    // Choose a backend as a run would (and say why), then probe every candidate.
    const backend = await initBackend(parseBackendPreference(this.flags.backend ?? 'auto'));
    const facts = await backendFacts();
    const versions: Record<string, string> = {
      sempair: this.config.version,
      '@oclif/core': packageVersion('@oclif/core') ?? '?',
      ...facts.versions,
    };
    const registering = plugins.filter((p) => p.registers);
    const pluginRows = [
      { name: '@sempair/core', version: packageVersion('@sempair/core') ?? '?', type: 'core', root: '', registers: true },
      ...registering,
    ].map((p: PluginInfo) => {
      const failure = failures.find((f) => f.plugin === p.name);
      return { ...p, status: failure ? 'failed' : 'ok', adds: failure ? failure.line : contributions(registry, p.name) };
    });

    const verdicts = autoVerdicts(facts.candidates);
    const webgpu = facts.candidates.find((c) => c.name === 'webgpu');
    this.emit({
      backend,
      cores: facts.hardwareConcurrency,
      wasm: facts.wasm,
      wasmConvKernels: facts.wasmConvKernels,
      candidates: facts.candidates.map((c, i) => ({ ...c, auto: verdicts[i] })),
      versions,
      plugins: pluginRows,
      otherPlugins: plugins.filter((p) => !p.registers),
      failures,
    });

    this.print(
      renderPairs([
        // 'native' and 'tensorflow-gpu' run as tfjs' 'cpu' and 'tensorflow' backends: name both.
        ['backend', `${backend.chosen}${backend.chosen === backend.name ? '' : ` (tfjs ${backend.name})`} (asked for ${backend.preference})`],
        ['why', backend.reason],
        ['threads', `${backend.threads} of ${facts.hardwareConcurrency} cores`],
        ...(backend.adapter ? ([['adapter', `${backend.adapter.vendor} ${backend.adapter.device || backend.adapter.architecture}, ${backend.adapter.software ? 'software' : 'hardware'}`]] as Array<[string, string]>) : []),
        ...(backend.name === 'wasm' ? ([['wasm conv gradients', facts.wasmConvKernels ? "sempair's XNNPACK kernels" : 'stock']] as Array<[string, string]>) : []),
        ...Object.entries(versions).map(([k, v]) => [k, v] as [string, string]),
      ]),
    );
    this.print('');
    this.print('Backends (auto tries them in this order):');
    this.print(
      renderTable(
        ['backend', 'available', 'auto', 'detail', 'how to get it'],
        facts.candidates.map((c, i) => [
          c.name === backend.chosen ? `${c.name} (in use)` : c.name,
          c.available ? 'yes' : 'no',
          verdicts[i],
          c.detail,
          c.available ? (c.autoSkip ?? '') : c.fix,
        ]),
      ),
    );
    if (webgpu?.adapter) {
      this.print('');
      this.print('WebGPU adapter (what --backend webgpu computes on):');
      this.print(renderPairs(adapterPairs(webgpu.adapter)));
      this.print(
        "WebGPU notes: synchronous reads (dataSync/arraySync) cannot wait for the GPU under Node; core's training and evaluators read " +
          'asynchronously, and code that reads synchronously stops with a message saying so. Kernels missing from tfjs-backend-webgpu 4.22 ' +
          '(core uses none): NonMaxSuppressionV4, Unique, BitwiseAnd, string, sparse and ragged ops.',
      );
    }
    this.print('');
    this.print('Plugins (sempair plugins install|link|uninstall):');
    this.print(renderTable(['plugin', 'version', 'type', 'status', 'adds'], pluginRows.map((p) => [p.name, p.version, p.type, p.status, p.adds])));
    if (failures.length) {
      process.stderr.write(`${failures.length} plugin${failures.length > 1 ? 's' : ''} failed to register; see the table above.\n`);
    }
  }
}
