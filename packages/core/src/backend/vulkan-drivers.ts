// Why WebGPU found no adapter on Linux, where Dawn runs on Vulkan: no loader (libvulkan1),
// no driver (ICD), or a driver too old for Dawn (Debian 12's Mesa 22 lavapipe reports Vulkan
// 1.1.230 and Dawn rejects it for lacking shaderUniform*ArrayDynamicIndexing; Mesa 25 works).
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import { basename, join } from 'node:path';

/** One installed Vulkan driver manifest (ICD json). */
export interface VulkanIcd {
  file: string;
  /** The Vulkan version the driver implements, e.g. '1.4.305'. */
  apiVersion: string;
  library: string;
}

export interface VulkanDrivers {
  /** Where libvulkan.so.1 was found, or null. */
  loader: string | null;
  icds: VulkanIcd[];
  /** Where the manifests were looked for: the ICD directories, or VK_DRIVER_FILES / VK_ICD_FILENAMES. */
  searched: string;
}

const LOADER_DIRS = ['/usr/lib/x86_64-linux-gnu', '/usr/lib/aarch64-linux-gnu', '/usr/lib64', '/usr/lib', '/usr/local/lib', '/lib/x86_64-linux-gnu'];
const ICD_DIRS = ['/etc/vulkan/icd.d', '/usr/local/share/vulkan/icd.d', '/usr/share/vulkan/icd.d'];

/** The one command that installs a working software driver on Debian 12 (Mesa 25 from bookworm-backports). */
export const DEBIAN_LAVAPIPE_FIX =
  "on Debian 12 install Mesa 25's lavapipe from bookworm-backports: echo 'deb http://deb.debian.org/debian bookworm-backports main' " +
  '> /etc/apt/sources.list.d/backports.list && apt-get update && apt-get install -y -t bookworm-backports mesa-vulkan-drivers libvulkan1';

function readIcd(file: string): VulkanIcd | undefined {
  try {
    const json = JSON.parse(readFileSync(file, 'utf8')) as { ICD?: { api_version?: unknown; library_path?: unknown } };
    return { file, apiVersion: String(json.ICD?.api_version ?? '?'), library: String(json.ICD?.library_path ?? '?') };
  } catch {
    return undefined;
  }
}

function jsonFilesIn(dir: string): string[] {
  try {
    return readdirSync(dir).filter((f) => f.endsWith('.json')).map((f) => join(dir, f));
  } catch {
    return [];
  }
}

/** The Vulkan loader and drivers the loader would see (honouring VK_DRIVER_FILES / VK_ICD_FILENAMES). */
export function findVulkanDrivers(env: NodeJS.ProcessEnv = process.env): VulkanDrivers {
  const extraLibDirs = (env.LD_LIBRARY_PATH ?? '').split(':').filter(Boolean);
  const loader = [...extraLibDirs, ...LOADER_DIRS].map((dir) => join(dir, 'libvulkan.so.1')).find((p) => existsSync(p)) ?? null;
  const override = env.VK_DRIVER_FILES ?? env.VK_ICD_FILENAMES;
  let files: string[];
  let searched: string;
  if (override) {
    searched = `${env.VK_DRIVER_FILES ? 'VK_DRIVER_FILES' : 'VK_ICD_FILENAMES'}=${override}`;
    files = override.split(':').filter(Boolean).flatMap((p) => (existsSync(p) && statSync(p).isDirectory() ? jsonFilesIn(p) : [p]));
  } else {
    const dataHome = env.XDG_DATA_HOME ?? join(homedir(), '.local/share');
    const dirs = [...ICD_DIRS, join(dataHome, 'vulkan/icd.d')];
    searched = dirs.join(', ');
    files = dirs.flatMap(jsonFilesIn);
  }
  const icds = files.map(readIcd).filter((icd): icd is VulkanIcd => icd !== undefined);
  return { loader, icds, searched };
}

/**
 * GPU device nodes a hardware Vulkan driver would open on Linux: /dev/dri/renderD* (AMD, Intel,
 * nouveau) and /dev/nvidia0… (NVIDIA's driver, also inside containers given a GPU). Without
 * one, every adapter Dawn can offer is a software one.
 */
export function gpuDeviceNodes(devDir = '/dev'): string[] {
  const list = (dir: string, pattern: RegExp) => {
    try {
      return readdirSync(dir).filter((name) => pattern.test(name)).map((name) => join(dir, name));
    } catch {
      return [];
    }
  };
  return [...list(join(devDir, 'dri'), /^renderD\d+$/), ...list(devDir, /^nvidia\d+$/)];
}

function versionAtLeast(version: string, major: number, minor: number): boolean {
  const [a, b] = version.split('.').map(Number);
  if (a === undefined || b === undefined || !Number.isFinite(a) || !Number.isFinite(b)) return true; // unknown: do not blame it
  return a > major || (a === major && b >= minor);
}

/** What is missing when WebGPU offered no adapter, and the fix, from what is installed. */
export function diagnoseNoAdapter(drivers: VulkanDrivers, platform: NodeJS.Platform = process.platform): { detail: string; fix: string } {
  if (platform !== 'linux') {
    return {
      detail: 'WebGPU (Dawn) found no GPU adapter',
      fix: 'update the GPU driver (Dawn uses Metal on macOS, Direct3D 12 on Windows)',
    };
  }
  if (drivers.loader === null) {
    return {
      detail: 'WebGPU found no adapter: the Vulkan loader libvulkan.so.1 is not installed',
      fix: `install libvulkan1 and a Vulkan driver (your GPU's, e.g. NVIDIA's driver ships one); ${DEBIAN_LAVAPIPE_FIX}`,
    };
  }
  if (drivers.icds.length === 0) {
    return {
      detail: `WebGPU found no adapter: no Vulkan driver is installed (no ICD manifest in ${drivers.searched})`,
      fix: `install your GPU's Vulkan driver (NVIDIA: the driver's Vulkan ICD, nvidia_icd.json); for the CPU, ${DEBIAN_LAVAPIPE_FIX}`,
    };
  }
  const list = drivers.icds.map((icd) => `${basename(icd.file)} Vulkan ${icd.apiVersion}`).join(', ');
  if (drivers.icds.every((icd) => !versionAtLeast(icd.apiVersion, 1, 3))) {
    return {
      detail: `WebGPU found no adapter: the Vulkan drivers are too old for Dawn (${list}; Debian 12's Mesa 22 is)`,
      fix: `update the GPU's Vulkan driver; ${DEBIAN_LAVAPIPE_FIX}`,
    };
  }
  return {
    detail: `WebGPU found no adapter although Vulkan drivers are installed (${list}); Dawn's warning above says why`,
    fix: 'check the driver with vulkaninfo (apt-get install vulkan-tools), or choose another backend',
  };
}
