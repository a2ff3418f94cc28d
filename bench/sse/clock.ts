/** Epoch milliseconds with sub-millisecond precision, comparable across processes on one machine. */
export const wallMs = (): number => performance.timeOrigin + performance.now();
