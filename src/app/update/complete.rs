//! Tab on the `:` line: the command names of `keymap::COMMANDS`, and after `:int ` (or
//! `:bundles `) the account's integration names; a second Tab shows the next one. And the
//! fuzzy name `:int` takes.
use crate::app::filter::{Filter, FilterMode};
use crate::app::keymap::{Command, COMMANDS};
use crate::app::model::Level;
use crate::app::state::State;

use super::banner;
use super::command_line::set_line;

/// How many names a banner lists before "…".
const LISTED: usize = 5;

/// Tab: complete the word at the end of the `:` line, or show the next completion.
pub(super) fn complete(state: &mut State) {
    let Some(input) = &mut state.input else {
        return;
    };
    if let Some((before, words, i)) = &mut input.completion {
        *i = (*i + 1) % words.len();
        let line = format!("{before}{}", words[*i]);
        set_line(input, line);
        return;
    }
    let text = input.text();
    let (before, words) = candidates(state, &text);
    let Some(input) = &mut state.input else {
        return;
    };
    match words.len() {
        0 => {}
        1 => {
            // A command name takes its argument next.
            let space = if before.is_empty() { " " } else { "" };
            set_line(input, format!("{before}{}{space}", words[0]));
        }
        n => {
            set_line(input, format!("{before}{}", words[0]));
            let shown = words.iter().take(LISTED).cloned().collect::<Vec<_>>();
            let more = if n > LISTED { ", …" } else { "" };
            let what = if before.is_empty() {
                "commands"
            } else {
                "integrations"
            };
            input.completion = Some((before, words, 0));
            banner(
                state,
                Level::Info,
                format!(
                    "{n} {what} match (Tab: the next): {}{more}",
                    shown.join(", ")
                ),
            );
        }
    }
}

/// What stays before the completed word, and the words that complete it.
fn candidates(state: &State, text: &str) -> (String, Vec<String>) {
    let readonly = state.ctx.readonly;
    let Some((verb, rest)) = text.split_once(' ') else {
        // The command's name.
        let words: Vec<String> = COMMANDS
            .iter()
            .filter(|v| !(readonly && v.mutates))
            .flat_map(|v| v.names.iter())
            .filter(|n| {
                n.starts_with(text) && n.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
            })
            .map(|n| n.to_string())
            .collect();
        return (String::new(), words);
    };
    let takes_name = crate::app::keymap::verb_named(verb)
        .is_some_and(|v| matches!(v.command, Command::GoTo | Command::Bundles));
    let word = rest.trim_start();
    if !takes_name || word.contains(' ') {
        return (String::new(), Vec::new());
    }
    let names = matching(state, word);
    (format!("{verb} "), names)
}

/// The integration names `query` names: those starting with it (case-insensitive), in the
/// pane's order; else its fuzzy matches, best first.
fn matching(state: &State, query: &str) -> Vec<String> {
    let all: Vec<&str> = state.integrations.iter().map(|e| e.name()).collect();
    let q = query.to_lowercase();
    let prefixed: Vec<String> = all
        .iter()
        .filter(|n| n.to_lowercase().starts_with(&q))
        .map(|n| n.to_string())
        .collect();
    if !prefixed.is_empty() || query.is_empty() {
        return prefixed;
    }
    fuzzy(&all, query).into_iter().map(|(n, _)| n).collect()
}

/// `names` the fuzzy `query` matches, best score first.
fn fuzzy(names: &[&str], query: &str) -> Vec<(String, u32)> {
    let f = Filter {
        text: query.to_string(),
        mode: FilterMode::Fuzzy,
    };
    let Some(mut m) = f.matcher() else {
        return Vec::new();
    };
    let mut hits: Vec<(String, u32)> = names
        .iter()
        .filter_map(|n| m.score(n).map(|s| (n.to_string(), s)))
        .collect();
    hits.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    hits
}

/// The integration `query` names for `:int`: the one of that name, else its one fuzzy match,
/// else the one whose fuzzy score is best alone; else why not.
pub(super) fn integration_named(state: &State, query: &str) -> Result<String, String> {
    if state.entry(query).is_some() {
        return Ok(query.to_string());
    }
    let names: Vec<&str> = state.integrations.iter().map(|e| e.name()).collect();
    if let Some(n) = names.iter().find(|n| n.eq_ignore_ascii_case(query)) {
        return Ok(n.to_string());
    }
    let hits = fuzzy(&names, query);
    match hits.as_slice() {
        [] => Err(format!("no integration in this account matches {query}")),
        [(one, _)] => Ok(one.clone()),
        [(best, a), (_, b), ..] if a > b => Ok(best.clone()),
        _ => {
            let shown: Vec<&str> = hits.iter().take(LISTED).map(|(n, _)| n.as_str()).collect();
            let more = if hits.len() > LISTED { ", …" } else { "" };
            Err(format!(
                "{} integrations match {query}: {}{more}",
                hits.len(),
                shown.join(", ")
            ))
        }
    }
}
