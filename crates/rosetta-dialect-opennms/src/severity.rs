//! OpenNMS severities (`OnmsSeverity`): numeric ids 1–7 and their upper-case labels.

/// Lowest severity id (`INDETERMINATE`).
pub const MIN_SEVERITY: u8 = 1;

/// Highest severity id (`CRITICAL`).
pub const MAX_SEVERITY: u8 = 7;

/// Labels indexed by `id - 1`.
const LABELS: [&str; 7] = [
    "INDETERMINATE",
    "CLEARED",
    "NORMAL",
    "WARNING",
    "MINOR",
    "MAJOR",
    "CRITICAL",
];

/// Upper-case label of a severity id (`6` ⇒ `MAJOR`), `None` outside 1–7.
pub fn severity_label(id: u8) -> Option<&'static str> {
    let index = usize::from(id).checked_sub(1)?;
    LABELS.get(index).copied()
}

/// Severity id of a label in any case (`major`, `Major`, `MAJOR` ⇒ `6`).
pub fn severity_from_label(label: &str) -> Option<u8> {
    let label = label.trim();
    LABELS
        .iter()
        .position(|known| known.eq_ignore_ascii_case(label))
        .and_then(|index| u8::try_from(index + 1).ok())
}

/// Severity id from a label (any case) or a number in 1–7 (`"6"`, `"MAJOR"`).
pub fn parse_severity(text: &str) -> Option<u8> {
    let text = text.trim();
    if let Ok(number) = text.parse::<u8>() {
        return (MIN_SEVERITY..=MAX_SEVERITY)
            .contains(&number)
            .then_some(number);
    }
    severity_from_label(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_round_trip() {
        for id in MIN_SEVERITY..=MAX_SEVERITY {
            let label = severity_label(id).expect("label");
            assert_eq!(severity_from_label(label), Some(id));
            assert_eq!(parse_severity(&id.to_string()), Some(id));
        }
        assert_eq!(severity_label(6), Some("MAJOR"));
    }

    #[test]
    fn any_case_and_numbers() {
        assert_eq!(parse_severity("major"), Some(6));
        assert_eq!(parse_severity(" Critical "), Some(7));
        assert_eq!(parse_severity("indeterminate"), Some(1));
        assert_eq!(parse_severity("1"), Some(1));
    }

    #[test]
    fn rejects_unknown() {
        assert_eq!(severity_label(0), None);
        assert_eq!(severity_label(8), None);
        assert_eq!(parse_severity("0"), None);
        assert_eq!(parse_severity("8"), None);
        assert_eq!(parse_severity("-1"), None);
        assert_eq!(parse_severity("BOGUS"), None);
        assert_eq!(parse_severity(""), None);
        assert_eq!(parse_severity("MAJÖR"), None);
    }
}
