// The machine line of a report: cores, memory, kernel, CPU model.
import os from 'node:os';

export interface Machine {
  cores: number;
  memoryGiB: number;
  kernel: string;
  cpu: string;
}

export function describeMachine(): Machine {
  const cpus = os.cpus();
  return { cores: cpus.length, memoryGiB: Math.round((os.totalmem() / 2 ** 30) * 10) / 10, kernel: os.release(), cpu: cpus[0]?.model.trim() ?? 'unknown' };
}

export function machineLine(m: Machine): string {
  return `${m.cores} cores (${m.cpu}), ${m.memoryGiB} GiB memory, Linux ${m.kernel}`;
}
