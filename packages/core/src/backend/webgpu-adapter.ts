// What a WebGPU adapter is, and whether it is a real GPU or a CPU pretending to be one.

/** The adapter fields WebGPU reports (GPUAdapterInfo), plus what sempair concludes from them. */
export interface WebgpuAdapterFacts {
  vendor: string;
  architecture: string;
  device: string;
  description: string;
  /** A software rasteriser on the CPU (lavapipe/llvmpipe, SwiftShader, WARP) rather than a GPU. */
  software: boolean;
  /** Why it counts as software or hardware, in a few words. */
  kind: string;
}

/** The subset of GPUAdapterInfo read here (Dawn 0.6 has `isFallbackAdapter` on the info). */
export interface AdapterInfoLike {
  vendor?: string;
  architecture?: string;
  device?: string;
  description?: string;
  isFallbackAdapter?: boolean;
}

// Software Vulkan/D3D implementations as they name themselves in GPUAdapterInfo: Mesa's
// lavapipe reports vendor 'mesa', architecture 'software', device 'llvmpipe-…'; SwiftShader
// reports architecture 'swiftshader'; Windows' WARP is 'Microsoft Basic Render Driver'.
const SOFTWARE_NAMES = /llvmpipe|lavapipe|softpipe|swiftshader|basic render driver|\bwarp\b|\bsoftware\b|\bcpu\b/i;

/** Classifies an adapter from its info (`isFallbackAdapter` on the adapter itself, for older Dawn). */
export function describeAdapter(info: AdapterInfoLike, adapterIsFallback?: boolean): WebgpuAdapterFacts {
  const facts = {
    vendor: info.vendor ?? '',
    architecture: info.architecture ?? '',
    device: info.device ?? '',
    description: info.description ?? '',
  };
  const named = [facts.vendor, facts.architecture, facts.device, facts.description].find((text) => SOFTWARE_NAMES.test(text));
  const fallback = info.isFallbackAdapter === true || adapterIsFallback === true;
  let kind: string;
  if (fallback) kind = 'software: WebGPU marks it a fallback adapter';
  else if (named !== undefined) kind = `software: '${named}' is a CPU implementation`;
  else kind = 'hardware GPU';
  return { ...facts, software: fallback || named !== undefined, kind };
}

/** One line for people: "mesa software llvmpipe-… (llvmpipe: Mesa 25.0.7 …), software". */
export function adapterLine(facts: WebgpuAdapterFacts): string {
  const name = [facts.vendor, facts.architecture, facts.device].filter(Boolean).join(' ') || 'unnamed adapter';
  const description = facts.description && facts.description !== facts.device ? ` (${facts.description})` : '';
  return `${name}${description}, ${facts.software ? 'software' : 'hardware'}`;
}
