/**
 * Waiting for the test clusters' control loops: the controllers, the scheduler and kwok reach a state on
 * their own, in their own time, so a test polls for it with a bound instead of sleeping a guessed time.
 */

// Generous: two clusters' control planes share two CPU cores with the rest of the test run.
export const settleTimeoutMs = 30_000;
const pollIntervalMs = 200;

/**
 * Calls `condition` until it returns something other than false, undefined or null, and returns that.
 * A condition that throws counts as "not yet" (an object not created yet answers 404); after `timeoutMs`
 * the error names `what` and the last thing the condition returned or threw.
 */
export async function waitFor<T>(
  condition: () => Promise<T | false | undefined | null>,
  what: string,
  timeoutMs = settleTimeoutMs,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: string = 'nothing yet';
  for (;;) {
    try {
      const value = await condition();
      if (value !== false && value !== undefined && value !== null) return value;
      last = String(value);
    } catch (error) {
      last = `error: ${error instanceof Error ? error.message.split('\n')[0] : String(error)}`;
    }
    if (Date.now() >= deadline) {
      throw new Error(`gave up after ${timeoutMs} ms waiting for ${what} (last: ${last})`);
    }
    await new Promise((resolve) => setTimeout(resolve, pollIntervalMs));
  }
}
