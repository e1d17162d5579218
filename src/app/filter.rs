//! The `/` filter: case-insensitive substring, or fuzzy (nucleo) ranked by score.
use nucleo_matcher::pattern::{CaseMatching, Normalization, Pattern};
use nucleo_matcher::{Config, Matcher, Utf32Str};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum FilterMode {
    /// Every word of the query must appear somewhere (case-insensitive).
    #[default]
    Substring,
    /// fzf-style fuzzy matching; rows are ranked by score.
    Fuzzy,
}

impl FilterMode {
    pub fn label(self) -> &'static str {
        match self {
            FilterMode::Substring => "substring",
            FilterMode::Fuzzy => "fuzzy",
        }
    }

    pub fn toggled(self) -> FilterMode {
        match self {
            FilterMode::Substring => FilterMode::Fuzzy,
            FilterMode::Fuzzy => FilterMode::Substring,
        }
    }
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Filter {
    pub text: String,
    pub mode: FilterMode,
}

impl Filter {
    pub fn is_active(&self) -> bool {
        !self.text.trim().is_empty()
    }

    /// A matcher for this filter, or None when the filter is empty (everything matches).
    pub fn matcher(&self) -> Option<FilterMatcher> {
        if !self.is_active() {
            return None;
        }
        Some(match self.mode {
            FilterMode::Substring => FilterMatcher::Substring(
                self.text
                    .split_whitespace()
                    .map(str::to_lowercase)
                    .collect(),
            ),
            FilterMode::Fuzzy => FilterMatcher::Fuzzy {
                pattern: Pattern::parse(&self.text, CaseMatching::Ignore, Normalization::Smart),
                matcher: Box::new(Matcher::new(Config::DEFAULT)),
                buf: Vec::new(),
            },
        })
    }
}

pub enum FilterMatcher {
    Substring(Vec<String>),
    Fuzzy {
        pattern: Pattern,
        matcher: Box<Matcher>,
        buf: Vec<char>,
    },
}

impl FilterMatcher {
    /// Score of `haystack` (several fields joined by spaces): None when it does not match.
    /// Substring matches all score 1 (the sort order is kept); fuzzy matches rank by score.
    pub fn score(&mut self, haystack: &str) -> Option<u32> {
        match self {
            FilterMatcher::Substring(words) => {
                let h = haystack.to_lowercase();
                words.iter().all(|w| h.contains(w.as_str())).then_some(1)
            }
            FilterMatcher::Fuzzy {
                pattern,
                matcher,
                buf,
            } => pattern.score(Utf32Str::new(haystack, buf), matcher),
        }
    }

    /// The lowercased words of a substring filter (None for a fuzzy one): a caller holding
    /// lowercased fields can test them without lowercasing a haystack per row.
    pub fn words(&self) -> Option<&[String]> {
        match self {
            FilterMatcher::Substring(words) => Some(words),
            FilterMatcher::Fuzzy { .. } => None,
        }
    }

    pub fn ranks(&self) -> bool {
        matches!(self, FilterMatcher::Fuzzy { .. })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn substring_words_all_must_match() {
        let f = Filter {
            text: "sales PROD".into(),
            mode: FilterMode::Substring,
        };
        let mut m = f.matcher().unwrap();
        assert!(m
            .score("salesforce_prod basic login.salesforce.com")
            .is_some());
        assert!(m.score("salesforce_sandbox basic").is_none());
    }

    #[test]
    fn fuzzy_matches_scattered_letters() {
        let f = Filter {
            text: "sfprd".into(),
            mode: FilterMode::Fuzzy,
        };
        let mut m = f.matcher().unwrap();
        assert!(m.score("salesforce_prod").is_some());
        assert!(m.score("stripe_live").is_none());
        assert!(Filter::default().matcher().is_none());
    }
}
