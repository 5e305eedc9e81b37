// The parts of tfjs-backend-cpu's MathBackendCPU the native kernels use (structural, so this
// package needs no runtime dependency on tfjs: core hands over its own tfjs instance).
import type * as tfc from '@tensorflow/tfjs-core';

export type TfCore = typeof tfc;
export type TensorInfo = tfc.TensorInfo;
export type DataId = TensorInfo['dataId'];
export type BackendValues = tfc.backend_util.BackendValues;

export interface TensorData {
  values?: BackendValues;
  dtype: tfc.DataType;
  refCount: number;
}

export interface CpuBackend {
  data: { get(dataId: DataId): TensorData; has(dataId: DataId): boolean };
  makeTensorInfo(shape: number[], dtype: tfc.DataType, values?: BackendValues): TensorInfo;
  write(values: BackendValues, shape: number[], dtype: tfc.DataType): DataId;
  readSync(dataId: DataId): BackendValues;
  disposeData(dataId: DataId, force?: boolean): boolean;
}

/** What tfjs passes a kernel function. */
export interface KernelArgs {
  inputs: Record<string, TensorInfo | undefined>;
  backend: unknown;
  attrs?: Record<string, unknown>;
}

export type KernelResult = TensorInfo | TensorInfo[];
export type KernelFunction = (args: KernelArgs) => KernelResult;
