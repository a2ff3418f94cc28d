/**
 * `--watch`: follows a promotion through its event stream until it finishes. On a terminal the status
 * view is redrawn on each event; otherwise (a pipe, a CI log) each event is one line. With --output
 * json only the final promotion is printed, as one document.
 */
import { NetworkError, type PromotionDetail } from './client.js';
import type { Session } from './context.js';
import { ExitCode } from './errors.js';
import { eventLine, outcomeLine, renderPromotion } from './render.js';

const clearScreen = '\x1b[H\x1b[2J';
const finishedPhases: readonly string[] = ['succeeded', 'rolled-back', 'abandoned'];
const finished = (p: PromotionDetail) => finishedPhases.includes(p.phase);

export interface WatchOptions {
  /** Between reconnects when the stream ends early (a controller restart); tests shorten it. */
  readonly reconnectMs?: number;
  /** Consecutive broken connections tolerated before giving up. */
  readonly maxFailures?: number;
}

/** Returns 0 when the promotion succeeded, 1 when it ended rolled back. */
export async function watch(s: Session, id: string, options: WatchOptions = {}): Promise<number> {
  const tty = s.io.stdout.isTTY === true && !s.json;
  const redraw = (p: PromotionDetail) => s.io.stdout.write(`${clearScreen}${renderPromotion(p)}\n`);
  let detail = await s.client.promotion(id);
  // Start the stream after what the detail already showed, so history is not replayed (and not refetched).
  let last = detail.events.at(-1)?.seq ?? 0;
  if (tty) redraw(detail);
  else for (const event of detail.events) s.say(eventLine(event));

  let failures = 0;
  while (!finished(detail)) {
    try {
      for await (const event of s.client.events(id, last)) {
        last = event.seq;
        failures = 0;
        if (tty) redraw(await s.client.promotion(id));
        else s.say(eventLine(event));
      }
    } catch (error) {
      if (!(error instanceof NetworkError) || ++failures > (options.maxFailures ?? 5)) throw error;
    }
    detail = await s.client.promotion(id);
    if (!finished(detail)) await new Promise((resolve) => setTimeout(resolve, options.reconnectMs ?? 1000));
  }
  if (tty) redraw(detail);
  s.emit(detail, () => outcomeLine(detail));
  return detail.phase === 'succeeded' ? ExitCode.ok : ExitCode.failed;
}
