// How WebGPU adapters are classified and why none is found, from what is installed; no GPU needed.
import { spawnSync } from 'node:child_process';
import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test from 'ava';
import { adapterLine, describeAdapter, diagnoseNoAdapter, findVulkanDrivers } from '../src/backend/index.js';
import { gpuDeviceNodes } from '../src/backend/vulkan-drivers.js';

test('software adapters (lavapipe, SwiftShader, fallback) are told from GPUs', (t) => {
  // As Dawn 0.6 reports Mesa 25's lavapipe on this project's CI machines.
  const lavapipe = describeAdapter({
    vendor: 'mesa',
    architecture: 'software',
    device: 'llvmpipe-llvm-15-0-6-256-bits-',
    description: 'llvmpipe: Mesa 25.0.7-2~bpo12+1 (LLVM 15.0.6) 0.0.1',
    isFallbackAdapter: true,
  });
  t.true(lavapipe.software);
  t.regex(lavapipe.kind, /fallback/);
  t.is(adapterLine(lavapipe), 'mesa software llvmpipe-llvm-15-0-6-256-bits- (llvmpipe: Mesa 25.0.7-2~bpo12+1 (LLVM 15.0.6) 0.0.1), software');
  // Without the fallback flag the names still give it away.
  t.true(describeAdapter({ vendor: 'mesa', device: 'llvmpipe (LLVM 15.0.6, 256 bits)' }).software);
  t.true(describeAdapter({ vendor: 'google', architecture: 'swiftshader', device: 'subzero' }).software);
  t.true(describeAdapter({ vendor: 'microsoft', description: 'Microsoft Basic Render Driver' }).software);
  t.true(describeAdapter({ vendor: 'nvidia' }, true).software, "the adapter's own isFallbackAdapter counts too");

  const nvidia = describeAdapter({ vendor: 'nvidia', architecture: 'hopper', device: '', description: 'NVIDIA H100 80GB HBM3', isFallbackAdapter: false });
  t.false(nvidia.software);
  t.is(nvidia.kind, 'hardware GPU');
  t.is(adapterLine(nvidia), 'nvidia hopper (NVIDIA H100 80GB HBM3), hardware');
  t.false(describeAdapter({ vendor: 'amd', architecture: 'rdna-3', description: 'AMD Radeon RX 7900 XTX (RADV NAVI31)' }).software);
  t.false(describeAdapter({ vendor: 'intel', architecture: 'gen-12lp', description: 'Intel(R) UHD Graphics 770' }).software);
});

const withLoader = (icds: Array<{ apiVersion: string; file?: string }>) => ({
  loader: '/usr/lib/x86_64-linux-gnu/libvulkan.so.1',
  icds: icds.map((icd, i) => ({ file: icd.file ?? `/usr/share/vulkan/icd.d/icd${i}.json`, apiVersion: icd.apiVersion, library: 'lib.so' })),
  searched: '/usr/share/vulkan/icd.d',
});

test('no adapter: the diagnosis names what is missing and the one-line fix', (t) => {
  const noLoader = diagnoseNoAdapter({ loader: null, icds: [], searched: '/usr/share/vulkan/icd.d' }, 'linux');
  t.regex(noLoader.detail, /Vulkan loader libvulkan\.so\.1 is not installed/);
  t.regex(noLoader.fix, /libvulkan1/);
  t.false(noLoader.fix.includes('\n'));

  const noDriver = diagnoseNoAdapter(withLoader([]), 'linux');
  t.regex(noDriver.detail, /no Vulkan driver is installed \(no ICD manifest in \/usr\/share\/vulkan\/icd\.d\)/);
  t.regex(noDriver.fix, /nvidia_icd\.json.*apt-get install -y -t bookworm-backports mesa-vulkan-drivers libvulkan1/);

  // Debian 12's own Mesa 22.3 ships lavapipe as Vulkan 1.1.230, which Dawn rejects.
  const mesa22 = diagnoseNoAdapter(withLoader([{ apiVersion: '1.1.230', file: '/usr/share/vulkan/icd.d/lvp_icd.x86_64.json' }]), 'linux');
  t.regex(mesa22.detail, /too old for Dawn \(lvp_icd\.x86_64\.json Vulkan 1\.1\.230/);
  t.regex(mesa22.fix, /bookworm-backports/);

  const recent = diagnoseNoAdapter(withLoader([{ apiVersion: '1.4.305', file: '/usr/share/vulkan/icd.d/lvp_icd.json' }]), 'linux');
  t.regex(recent.detail, /although Vulkan drivers are installed \(lvp_icd\.json Vulkan 1\.4\.305\)/);
  t.regex(recent.fix, /vulkaninfo/);

  t.regex(diagnoseNoAdapter(withLoader([]), 'darwin').fix, /Metal/);
});

test('Vulkan drivers are found where the loader looks, including VK_ICD_FILENAMES', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'sempair-icd-'));
  const file = join(dir, 'lvp_icd.json');
  await writeFile(file, JSON.stringify({ file_format_version: '1.0.0', ICD: { api_version: '1.4.305', library_path: 'libvulkan_lvp.so' } }));
  await writeFile(join(dir, 'broken.json'), '{ not json');
  for (const env of [{ VK_ICD_FILENAMES: file }, { VK_DRIVER_FILES: dir }]) {
    const found = findVulkanDrivers(env);
    t.deepEqual(found.icds, [{ file, apiVersion: '1.4.305', library: 'libvulkan_lvp.so' }]);
    t.regex(found.searched, /^VK_(ICD_FILENAMES|DRIVER_FILES)=/);
  }
  t.deepEqual(findVulkanDrivers({ VK_ICD_FILENAMES: join(dir, 'missing.json') }).icds, []);
});

test('GPU device nodes: render nodes and NVIDIA devices, nothing else', async (t) => {
  const dev = await mkdtemp(join(tmpdir(), 'sempair-dev-'));
  t.deepEqual(gpuDeviceNodes(dev), []);
  await mkdir(join(dev, 'dri'));
  for (const name of ['dri/card0', 'dri/renderD128', 'nvidia0', 'nvidiactl', 'nvidia-uvm', 'null']) await writeFile(join(dev, name), '');
  t.deepEqual(gpuDeviceNodes(dev).sort(), [join(dev, 'dri/renderD128'), join(dev, 'nvidia0')].sort());
});

test('--backend webgpu without the webgpu package names it and the install command', async (t) => {
  const script = [
    "import { initBackend } from './packages/core/src/backend/index.js';",
    "try { await initBackend('webgpu'); console.log('loaded'); } catch (e) { console.log(JSON.stringify({ name: e.name, line: e.line })); }",
  ].join('\n');
  const result = spawnSync(process.execPath, ['--import=tsx', '--import=./packages/core/test/fixtures/hide-webgpu.mjs', '--input-type=module', '-e', script], {
    cwd: join(import.meta.dirname, '../../..'),
    encoding: 'utf8',
  });
  t.is(result.status, 0, result.stderr);
  const error = JSON.parse(result.stdout.trim().split('\n').at(-1)!) as { name: string; line: string };
  t.is(error.name, 'UserError');
  t.is(error.line, "backend 'webgpu' is not available: the npm package webgpu (Dawn) is not installed — install both (optional dependencies of @sempair/core): pnpm add webgpu@0.6.2 @tensorflow/tfjs-backend-webgpu@4.22.0");
});
