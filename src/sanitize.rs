//! Neutralising control characters and escape sequences in strings that came from a server
//! (names, usernames, domains, error bodies) before they are drawn or printed.

/// Replace every control character (C0, DEL, C1) with U+FFFD so that no escape sequence
/// (CSI, OSC 52, ...) a server sent can reach the terminal. Tabs and newlines are replaced too:
/// callers that want line structure split first.
pub fn clean(s: &str) -> String {
    if !s.chars().any(is_unsafe) {
        return s.to_string();
    }
    s.chars()
        .map(|c| if is_unsafe(c) { '\u{FFFD}' } else { c })
        .collect()
}

/// Like [`clean`] but keeps `\n` (for multi-line messages printed to a stream).
pub fn clean_multiline(s: &str) -> String {
    s.split('\n').map(clean).collect::<Vec<_>>().join("\n")
}

fn is_unsafe(c: char) -> bool {
    c.is_control() || ('\u{80}'..='\u{9f}').contains(&c) || c == '\u{202e}' || c == '\u{202d}'
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn osc52_is_neutralised() {
        let hostile = "bob\x1b]52;c;aGVsbG8=\x07";
        let out = clean(hostile);
        assert!(!out.contains('\x1b'));
        assert!(!out.contains('\x07'));
        assert!(out.starts_with("bob"));
    }

    #[test]
    fn plain_text_is_unchanged() {
        assert_eq!(clean("api.example.com"), "api.example.com");
        assert_eq!(clean("Zoë ✓"), "Zoë ✓");
    }

    #[test]
    fn c1_and_bidi_are_replaced() {
        assert_eq!(clean("a\u{9b}b\u{202e}c"), "a\u{FFFD}b\u{FFFD}c");
        assert_eq!(clean_multiline("a\nb\x1b"), "a\nb\u{FFFD}");
    }
}
