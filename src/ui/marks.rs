//! What the `/` filter matched in a cell, to underline: the substring filter's words wherever
//! they occur, or the characters a fuzzy filter matched (nucleo's indices) in a cell that
//! matches the whole query.
use std::cell::RefCell;

use nucleo_matcher::pattern::{CaseMatching, Normalization, Pattern};
use nucleo_matcher::{Config, Matcher, Utf32Str};

use crate::app::{Filter, FilterMode};

/// A fuzzy query with its matcher and the buffers it reuses from cell to cell.
type Fuzzy = (Pattern, Matcher, Vec<char>, Vec<u32>);

pub(super) enum Marks {
    None,
    Words(Vec<String>),
    Fuzzy(Box<RefCell<Fuzzy>>),
}

impl Marks {
    /// The marks of `filter` (none while it is empty).
    pub(super) fn of(filter: &Filter) -> Marks {
        if !filter.is_active() {
            return Marks::None;
        }
        match filter.mode {
            FilterMode::Substring => Marks::Words(
                filter
                    .text
                    .split_whitespace()
                    .map(str::to_lowercase)
                    .collect(),
            ),
            FilterMode::Fuzzy => Marks::Fuzzy(Box::new(RefCell::new((
                Pattern::parse(&filter.text, CaseMatching::Ignore, Normalization::Smart),
                Matcher::new(Config::DEFAULT),
                Vec::new(),
                Vec::new(),
            )))),
        }
    }

    pub(super) fn is_none(&self) -> bool {
        matches!(self, Marks::None)
    }

    /// For each character of `text`, whether it is marked.
    pub(super) fn hits(&self, text: &str) -> Vec<bool> {
        let chars: Vec<char> = text.chars().collect();
        let mut hit = vec![false; chars.len()];
        match self {
            Marks::None => {}
            Marks::Words(words) => {
                let lower: Vec<char> = chars
                    .iter()
                    .map(|c| c.to_lowercase().next().unwrap_or(*c))
                    .collect();
                for word in words {
                    let word: Vec<char> = word.chars().collect();
                    if word.is_empty() || word.len() > lower.len() {
                        continue;
                    }
                    for at in 0..=lower.len() - word.len() {
                        if lower[at..at + word.len()] == word[..] {
                            hit[at..at + word.len()].iter_mut().for_each(|h| *h = true);
                        }
                    }
                }
            }
            Marks::Fuzzy(cell) => {
                let (pattern, matcher, buf, indices) = &mut *cell.borrow_mut();
                indices.clear();
                let haystack = Utf32Str::new(text, buf);
                if pattern.indices(haystack, matcher, indices).is_some() {
                    for &i in indices.iter() {
                        if let Some(h) = hit.get_mut(i as usize) {
                            *h = true;
                        }
                    }
                }
            }
        }
        hit
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn marked(m: &Marks, text: &str) -> String {
        text.chars()
            .zip(m.hits(text))
            .map(|(c, h)| if h { c.to_ascii_uppercase() } else { c })
            .collect()
    }

    #[test]
    fn substring_words_and_fuzzy_letters_are_marked() {
        let sub = Marks::of(&Filter {
            text: "prod SALES".into(),
            mode: FilterMode::Substring,
        });
        assert_eq!(marked(&sub, "salesforce_prod"), "SALESforce_PROD");
        let fuzzy = Marks::of(&Filter {
            text: "sfprd".into(),
            mode: FilterMode::Fuzzy,
        });
        let m = marked(&fuzzy, "salesforce_prod");
        assert_eq!(m.chars().filter(char::is_ascii_uppercase).count(), 5, "{m}");
        assert!(m.starts_with('S') && m.ends_with('D'), "{m}");
        // A cell that does not match the whole query has no marks.
        assert_eq!(marked(&fuzzy, "stripe_live"), "stripe_live");
        assert!(Marks::of(&Filter::default()).is_none());
    }
}
