//! How counts and days are written, everywhere the same: `1 packet`, `2 packets`; `day 0`,
//! `day +3`, `day -2`.

/// `1 error`, `2 errors`.
pub fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// A day relative to day 0 as a signed offset: `0`, `+3`, `-2`.
pub fn offset(day: i64) -> String {
    if day == 0 {
        "0".into()
    } else {
        format!("{day:+}")
    }
}

/// A day relative to day 0: `day 0`, `day +3`, `day -2`.
pub fn day(day: i64) -> String {
    format!("day {}", offset(day))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_and_days_read_one_way() {
        assert_eq!(plural(1, "packet", "packets"), "1 packet");
        assert_eq!(plural(0, "packet", "packets"), "0 packets");
        assert_eq!(day(0), "day 0");
        assert_eq!(day(3), "day +3");
        assert_eq!(day(-2), "day -2");
        assert_eq!(offset(14), "+14");
    }
}
