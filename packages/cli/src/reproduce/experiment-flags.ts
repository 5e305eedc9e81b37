import { Flags } from '@oclif/core';
import type { ExpandedExperiment, Registry } from '@sempair/core';
import { backendFlag, configFlag, runsDirFlag } from '../config/flags.js';
import { loadConfigFile, type FileConfig } from '../config/load-config.js';
import { expandSource, findExperiment, parseDataFlag, type ExperimentSource } from './experiment-source.js';

/** The flags that choose an experiment and its form, shared by `reproduce` and `results`. */
export const experimentFlags = {
  scale: Flags.string({ char: 's', description: "Form of a study preset: paper (the paper's settings; real datasets via --data) or cpu (the same design on the embedded data, in minutes).", helpValue: 'paper|cpu' }),
  data: Flags.string({
    description: 'Dataset paths for the experiment, as key=path (comma-separated or repeated): imagenet, subset (sempair data build-subset output), stl10, cifar10, cifar100, tiny-imagenet, voc.',
    multiple: true,
    multipleNonGreedy: true,
    helpValue: 'key=path,…',
  }),
  'runs-dir': runsDirFlag,
  config: configFlag,
  backend: backendFlag,
  epochs: Flags.integer({ char: 'e', min: 1, description: "Override every run's epochs (results go to a separate directory)." }),
  methods: Flags.string({
    char: 'm',
    description: "Run the experiment with these methods (comma-separated, or all), each with its reference defaults and the experiment's settings for it.",
    multiple: true,
    delimiter: ',',
    helpValue: 'method',
  }),
  'preset-file': Flags.string({ hidden: true, description: 'A preset of explicit runs as a JSON file (ExperimentPreset).', helpValue: 'file' }),
};

export interface ExperimentFlagValues {
  scale?: string;
  data?: string[];
  'runs-dir'?: string;
  config?: string;
  backend?: string;
  epochs?: number;
  methods?: string[];
  'preset-file'?: string;
}

export interface LoadedExperiment {
  source: ExperimentSource;
  file: FileConfig;
  experiment: ExpandedExperiment;
}

/** Finds and expands the experiment the arguments name. */
export async function loadExperiment(
  name: string | undefined,
  flags: ExperimentFlagValues,
  registry: Registry,
  options: { allowMissingData?: boolean } = {},
): Promise<LoadedExperiment> {
  const file = await loadConfigFile(flags.config);
  const source = await findExperiment({ experiment: name, scale: flags.scale, presetFile: flags['preset-file'], file });
  const methods = flags.methods?.map((m) => m.trim()).filter(Boolean);
  const experiment = expandSource({
    source,
    registry,
    file,
    runsDir: flags['runs-dir'] ?? file.runsDir ?? './runs',
    data: parseDataFlag(flags.data),
    epochs: flags.epochs,
    backend: flags.backend,
    methods,
    allowMissingData: options.allowMissingData,
  });
  return { source, file, experiment };
}
