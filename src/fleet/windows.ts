import { type FleetWindow, type Weekday, weekdays } from '../domain/fleet.js';

const minuteMs = 60_000;
const dayMs = 24 * 60 * minuteMs;

/** getUTCDay() counts from Sunday; our weekdays list starts on Monday. */
function weekdayOf(at: Date): Weekday {
  return weekdays[(at.getUTCDay() + 6) % 7] as Weekday;
}

function contains(window: FleetWindow, at: Date): boolean {
  if (window.days !== undefined && !window.days.includes(weekdayOf(at))) return false;
  const minute = at.getUTCHours() * 60 + at.getUTCMinutes();
  return minute >= window.startMinute && minute < window.endMinute;
}

/**
 * Whether a forward step (starting a member, opening a stage) may happen at `at`: outside every deny
 * window and, when allow windows exist, inside one of them. Only forward steps ask: a rollback, pause,
 * stop or abort never does.
 */
export function forwardAllowed(windows: readonly FleetWindow[], at: Date): boolean {
  if (windows.some((window) => window.kind === 'deny' && contains(window, at))) return false;
  const allows = windows.filter((window) => window.kind === 'allow');
  return allows.length === 0 || allows.some((window) => contains(window, at));
}

/**
 * The next instant after `at` at which some window starts or ends, so a held run knows when to look
 * again; undefined without windows. Boundaries within the next eight days cover every weekly window.
 */
export function nextWindowChange(windows: readonly FleetWindow[], at: Date): Date | undefined {
  const midnight = Date.UTC(at.getUTCFullYear(), at.getUTCMonth(), at.getUTCDate());
  let next: number | undefined;
  for (let day = 0; day <= 8; day++) {
    const dayStart = midnight + day * dayMs;
    const weekday = weekdayOf(new Date(dayStart));
    for (const window of windows) {
      if (window.days !== undefined && !window.days.includes(weekday)) continue;
      for (const minute of [window.startMinute, window.endMinute]) {
        const instant = dayStart + minute * minuteMs;
        if (instant > at.getTime() && (next === undefined || instant < next)) next = instant;
      }
    }
  }
  return next === undefined ? undefined : new Date(next);
}

/** "deny sat,sun 22:00–24:00" for messages. */
export function describeWindow(window: FleetWindow): string {
  const clock = (minute: number) =>
    `${String(Math.floor(minute / 60)).padStart(2, '0')}:${String(minute % 60).padStart(2, '0')}`;
  const days = window.days === undefined ? 'every day' : window.days.join(',');
  return `${window.kind} ${days} ${clock(window.startMinute)}–${clock(window.endMinute)} UTC`;
}

/** The windows that hold forward steps at `at`, for the message saying why a run waits. */
export function holdingWindows(windows: readonly FleetWindow[], at: Date): readonly FleetWindow[] {
  const denies = windows.filter((window) => window.kind === 'deny' && contains(window, at));
  if (denies.length > 0) return denies;
  const allows = windows.filter((window) => window.kind === 'allow');
  return allows.some((window) => contains(window, at)) ? [] : allows;
}
