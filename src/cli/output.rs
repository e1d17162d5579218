//! Printing: aligned tables, RFC 4180 CSV (formula-safe), pretty JSON, human ages.
//! Pure functions; the commands decide where the text goes.
use std::io::{self, Write};

use crate::sanitize;

/// Rows of cells under a header. Every cell is sanitised when rendered.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Table {
    pub headers: Vec<&'static str>,
    pub rows: Vec<Vec<String>>,
}

impl Table {
    pub fn new(headers: &[&'static str]) -> Table {
        Table {
            headers: headers.to_vec(),
            rows: Vec::new(),
        }
    }

    pub fn push(&mut self, row: Vec<String>) {
        self.rows.push(row);
    }

    /// Column widths (in characters) of the sanitised header and cells.
    fn widths(&self) -> Vec<usize> {
        let mut w: Vec<usize> = self.headers.iter().map(|h| width(h)).collect();
        for row in &self.rows {
            for (i, cell) in row.iter().enumerate() {
                let cw = width(&sanitize::clean(cell));
                match w.get_mut(i) {
                    Some(x) => *x = (*x).max(cw),
                    None => w.push(cw),
                }
            }
        }
        w
    }

    /// Aligned columns, two spaces apart, header first; no trailing spaces.
    pub fn render(&self) -> String {
        let widths = self.widths();
        let mut out = String::new();
        let header: Vec<String> = self.headers.iter().map(|h| h.to_string()).collect();
        push_aligned(&mut out, &header, &widths);
        for row in &self.rows {
            let cells: Vec<String> = row.iter().map(|c| sanitize::clean(c)).collect();
            push_aligned(&mut out, &cells, &widths);
        }
        out
    }

    /// RFC 4180 CSV (CRLF line ends), header first.
    pub fn to_csv(&self) -> String {
        let mut out = String::new();
        out.push_str(&csv_line(self.headers.iter().copied()));
        for row in &self.rows {
            out.push_str(&csv_line(row.iter().map(String::as_str)));
        }
        out
    }
}

fn width(s: &str) -> usize {
    s.chars().count()
}

fn push_aligned(out: &mut String, cells: &[String], widths: &[usize]) {
    out.push_str(&aligned_line(cells, widths));
}

/// One table line (with its newline): cells padded to `widths`, two spaces apart, no trailing
/// spaces. Cells are printed as given: sanitise them first.
pub fn aligned_line(cells: &[String], widths: &[usize]) -> String {
    let mut line = String::new();
    for (i, cell) in cells.iter().enumerate() {
        if i > 0 {
            line.push_str("  ");
        }
        line.push_str(cell);
        let w = widths.get(i).copied().unwrap_or(0);
        for _ in width(cell)..w {
            line.push(' ');
        }
    }
    let end = line.trim_end().len();
    line.truncate(end);
    line.push('\n');
    line
}

/// Key/value lines for one record (the table form of `show`), keys aligned.
pub fn render_record(pairs: &[(&str, String)]) -> String {
    let w = pairs.iter().map(|(k, _)| width(k)).max().unwrap_or(0);
    let mut out = String::new();
    for (k, v) in pairs {
        out.push_str(k);
        for _ in width(k)..w + 2 {
            out.push(' ');
        }
        out.push_str(&sanitize::clean(v));
        // Keep lines free of trailing spaces when the value is empty.
        let trimmed = out.trim_end_matches(' ').len();
        out.truncate(trimmed);
        out.push('\n');
    }
    out
}

/// One CSV line (with CRLF) from cells.
pub fn csv_line<'a>(cells: impl IntoIterator<Item = &'a str>) -> String {
    let mut line = cells
        .into_iter()
        .map(csv_field)
        .collect::<Vec<_>>()
        .join(",");
    line.push_str("\r\n");
    line
}

/// One CSV field: sanitised, formula injection neutralised (a cell starting with `=`, `+`,
/// `-` or `@` gets a leading `'`), quoted when it holds a comma, a quote or a line break.
pub fn csv_field(s: &str) -> String {
    let mut v = sanitize::clean(s);
    if v.starts_with(['=', '+', '-', '@']) {
        v.insert(0, '\'');
    }
    if v.contains([',', '"', '\r', '\n']) || v.starts_with(' ') || v.ends_with(' ') {
        format!("\"{}\"", v.replace('"', "\"\""))
    } else {
        v
    }
}

/// A human age from seconds: "now", "5min", "3h", "412d".
pub fn human_age(secs: i64) -> String {
    // One format with the TUI's AGE column: whole days past a day ("412d", not "13mo"), and
    // "min" for minutes so that "1m" is never read as a month.
    let secs = secs.max(0);
    if secs < 60 {
        "now".to_string()
    } else if secs < 3_600 {
        format!("{}min", secs / 60)
    } else if secs < 86_400 {
        format!("{}h", secs / 3_600)
    } else {
        format!("{}d", secs / 86_400)
    }
}

/// The age of a timestamp as of `now`, or "" when unknown.
pub fn age_of(t: Option<time::OffsetDateTime>, now: time::OffsetDateTime) -> String {
    match t {
        Some(t) => human_age((now - t).whole_seconds()),
        None => String::new(),
    }
}

/// A date for tables: "2024-05-01" (UTC), or "" when unknown.
pub fn short_date(t: Option<time::OffsetDateTime>) -> String {
    match t {
        Some(t) => {
            let t = t.to_offset(time::UtcOffset::UTC);
            format!("{:04}-{:02}-{:02}", t.year(), u8::from(t.month()), t.day())
        }
        None => String::new(),
    }
}

/// Pretty JSON with a trailing newline, every string sanitised as [`sanitize::clean`] does:
/// what no other output lets through (DEL, C1 controls such as CSI, bidi controls) never
/// reaches a terminal from JSON either, and C0 controls become the same U+FFFD instead of a
/// `\u001b` escape that a later `jq -r` would turn back into a raw escape byte.
pub fn json<T: serde::Serialize + ?Sized>(v: &T) -> io::Result<String> {
    let mut buf = Vec::with_capacity(256);
    let mut ser = serde_json::Serializer::with_formatter(&mut buf, CleanFormatter::new());
    v.serialize(&mut ser).map_err(io::Error::other)?;
    buf.push(b'\n');
    // serde_json writes UTF-8 only; the buffer becomes the String without a copy.
    String::from_utf8(buf).map_err(io::Error::other)
}

/// [`json`] written straight to stdout through a buffer: a large answer (an audit of 10,000
/// rows) is never held whole in memory.
pub fn print_json<T: serde::Serialize + ?Sized>(v: &T) -> io::Result<()> {
    let mut out = io::BufWriter::with_capacity(64 * 1024, io::stdout().lock());
    let mut ser = serde_json::Serializer::with_formatter(&mut out, CleanFormatter::new());
    v.serialize(&mut ser).map_err(io::Error::other)?;
    out.write_all(b"\n")?;
    out.flush()
}

/// serde_json's pretty printer, with strings written through the sanitiser. Writes straight
/// into the output (no copy of a string is made, so a secret is not duplicated).
struct CleanFormatter(serde_json::ser::PrettyFormatter<'static>);

impl CleanFormatter {
    fn new() -> CleanFormatter {
        CleanFormatter(serde_json::ser::PrettyFormatter::new())
    }
}

impl serde_json::ser::Formatter for CleanFormatter {
    fn write_string_fragment<W: ?Sized + Write>(&mut self, w: &mut W, s: &str) -> io::Result<()> {
        let mut start = 0;
        for (i, c) in s.char_indices() {
            if sanitize::is_unsafe(c) {
                w.write_all(&s.as_bytes()[start..i])?;
                let mut b = [0u8; 4];
                w.write_all(sanitize::REPLACEMENT.encode_utf8(&mut b).as_bytes())?;
                start = i + c.len_utf8();
            }
        }
        w.write_all(&s.as_bytes()[start..])
    }

    fn write_char_escape<W: ?Sized + Write>(
        &mut self,
        w: &mut W,
        e: serde_json::ser::CharEscape,
    ) -> io::Result<()> {
        use serde_json::ser::CharEscape::{Quote, ReverseSolidus, Solidus};
        match e {
            Quote => w.write_all(b"\\\""),
            ReverseSolidus => w.write_all(b"\\\\"),
            Solidus => w.write_all(b"\\/"),
            // Every other escape is a C0 control character: replaced, as `clean` does.
            _ => {
                let mut b = [0u8; 4];
                w.write_all(sanitize::REPLACEMENT.encode_utf8(&mut b).as_bytes())
            }
        }
    }

    fn begin_array<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.0.begin_array(w)
    }
    fn end_array<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.0.end_array(w)
    }
    fn begin_array_value<W: ?Sized + Write>(&mut self, w: &mut W, first: bool) -> io::Result<()> {
        self.0.begin_array_value(w, first)
    }
    fn end_array_value<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.0.end_array_value(w)
    }
    fn begin_object<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.0.begin_object(w)
    }
    fn end_object<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.0.end_object(w)
    }
    fn begin_object_key<W: ?Sized + Write>(&mut self, w: &mut W, first: bool) -> io::Result<()> {
        self.0.begin_object_key(w, first)
    }
    fn begin_object_value<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.0.begin_object_value(w)
    }
    fn end_object_value<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.0.end_object_value(w)
    }
}

/// Indent every line of `s` by `n` spaces (for JSON array elements streamed one by one).
pub fn indent(s: &str, n: usize) -> String {
    let pad = " ".repeat(n);
    s.lines()
        .map(|l| format!("{pad}{l}"))
        .collect::<Vec<_>>()
        .join("\n")
}

/// Write all of `text` to stdout and flush.
pub fn print(text: &str) -> io::Result<()> {
    let mut out = io::stdout().lock();
    out.write_all(text.as_bytes())?;
    out.flush()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_is_aligned_and_sanitised() {
        let mut t = Table::new(&["NAME", "DOMAIN"]);
        t.push(vec!["bob".into(), "a.example.com".into()]);
        t.push(vec!["alice-long\x1b[31m".into(), "".into()]);
        let out = t.render();
        let lines: Vec<&str> = out.lines().collect();
        assert_eq!(lines.len(), 3);
        assert!(!out.contains('\x1b'));
        // The DOMAIN column starts at the same place on the header and the first row.
        assert_eq!(lines[0].find("DOMAIN"), lines[1].find("a.example.com"));
        assert!(lines.iter().all(|l| !l.ends_with(' ')));
        assert_eq!(lines[2], "alice-long\u{FFFD}[31m");
    }

    #[test]
    fn csv_quoting_follows_rfc4180() {
        assert_eq!(csv_field("plain"), "plain");
        assert_eq!(csv_field("a,b"), "\"a,b\"");
        assert_eq!(csv_field("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(csv_field(""), "");
        assert_eq!(csv_field(" padded"), "\" padded\"");
        // Line breaks from a server are neutralised, never a new record.
        assert!(!csv_field("a\nb").contains('\n'));
        assert_eq!(csv_line(["a", "b,c", ""]), "a,\"b,c\",\r\n");
    }

    #[test]
    fn csv_neutralises_formulas() {
        assert_eq!(csv_field("=HYPERLINK(\"x\")"), "\"'=HYPERLINK(\"\"x\"\")\"");
        assert_eq!(csv_field("+1"), "'+1");
        assert_eq!(csv_field("-2"), "'-2");
        assert_eq!(csv_field("@SUM(A1)"), "'@SUM(A1)");
        assert_eq!(csv_field("a=b"), "a=b");
    }

    #[test]
    fn table_to_csv() {
        let mut t = Table::new(&["A", "B"]);
        t.push(vec!["1".into(), "x,y".into()]);
        assert_eq!(t.to_csv(), "A,B\r\n1,\"x,y\"\r\n");
    }

    #[test]
    fn human_ages() {
        assert_eq!(human_age(-5), "now");
        assert_eq!(human_age(30), "now");
        assert_eq!(human_age(5 * 60), "5min");
        assert_eq!(human_age(3 * 3600 + 10), "3h");
        assert_eq!(human_age(3 * 86_400), "3d");
        assert_eq!(human_age(59 * 86_400), "59d");
        assert_eq!(human_age(99 * 86_400), "99d");
        assert_eq!(human_age(100 * 86_400), "100d");
        assert_eq!(human_age(420 * 86_400), "420d");
        assert_eq!(human_age(800 * 86_400), "800d");
    }

    #[test]
    fn dates_and_records() {
        let t = time::macros::datetime!(2024-05-01 23:30 -02:00);
        assert_eq!(short_date(Some(t)), "2024-05-02");
        assert_eq!(short_date(None), "");
        let now = t + time::Duration::days(3);
        assert_eq!(age_of(Some(t), now), "3d");
        let r = render_record(&[("name", "bob".into()), ("username", "".into())]);
        assert_eq!(r, "name      bob\nusername\n");
    }

    /// Issue 13 item 14: JSON strings are sanitised like every other output, and the JSON
    /// stays valid and pretty.
    #[test]
    fn json_strings_are_sanitised() {
        let v = serde_json::json!({
            "a": "x\u{7f}y\u{9b}31m\u{202e}z\u{2067}w",
            "b": ["esc\u{1b}]52;c;x\u{7}", "line\nbreak", "q\"b\\s/"],
        });
        let out = json(&v).unwrap();
        for c in [
            '\u{7f}', '\u{9b}', '\u{202e}', '\u{2067}', '\u{1b}', '\u{7}',
        ] {
            assert!(!out.contains(c), "U+{:04X} printed", c as u32);
        }
        assert!(!out.contains("\\u00"), "a C0 escape was printed: {out}");
        let back: serde_json::Value = serde_json::from_str(&out).unwrap();
        assert_eq!(back["a"], "x\u{FFFD}y\u{FFFD}31m\u{FFFD}z\u{FFFD}w");
        assert_eq!(back["b"][0], "esc\u{FFFD}]52;c;x\u{FFFD}");
        assert_eq!(back["b"][1], "line\u{FFFD}break");
        assert_eq!(back["b"][2], "q\"b\\s/");
        assert_eq!(
            out,
            format!("{}\n", serde_json::to_string_pretty(&back).unwrap())
        );
    }

    #[test]
    fn json_elements_indent() {
        assert_eq!(indent("{\n  \"a\": 1\n}", 2), "  {\n    \"a\": 1\n  }");
    }
}
