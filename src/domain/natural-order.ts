/**
 * Orders strings with their numbers compared as numbers: "1.9" before "1.10", "v1.18.9-eksbuild.11"
 * before "v1.18.10-eksbuild.2". Plain code on purpose: the first numeric `localeCompare` of a process
 * loads ICU's collation data (~9 ms), and this runs while a promotion is being created.
 */
export function naturalOrder(a: string, b: string): number {
  const left = a.match(runs) ?? [];
  const right = b.match(runs) ?? [];
  for (let i = 0; i < Math.min(left.length, right.length); i++) {
    const [x, y] = [left[i] ?? '', right[i] ?? ''];
    if (x === y) continue;
    const bothNumbers = digits.test(x) && digits.test(y);
    if (bothNumbers && Number(x) !== Number(y)) return Number(x) - Number(y);
    return x < y ? -1 : 1;
  }
  return left.length - right.length;
}

/** Runs of digits and runs of anything else. */
const runs = /\d+|\D+/g;
const digits = /^\d+$/;
