//! Nagios performance data: space-separated `label=value[UOM];[warn];[crit];[min];[max]` items,
//! labels with spaces in single quotes (`''` is a literal quote). Items whose value is not a number
//! (`U`, empty) are skipped, and so is a repeated label.

/// One performance value.
#[derive(Debug, Clone, PartialEq)]
pub struct Metric {
    /// The label (the OpenNMS attribute name).
    pub label: String,
    /// The value.
    pub value: f64,
    /// Unit of measurement (`ms`, `%`, `B`, ...), possibly empty.
    pub unit: String,
}

/// The metrics of a perfdata string, in order.
pub fn parse(perfdata: &str) -> Vec<Metric> {
    let mut metrics: Vec<Metric> = Vec::new();
    let mut rest = perfdata.trim_start();
    while !rest.is_empty() {
        let (label, after) = match read_label(rest) {
            Some(found) => found,
            None => {
                rest = skip_item(rest);
                continue;
            }
        };
        let end = after.find(char::is_whitespace).unwrap_or(after.len());
        let (value_text, next) = after.split_at(end);
        rest = next.trim_start();
        if let Some((value, unit)) = read_value(value_text.split(';').next().unwrap_or_default()) {
            if !label.is_empty() && !metrics.iter().any(|metric| metric.label == label) {
                metrics.push(Metric { label, value, unit });
            }
        }
    }
    metrics
}

/// The label and the text after its `=`.
fn read_label(item: &str) -> Option<(String, &str)> {
    if let Some(quoted) = item.strip_prefix('\'') {
        let mut label = String::new();
        let mut chars = quoted.char_indices().peekable();
        while let Some((index, c)) = chars.next() {
            if c != '\'' {
                label.push(c);
                continue;
            }
            if chars.peek().map(|(_, next)| *next) == Some('\'') {
                chars.next();
                label.push('\'');
                continue;
            }
            return quoted[index + 1..].strip_prefix('=').map(|after| (label, after));
        }
        return None;
    }
    let end = item.find(|c: char| c == '=' || c.is_whitespace())?;
    item[end..].strip_prefix('=').map(|after| (item[..end].to_owned(), after))
}

/// Drops everything up to the next whitespace.
fn skip_item(text: &str) -> &str {
    let end = text.find(char::is_whitespace).unwrap_or(text.len());
    text[end..].trim_start()
}

/// `12.5ms` → (12.5, `ms`).
fn read_value(text: &str) -> Option<(f64, String)> {
    let split = text.find(|c: char| !(c.is_ascii_digit() || matches!(c, '.' | '-' | '+'))).unwrap_or(text.len());
    let value: f64 = text[..split].parse().ok()?;
    value.is_finite().then(|| (value, text[split..].to_owned()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn labels_and_values(perfdata: &str) -> Vec<(String, f64, String)> {
        parse(perfdata).into_iter().map(|metric| (metric.label, metric.value, metric.unit)).collect()
    }

    #[test]
    fn plain_items_with_units_and_thresholds() {
        assert_eq!(
            labels_and_values("time=0.041s;1;2;0 size=5120B;;;0 pl=0%"),
            vec![
                ("time".to_owned(), 0.041, "s".to_owned()),
                ("size".to_owned(), 5120.0, "B".to_owned()),
                ("pl".to_owned(), 0.0, "%".to_owned()),
            ]
        );
    }

    #[test]
    fn quoted_labels_may_hold_spaces_and_quotes() {
        assert_eq!(
            labels_and_values("'/ used'=42.5%;80;90 'it''s'=-3"),
            vec![("/ used".to_owned(), 42.5, "%".to_owned()), ("it's".to_owned(), -3.0, String::new())]
        );
    }

    #[test]
    fn unusable_items_are_skipped() {
        assert_eq!(labels_and_values("broken a=U b= =4 'open=1 c=2 c=3"), vec![("c".to_owned(), 2.0, String::new())]);
        assert!(parse("").is_empty());
        assert!(parse("   ").is_empty());
    }
}
