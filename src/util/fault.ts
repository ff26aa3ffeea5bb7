/**
 * Fault injection for crash tests: EDDY_FAULT="<query>:<step>:<batch>[:error]" makes the process die
 * (SIGKILL, no clean-up, like a power cut) when query <query> reaches protocol step <step> of batch
 * <batch>; with `:error` the step throws an I/O error instead, as a full disk would. `*` matches any
 * query or batch. Read at every step so a test can set it in a child process's environment.
 * An environment variable and not an EngineOption: it is a test hook for the whole process (a crash
 * test kills `eddy` children at a step of their protocol), which no user configures.
 */
import { EddyError } from './errors.js';

export const FAULT_STEPS = ['after-offsets', 'after-load', 'in-transaction', 'after-commit-state', 'after-deliver', 'after-commits-log'] as const;
/** Steps inside a sink's delivery, for sinks whose delivery has several visible steps (file sinks). */
export const SINK_FAULT_STEPS = ['mid-deliver'] as const;
export type FaultStep = (typeof FAULT_STEPS)[number] | (typeof SINK_FAULT_STEPS)[number];

interface Fault {
  readonly query: string;
  readonly step: string;
  readonly batch: string;
  readonly error: boolean;
}

function parseFault(spec: string | undefined): Fault | null {
  if (!spec) return null;
  const [query, step, batch, mode] = spec.split(':');
  if (query === undefined || step === undefined || batch === undefined) return null;
  return { query, step, batch, error: mode === 'error' };
}

/** Dies (or throws) here when EDDY_FAULT names this query, step and batch. */
export function faultPoint(query: string, step: FaultStep, batchId: number): void {
  const fault = parseFault(process.env.EDDY_FAULT);
  if (fault === null || fault.step !== step) return;
  if (fault.query !== '*' && fault.query !== query) return;
  if (fault.batch !== '*' && Number(fault.batch) !== batchId) return;
  if (fault.error) {
    throw new EddyError('IO_ERROR', `injected I/O error at ${step} of batch ${batchId} of "${query}" (EDDY_FAULT)`);
  }
  process.kill(process.pid, 'SIGKILL');
}
