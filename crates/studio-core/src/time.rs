//! Small civil-time helpers (no date crate needed): UTC timestamps, ISO dates, and the next midnight in
//! Pacific time, when Gemini's per-day quotas reset.

use std::time::{SystemTime, UNIX_EPOCH};

/// Milliseconds since the Unix epoch.
pub fn now_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or(0)
}

/// Days since 1970-01-01 -> (year, month, day). Howard Hinnant's `civil_from_days`.
pub fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (if m <= 2 { y + 1 } else { y }, m, d)
}

/// (year, month, day) -> days since 1970-01-01.
pub fn days_from_civil(y: i64, m: u32, d: u32) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y.rem_euclid(400);
    let m = m as i64;
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + d as i64 - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// `YYYY-MM-DDTHH:MM:SSZ` for a millisecond timestamp.
pub fn iso_utc(ms: i64) -> String {
    let secs = ms.div_euclid(1000);
    let (y, mo, d) = civil_from_days(secs.div_euclid(86_400));
    let s = secs.rem_euclid(86_400);
    format!(
        "{y:04}-{mo:02}-{d:02}T{:02}:{:02}:{:02}Z",
        s / 3600,
        s / 60 % 60,
        s % 60
    )
}

/// Day of week of a day number, 0 = Sunday.
fn weekday(days: i64) -> i64 {
    (days + 4).rem_euclid(7)
}

/// The n-th Sunday (1-based) of a month, as a day number.
fn nth_sunday(y: i64, m: u32, n: i64) -> i64 {
    let first = days_from_civil(y, m, 1);
    let offset = (7 - weekday(first)) % 7;
    first + offset + 7 * (n - 1)
}

/// UTC offset of US Pacific time (hours) at a UTC instant: PDT (-7) from the second Sunday of March 10:00 UTC
/// to the first Sunday of November 09:00 UTC, PST (-8) otherwise.
pub fn pacific_offset_hours(ms: i64) -> i64 {
    let secs = ms.div_euclid(1000);
    let (y, _, _) = civil_from_days(secs.div_euclid(86_400));
    let start = nth_sunday(y, 3, 2) * 86_400 + 10 * 3600;
    let end = nth_sunday(y, 11, 1) * 86_400 + 9 * 3600;
    if secs >= start && secs < end {
        -7
    } else {
        -8
    }
}

/// The next midnight in Pacific time after `ms`, as a UTC millisecond timestamp.
pub fn next_pacific_midnight(ms: i64) -> i64 {
    let off = pacific_offset_hours(ms);
    let local_secs = ms.div_euclid(1000) + off * 3600;
    let next_local_day = local_secs.div_euclid(86_400) + 1;
    let candidate = (next_local_day * 86_400 - off * 3600) * 1000;
    // Around a DST switch the offset at midnight may differ from now's: correct with the offset there.
    let off2 = pacific_offset_hours(candidate);
    (next_local_day * 86_400 - off2 * 3600) * 1000
}

/// "7 h 12 min" style duration.
pub fn human_duration(ms: i64) -> String {
    let mins = (ms.max(0) + 59_999) / 60_000;
    if mins >= 60 {
        format!("{} h {} min", mins / 60, mins % 60)
    } else {
        format!("{mins} min")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn civil_round_trip() {
        for d in [-1000, 0, 19_000, 20_000, 25_000] {
            let (y, m, dd) = civil_from_days(d);
            assert_eq!(days_from_civil(y, m, dd), d);
        }
        assert_eq!(iso_utc(0), "1970-01-01T00:00:00Z");
    }

    #[test]
    fn pacific_midnight() {
        // 2026-01-15T12:00:00Z (PST): next midnight Pacific = 2026-01-16T08:00:00Z.
        let t = days_from_civil(2026, 1, 15) * 86_400_000 + 12 * 3_600_000;
        assert_eq!(iso_utc(next_pacific_midnight(t)), "2026-01-16T08:00:00Z");
        // 2026-07-15T03:00:00Z is 20:00 PDT on the 14th: midnight = 2026-07-15T07:00:00Z.
        let t = days_from_civil(2026, 7, 15) * 86_400_000 + 3 * 3_600_000;
        assert_eq!(iso_utc(next_pacific_midnight(t)), "2026-07-15T07:00:00Z");
    }
}
