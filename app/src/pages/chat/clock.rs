//! Message times in the viewer's own time zone: `14:05` for a time, "Today",
//! "Yesterday" or a date for the day separators. The browser's clock and zone come from
//! `Date`; the server never renders a message (the store is empty there), so its UTC
//! fallback only keeps the code compiling and testable.

use crate::i18n::{Key, Locale};
use penguin_protocol::UnixMillis;

/// A moment as the viewer's wall clock shows it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WallTime {
    pub year: i32,
    /// 1–12.
    pub month: u32,
    pub day: u32,
    pub hour: u32,
    pub minute: u32,
}

impl WallTime {
    /// A number per calendar day that orders days.
    pub fn day_key(&self) -> i64 {
        i64::from(self.year) * 10_000 + i64::from(self.month) * 100 + i64::from(self.day)
    }

    pub fn clock(&self) -> String {
        format!("{:02}:{:02}", self.hour, self.minute)
    }
}

#[cfg(any(feature = "hydrate", feature = "csr"))]
pub fn wall_time(at: UnixMillis) -> WallTime {
    let date = web_sys::js_sys::Date::new(&wasm_bindgen::JsValue::from_f64(at as f64));
    WallTime {
        year: date.get_full_year() as i32,
        month: date.get_month() + 1,
        day: date.get_date(),
        hour: date.get_hours(),
        minute: date.get_minutes(),
    }
}

#[cfg(not(any(feature = "hydrate", feature = "csr")))]
pub fn wall_time(at: UnixMillis) -> WallTime {
    utc(at)
}

/// The time in UTC (days from the civil calendar algorithm of H. Hinnant).
#[cfg_attr(any(feature = "hydrate", feature = "csr"), allow(dead_code))]
fn utc(at: UnixMillis) -> WallTime {
    let seconds = at.div_euclid(1000);
    let days = seconds.div_euclid(86_400);
    let of_day = seconds.rem_euclid(86_400);
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let year = (yoe + era * 400 + i64::from(month <= 2)) as i32;
    WallTime {
        year,
        month,
        day,
        hour: (of_day / 3600) as u32,
        minute: (of_day % 3600 / 60) as u32,
    }
}

#[cfg(any(feature = "hydrate", feature = "csr"))]
pub fn now() -> UnixMillis {
    web_sys::js_sys::Date::now() as UnixMillis
}

#[cfg(not(any(feature = "hydrate", feature = "csr")))]
pub fn now() -> UnixMillis {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as UnixMillis)
}

/// A day separator's label, relative to `today`.
pub fn day_label(day: WallTime, today: WallTime, yesterday: WallTime, locale: Locale) -> String {
    if day.day_key() == today.day_key() {
        Key::Today.text(locale).to_owned()
    } else if day.day_key() == yesterday.day_key() {
        Key::Yesterday.text(locale).to_owned()
    } else {
        match locale {
            Locale::ZhCn => format!("{}年{}月{}日", day.year, day.month, day.day),
            Locale::En => format!("{}-{:02}-{:02}", day.year, day.month, day.day),
        }
    }
}

/// A list entry's time: the clock for today, else the date (short).
pub fn entry_time(at: UnixMillis, locale: Locale) -> String {
    let when = wall_time(at);
    let today = wall_time(now());
    if when.day_key() == today.day_key() {
        when.clock()
    } else if when.year == today.year {
        match locale {
            Locale::ZhCn => format!("{}月{}日", when.month, when.day),
            Locale::En => format!("{:02}-{:02}", when.month, when.day),
        }
    } else {
        format!("{}-{:02}-{:02}", when.year, when.month, when.day)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn utc_calendar() {
        assert_eq!(
            utc(0),
            WallTime {
                year: 1970,
                month: 1,
                day: 1,
                hour: 0,
                minute: 0
            }
        );
        // 2024-02-29T23:59:00Z, a leap day.
        assert_eq!(
            utc(1_709_251_140_000),
            WallTime {
                year: 2024,
                month: 2,
                day: 29,
                hour: 23,
                minute: 59
            }
        );
        assert_eq!(utc(1_709_251_140_000).clock(), "23:59");
    }

    #[test]
    fn day_labels() {
        let today = utc(1_709_251_140_000);
        let yesterday = utc(1_709_251_140_000 - 86_400_000);
        let older = utc(1_709_251_140_000 - 3 * 86_400_000);
        assert_eq!(day_label(today, today, yesterday, Locale::En), "Today");
        assert_eq!(
            day_label(yesterday, today, yesterday, Locale::En),
            "Yesterday"
        );
        assert_eq!(day_label(older, today, yesterday, Locale::En), "2024-02-26");
        assert_eq!(
            day_label(older, today, yesterday, Locale::ZhCn),
            "2024年2月26日"
        );
    }
}
