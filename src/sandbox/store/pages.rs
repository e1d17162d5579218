//! Cursor pagination over anything kept by name (connections, bundles, job specs), and its
//! opaque cursors.

use std::collections::BTreeMap;

use base64::Engine as _;

/// Which way a page is read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum PageFrom {
    Start,
    /// Names strictly after this one.
    After(String),
    /// Names strictly before this one.
    Before(String),
}

#[derive(Debug)]
pub(crate) struct Page<'a, T> {
    pub(crate) items: Vec<&'a T>,
    pub(crate) has_more: bool,
    pub(crate) after: Option<String>,
    pub(crate) before: Option<String>,
}

/// Cursor pagination over items ordered by their key: connections by name (names are unique
/// across kinds), bundles and job specs by name.
///
/// [guess] Semantics follow Zendesk's cursor pagination: `has_more` says whether more items
/// exist in the direction of travel; `meta.after` is the cursor of the page's last item when
/// items follow it (else null) and `meta.before` the cursor of its first item when items
/// precede it (else null). A client that follows `after` while `has_more` is true, or until
/// `after` is null, reads every connection exactly once.
pub(crate) fn paginate<'a, T>(
    conns: &'a BTreeMap<String, T>,
    size: usize,
    from: &PageFrom,
) -> Page<'a, T> {
    use std::ops::Bound::{Excluded, Unbounded};
    let (keyed, has_more): (Vec<(&String, &T)>, bool) = match from {
        PageFrom::Start => {
            let mut it = conns.iter();
            let items: Vec<_> = it.by_ref().take(size).collect();
            (items, it.next().is_some())
        }
        PageFrom::After(c) => {
            let mut it = conns.range::<str, _>((Excluded(c.as_str()), Unbounded));
            let items: Vec<_> = it.by_ref().take(size).collect();
            (items, it.next().is_some())
        }
        PageFrom::Before(c) => {
            let mut it = conns
                .range::<str, _>((Unbounded, Excluded(c.as_str())))
                .rev();
            let mut items: Vec<_> = it.by_ref().take(size).collect();
            let more = it.next().is_some();
            items.reverse();
            (items, more)
        }
    };
    let first = keyed.first().map(|(k, _)| k.as_str());
    let last = keyed.last().map(|(k, _)| k.as_str());
    let after = last.and_then(|l| {
        conns
            .range::<str, _>((Excluded(l), Unbounded))
            .next()
            .map(|_| encode_cursor(l))
    });
    let before = first.and_then(|f| {
        conns
            .range::<str, _>((Unbounded, Excluded(f)))
            .next_back()
            .map(|_| encode_cursor(f))
    });
    Page {
        items: keyed.into_iter().map(|(_, v)| v).collect(),
        has_more,
        after,
        before,
    }
}

/// Opaque cursor: URL-safe base64 (no padding) of `"n:" + name`.
pub(crate) fn encode_cursor(name: &str) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(format!("n:{name}"))
}

pub(crate) fn decode_cursor(cursor: &str) -> Option<String> {
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(cursor.trim_end_matches('='))
        .ok()?;
    let s = String::from_utf8(bytes).ok()?;
    s.strip_prefix("n:").map(str::to_string)
}
