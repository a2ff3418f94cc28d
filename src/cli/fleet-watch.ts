/**
 * `fleet status --watch`: reads the run again every few seconds until it finishes. A fleet run moves
 * at the pace of its members' promotions (minutes), so a read per interval is all it needs. On a
 * terminal the view is redrawn when the run changed; otherwise (a pipe, a CI log) each change is a line.
 * With --output json only the finished run is printed, as one document.
 */
import { NetworkError } from './client.js';
import type { Session } from './context.js';
import { ExitCode } from './errors.js';
import type { FleetRun } from './fleet-client.js';
import { fleetChanges, fleetOutcomeLine, isFinishedRun, renderFleetRun } from './fleet-render.js';

const clearScreen = '\x1b[H\x1b[2J';

export interface FleetWatchOptions {
  /** Between reads; tests shorten it. */
  readonly intervalMs?: number;
  /** Consecutive failed reads tolerated (a controller restart) before giving up. */
  readonly maxFailures?: number;
}

/** Returns 0 when the run succeeded, 1 when it ended failed, stopped or aborted. */
export async function watchFleetRun(
  s: Session,
  id: string,
  options: FleetWatchOptions = {},
): Promise<number> {
  const tty = s.io.stdout.isTTY === true && !s.json;
  let shown: FleetRun | undefined;
  const show = (run: FleetRun) => {
    if (tty) s.io.stdout.write(`${clearScreen}${renderFleetRun(run)}\n`);
    else for (const line of fleetChanges(shown, run, run.updatedAt)) s.say(line);
    shown = run;
  };
  let run = await s.client.fleet.get(id);
  show(run);
  let failures = 0;
  while (!isFinishedRun(run)) {
    await new Promise((resolve) => setTimeout(resolve, options.intervalMs ?? 2000));
    try {
      const next = await s.client.fleet.get(id);
      failures = 0;
      if (next.version !== run.version) show(next);
      run = next;
    } catch (error) {
      if (!(error instanceof NetworkError) || ++failures > (options.maxFailures ?? 5)) throw error;
    }
  }
  s.emit(run, () => fleetOutcomeLine(run));
  return run.state === 'succeeded' ? ExitCode.ok : ExitCode.failed;
}
