// The subset of the OCI runtime-spec config.json (v1.0.2, as runc 1.1 reads it) the engine writes.

export interface OciMount {
  destination: string;
  type?: string;
  source?: string;
  options?: string[];
}

export interface OciNamespace {
  type: 'pid' | 'network' | 'mount' | 'ipc' | 'uts' | 'user' | 'cgroup';
  path?: string;
}

export interface OciUser {
  uid: number;
  gid: number;
  additionalGids?: number[];
}

export interface OciCapabilities {
  bounding: string[];
  effective: string[];
  permitted: string[];
}

export interface OciProcess {
  terminal: boolean;
  user: OciUser;
  args: string[];
  env: string[];
  cwd: string;
  capabilities: OciCapabilities;
  noNewPrivileges: boolean;
  oomScoreAdj?: number;
}

export interface OciDeviceRule {
  allow: boolean;
  access: string;
  type?: string;
  major?: number;
  minor?: number;
}

export interface OciResources {
  devices: OciDeviceRule[];
  cpu?: { shares?: number; quota?: number; period?: number };
  memory?: { limit?: number; swap?: number };
  pids?: { limit: number };
  /** hugetlb limits by page size as the controller spells it ("2MB"). */
  hugepageLimits?: { pageSize: string; limit: number }[];
}

/** One seccomp argument condition; for SCMP_CMP_MASKED_EQ, `value` is the mask and `valueTwo` the datum. */
export interface OciSeccompArg {
  index: number;
  value: number;
  valueTwo?: number;
  op: string;
}

export interface OciSyscall {
  names: string[];
  action: string;
  errnoRet?: number;
  args?: OciSeccompArg[];
}

/** linux.seccomp: runc 1.1 (libseccomp 2.5) builds the BPF filter from it just before exec. */
export interface OciSeccomp {
  defaultAction: string;
  defaultErrnoRet?: number;
  /** Empty: libseccomp uses the native architecture only. */
  architectures?: string[];
  flags?: string[];
  listenerPath?: string;
  listenerMetadata?: string;
  syscalls?: OciSyscall[];
}

export interface OciSpec {
  ociVersion: string;
  process: OciProcess;
  root: { path: string; readonly: boolean };
  hostname?: string;
  mounts: OciMount[];
  annotations: Record<string, string>;
  linux: {
    namespaces: OciNamespace[];
    cgroupsPath: string;
    resources: OciResources;
    sysctl?: Record<string, string>;
    maskedPaths?: string[];
    readonlyPaths?: string[];
    seccomp?: OciSeccomp;
  };
}
