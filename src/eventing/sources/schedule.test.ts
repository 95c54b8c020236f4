import { describe, expect, it } from "vitest";
import { parseSchedule, ScheduleError } from "./schedule.ts";

const at = (iso: string) => Date.parse(iso);

describe("parseSchedule", () => {
  it.each([
    ["every minute", "* * * * *", undefined, "2026-01-01T00:00:30Z", "2026-01-01T00:01:00Z"],
    ["every 5 minutes", "*/5 * * * *", undefined, "2026-01-01T00:01:00Z", "2026-01-01T00:05:00Z"],
    ["@hourly", "@hourly", undefined, "2026-01-01T00:01:00Z", "2026-01-01T01:00:00Z"],
    ["09:00 in spec.timezone", "0 9 * * *", "Europe/Paris", "2026-01-01T00:00:00Z", "2026-01-01T08:00:00Z"],
    ["CRON_TZ prefix", "CRON_TZ=America/New_York 0 9 * * *", undefined, "2026-01-01T00:00:00Z", "2026-01-01T14:00:00Z"],
    ["@every 2s", "@every 2s", undefined, "2026-01-01T00:00:01Z", "2026-01-01T00:00:02Z"],
    ["@every 1m30s", "@every 1m30s", undefined, "2026-01-01T00:00:00Z", "2026-01-01T00:01:30Z"],
  ])("%s", (_name, schedule, tz, after, next) => {
    expect(new Date(parseSchedule(schedule, tz).next(at(after))!).toISOString()).toBe(new Date(at(next)).toISOString());
  });

  it.each([
    ["six fields (seconds)", "*/2 * * * * *", /5 fields/],
    ["garbage", "every day", /5 fields/],
    ["bad minute", "61 * * * *", /.+/],
    ["bad zone", "CRON_TZ=Mars/Olympus 0 9 * * *", /time zone/],
    ["bad @every", "@every soon", /duration/],
  ])("refuses %s", (_name, schedule, message) => {
    expect(() => parseSchedule(schedule)).toThrow(ScheduleError);
    expect(() => parseSchedule(schedule)).toThrow(message);
  });
});
