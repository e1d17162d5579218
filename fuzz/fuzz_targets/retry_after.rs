//! `parse_retry_after` on arbitrary text, against a fixed and the current `now`: never panics;
//! whole seconds come back exactly; a negative or NaN wait is refused; an HTTP date never
//! gives more than the time left until the year 9999 ends.
#![no_main]

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use libfuzzer_sys::fuzz_target;
use zisctl::zis::client::parse_retry_after;

/// 9999-12-31T23:59:59Z.
const LAST_HTTP_DATE: u64 = 253_402_300_799;

fuzz_target!(|data: &[u8]| {
    let Ok(v) = std::str::from_utf8(data) else {
        return;
    };
    let fixed = UNIX_EPOCH + Duration::from_secs(1_700_000_000);
    for now in [fixed, SystemTime::now(), UNIX_EPOCH] {
        let got = parse_retry_after(v, now);
        let t = v.trim();
        if let Ok(secs) = t.parse::<u64>() {
            assert_eq!(got, Some(Duration::from_secs(secs)));
        } else if let Ok(f) = t.parse::<f64>() {
            if !(0.0..1e9).contains(&f) {
                assert_eq!(got, None);
            } else {
                let d = got.expect("a wait in [0, 1e9) s was refused");
                assert!((d.as_secs_f64() - f).abs() <= 1e-6 * f.max(1.0));
            }
        } else if let Some(d) = got {
            let since = now.duration_since(UNIX_EPOCH).unwrap_or_default();
            assert!(d <= Duration::from_secs(LAST_HTTP_DATE + 1).saturating_sub(since));
        }
    }
});
