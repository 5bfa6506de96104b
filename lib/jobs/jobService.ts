// Contract stub: the orchestration of store and counting core.
import type { Config } from '../config.js';
import type { JobStore } from '../store/types.js';
import type { JobService } from './types.js';

export interface JobServiceDeps {
  store: JobStore;
  config: Config;
  /** Wall clock, epoch ms. */
  now: () => number;
}

export function createJobService(deps: JobServiceDeps): JobService {
  throw new Error(`not implemented ${String(deps)}`);
}
