#!/usr/bin/env node
// The `sempair` binary: runs the built CLI (dist/) through oclif.
import { execute, settings } from '@oclif/core';

// Plugins ship compiled JavaScript; never look for TypeScript sources of linked plugins
// (which would only print a warning per linked ESM plugin on every command).
settings.enableAutoTranspile = false;

await execute({ dir: import.meta.url });
