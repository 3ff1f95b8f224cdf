import { availableParallelism, cpus, platform, arch, totalmem } from 'node:os';

/** The machine a bench ran on. */
export interface Machine {
  readonly cores: number;
  readonly cpu: string;
  readonly memoryGiB: number;
  readonly node: string;
  readonly os: string;
}

/**
 * Describes this machine: logical cores, CPU model, memory, Node version and platform.
 *
 * @example
 * describeMachine(); // { cores: 2, cpu: 'Intel(R) Xeon(R) Processor', memoryGiB: 23.5, node: 'v20.20.2', os: 'linux x64' }
 */
export function describeMachine(): Machine {
  return {
    cores: availableParallelism(),
    cpu: cpus()[0]?.model.trim() ?? 'unknown',
    memoryGiB: Math.round((totalmem() / 2 ** 30) * 10) / 10,
    node: process.version,
    os: `${platform()} ${arch()}`,
  };
}

/** The machine in one line. */
export function machineLine(machine: Machine): string {
  return `${machine.cores} cores (${machine.cpu}), ${machine.memoryGiB} GiB of memory, Node ${machine.node}, ${machine.os}`;
}
