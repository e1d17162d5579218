//! Neutralising control characters and escape sequences in strings that came from a server
//! (names, usernames, domains, error bodies) before they are drawn or printed.
//!
//! One rule for every output: the TUI, the CLI's tables, CSV and JSON (whose strings go
//! through [`clean`] too: `cli::output::json`), error lines and the audit log's views.

/// The replacement for every unsafe character.
pub const REPLACEMENT: char = '\u{FFFD}';

/// Replace every control character (C0, DEL, C1) and every bidirectional formatting character
/// (see [`is_unsafe`]) with U+FFFD so that no escape sequence (CSI, OSC 52, ...) a server sent
/// can reach the terminal and no text can be made to read in another order than it is stored.
/// Tabs and newlines are replaced too: callers that want line structure split first.
pub fn clean(s: &str) -> String {
    if !s.chars().any(is_unsafe) {
        return s.to_string();
    }
    s.chars()
        .map(|c| if is_unsafe(c) { REPLACEMENT } else { c })
        .collect()
}

/// Like [`clean`] but keeps `\n` (for multi-line messages printed to a stream).
pub fn clean_multiline(s: &str) -> String {
    s.split('\n').map(clean).collect::<Vec<_>>().join("\n")
}

/// True for what [`clean`] replaces: C0 controls, DEL and C1 controls (`char::is_control`),
/// the bidirectional formatting characters (U+061C ALM, U+200E LRM, U+200F RLM, U+202A-U+202E
/// LRE RLE PDF LRO RLO, U+2066-U+2069 LRI RLI FSI PDI) and the Unicode line and paragraph
/// separators (U+2028, U+2029), which some terminals and viewers take for line breaks.
pub fn is_unsafe(c: char) -> bool {
    c.is_control()
        || matches!(
            c,
            '\u{061c}'
                | '\u{200e}'
                | '\u{200f}'
                | '\u{2028}'
                | '\u{2029}'
                | '\u{202a}'..='\u{202e}'
                | '\u{2066}'..='\u{2069}'
        )
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

    /// Issue 13 item 14: every bidi control, not only the overrides U+202D / U+202E.
    #[test]
    fn every_bidi_control_is_replaced() {
        for c in [
            '\u{061c}', '\u{200e}', '\u{200f}', '\u{202a}', '\u{202b}', '\u{202c}', '\u{202d}',
            '\u{202e}', '\u{2066}', '\u{2067}', '\u{2068}', '\u{2069}', '\u{2028}', '\u{2029}',
            '\u{7f}', '\u{9b}',
        ] {
            assert_eq!(clean(&format!("a{c}b")), "a\u{FFFD}b", "U+{:04X}", c as u32);
        }
        // A zero-width joiner (emoji sequences) is ordinary text.
        assert_eq!(clean("👩\u{200d}💻 é"), "👩\u{200d}💻 é");
    }
}
