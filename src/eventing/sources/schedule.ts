// PingSource schedules as Knative reads them (robfig/cron's standard parser): five cron fields or a
// descriptor (@hourly, @daily, …, "@every 1m30s"), an optional "CRON_TZ=Zone " prefix, and
// spec.timezone. Cron matching is the croner library's; Knit only splits off what croner does not know.

import { Cron } from "croner";
import { parseGoDuration } from "../../api/validation/duration.ts";

export interface Schedule {
  /** Next fire time strictly after `after` (ms since epoch), or undefined when there is none. */
  next(after: number): number | undefined;
}

export class ScheduleError extends Error {}

export function parseSchedule(schedule: string, timezone?: string): Schedule {
  let text = schedule.trim();
  let zone = timezone || undefined;
  const tz = /^(?:CRON_TZ|TZ)=(\S+)\s+(.*)$/.exec(text);
  if (tz) {
    zone = tz[1];
    text = tz[2].trim();
  }
  if (zone) {
    try {
      new Intl.DateTimeFormat("en-US", { timeZone: zone });
    } catch {
      throw new ScheduleError(`unknown time zone "${zone}"`);
    }
  }
  const every = /^@every\s+(\S+)$/.exec(text);
  if (every) {
    const ms = parseGoDuration(every[1]);
    if (ms === undefined || ms <= 0) throw new ScheduleError(`"@every ${every[1]}" needs a positive duration such as 30s or 1m`);
    // robfig/cron's @every runs at fixed intervals from when the schedule starts; Knit aligns them to the epoch.
    return { next: (after) => (Math.floor(after / ms) + 1) * ms };
  }
  if (!text.startsWith("@") && text.split(/\s+/).length !== 5) {
    throw new ScheduleError(`expected exactly 5 fields (minute hour day-of-month month day-of-week), found ${text.split(/\s+/).length}: "${text}"`);
  }
  let cron: Cron;
  try {
    cron = new Cron(text, { paused: true, ...(zone ? { timezone: zone } : {}) });
  } catch (err) {
    throw new ScheduleError(err instanceof Error ? err.message.replace(/^CronPattern: /, "") : String(err));
  }
  return { next: (after) => cron.nextRun(new Date(after))?.getTime() };
}
