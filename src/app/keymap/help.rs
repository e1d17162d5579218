//! The help window's pages, one per screen, generated from [`KEYMAP`] and [`COMMANDS`]: `?`
//! (or F1 where `?` is typed as text) shows the page of the screen it was pressed in.
//!
//! A page lists every binding of its screen, aliases too, each with its help line, else its
//! footer label, else what its command does ([`describe`]). The main screen's panes list
//! their keys under the keymap's headings, the filter's and the command line's keys with
//! them, and the `:` commands; a window lists its own keys, then the ones that work anywhere.
use std::borrow::Cow;

use super::{join_unique, Binding, Command, Key, Scope, Text, Verb, COMMANDS, KEYMAP};
use crate::app::update::CLIPBOARD_CLEAR;

/// One line of a help page: the keys, and what they do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HelpLine {
    pub keys: String,
    pub text: String,
}

/// One section of a help page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HelpSection {
    pub heading: Cow<'static, str>,
    pub lines: Vec<HelpLine>,
}

/// The help page of one screen.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HelpPage {
    /// The screen it is about ("rotation window").
    pub screen: &'static str,
    pub sections: Vec<HelpSection>,
}

impl HelpPage {
    /// Lines drawn: each section's heading, lines and a blank line after.
    fn height(sections: &[HelpSection]) -> usize {
        sections.iter().map(|s| s.lines.len() + 2).sum()
    }
}

/// What a screen is called in the help window's title.
pub fn screen_name(scope: Scope) -> &'static str {
    match scope {
        Scope::Global | Scope::Main | Scope::Connections => "connections table",
        Scope::Integrations => "integrations",
        Scope::OAuthClients => "OAuth clients",
        Scope::Filter => "filter (/)",
        Scope::CommandLine => "command line (:)",
        Scope::Help => "help window",
        Scope::Details => "details",
        Scope::ConfirmDelete | Scope::ConfirmTyped => "delete question",
        Scope::Form | Scope::KindField => "form",
        Scope::Rotation => "rotation window",
        Scope::Registered => "new client secret",
        Scope::AuditLog => "audit log",
        Scope::Bundles => "bundles",
        Scope::FirstRun => "first run",
        Scope::Authorize => "re-authorise",
        Scope::Profiles => "profiles",
        Scope::Search => "search (/)",
        Scope::PickIntegration => "new connection: which integration",
    }
}

/// The scopes whose bindings the page of `scope` lists, and whether it is a main-screen page
/// (the keymap's headings and the `:` commands).
fn page_scopes(scope: Scope) -> (Vec<Scope>, bool) {
    use Scope::*;
    match scope {
        Global | Main | Integrations | Connections | OAuthClients => {
            let pane = match scope {
                Integrations | OAuthClients => scope,
                _ => Connections,
            };
            let mut v = pane.chain().to_vec();
            v.extend([Filter, CommandLine]);
            (v, true)
        }
        Form | KindField => (vec![Form, KindField, Global], false),
        CommandLine => (CommandLine.chain().to_vec(), true),
        other => (other.chain().to_vec(), false),
    }
}

/// What `command` does, for a binding with neither a help line nor a footer label.
fn describe(command: Command) -> &'static str {
    match command {
        Command::Quit => "quit",
        Command::Help => "the keys of this screen",
        Command::Down | Command::Up => "move",
        Command::PageDown | Command::PageUp => "page down / up",
        Command::First | Command::Last => "start / end",
        Command::FocusIntegrations => "to the integrations",
        Command::FocusConnections => "to the table",
        Command::Close | Command::Cancel => "close",
        Command::Copy => "copy",
        Command::Reveal => "reveal / hide",
        Command::ClearToStart => "clear to the start",
        _ => "",
    }
}

/// The help page of the screen `scope` is in; without the mutating keys and commands in
/// read-only mode.
pub fn help_for(scope: Scope, readonly: bool) -> HelpPage {
    let (scopes, main) = page_scopes(scope);
    let screen = screen_name(scope);
    let mut own: Vec<HelpSection> = Vec::new();
    let mut anywhere = HelpSection {
        heading: "Anywhere".into(),
        lines: Vec::new(),
    };
    for section in KEYMAP {
        let heading: Cow<'static, str> = match (main, section.heading) {
            (true, Some(h)) => h.into(),
            _ => capitalised(screen).into(),
        };
        let mut lines: Vec<(HelpLine, Vec<&'static Binding>, bool)> = Vec::new();
        // Whether the binding above in the table is on this page (an `Above` joins it).
        let mut above = false;
        for b in section.bindings {
            if !scopes.contains(&b.scope) || (readonly && b.mutates) {
                above = false;
                continue;
            }
            let global = b.scope == Scope::Global && !main;
            let joins =
                above && (b.help == Text::Above || (b.help == Text::None && b.hint == Text::Above));
            match lines.last_mut() {
                Some((_, members, g)) if joins && *g == global => members.push(b),
                _ => {
                    let mut text = match (b.help, b.hint) {
                        (Text::Is(t), _) | (_, Text::Is(t)) => help_text(t),
                        _ => describe(b.command).to_string(),
                    };
                    // On the main screen's page, say where the input line's keys work.
                    let line_of = match b.scope {
                        Scope::Filter => Some("(in /)"),
                        Scope::CommandLine => Some("(in :)"),
                        _ => None,
                    };
                    if let Some(in_line) = line_of.filter(|_| main && !text.contains("(in ")) {
                        text = format!("{text} {in_line}");
                    }
                    let line = HelpLine {
                        keys: String::new(),
                        text,
                    };
                    lines.push((line, vec![b], global));
                }
            }
            above = true;
        }
        let mut kept = Vec::new();
        for (mut line, members, global) in lines {
            line.keys = help_keys(&members);
            if global {
                anywhere.lines.push(line);
            } else {
                kept.push(line);
            }
        }
        if kept.is_empty() {
            continue;
        }
        match own.iter_mut().find(|s| s.heading == heading) {
            Some(s) => s.lines.extend(kept),
            None => own.push(HelpSection {
                heading,
                lines: kept,
            }),
        }
    }
    if main {
        own.push(HelpSection {
            heading: "Commands (:)".into(),
            lines: help_commands(readonly)
                .map(|v| HelpLine {
                    keys: format!(":{}", v.usage()),
                    text: v.help.to_string(),
                })
                .collect(),
        });
    }
    if !anywhere.lines.is_empty() {
        own.push(anywhere);
    }
    HelpPage {
        screen,
        sections: own,
    }
}

fn capitalised(s: &str) -> String {
    let mut c = s.chars();
    c.next()
        .map(|f| f.to_uppercase().chain(c).collect())
        .unwrap_or_default()
}

/// From this width on, the help page is drawn in two columns.
pub const HELP_WIDE: u16 = 110;

/// In two columns, how many of `page`'s first sections go on the left: the split whose
/// longer column is the shortest.
pub fn help_left_sections(page: &HelpPage) -> usize {
    let n = page.sections.len();
    (1..n.max(2))
        .min_by_key(|&i| {
            let (l, r) = page.sections.split_at(i.min(n));
            HelpPage::height(l).max(HelpPage::height(r))
        })
        .unwrap_or(n)
}

/// How wide the keys column of `page` is: the widest keys up to 14 characters (longer ones
/// push their line's text over), or up to 22 for the `:` commands.
pub fn keys_width(section: &HelpSection, page: &HelpPage) -> usize {
    let cap = if section.heading == "Commands (:)" {
        22
    } else {
        14
    };
    let lines = if cap == 22 {
        std::slice::from_ref(section)
    } else {
        &page.sections[..]
    };
    lines
        .iter()
        .filter(|s| (s.heading == "Commands (:)") == (cap == 22))
        .flat_map(|s| s.lines.iter())
        .map(|l| l.keys.chars().count())
        .filter(|&w| w <= cap)
        .max()
        .unwrap_or(0)
        .max(9)
}

/// How far the help page of `scope` scrolls on a `width`×`height` terminal: until its last
/// line is at the bottom of its window (the window is the terminal less one line around, its
/// border and its footer line), never into a blank box.
pub fn help_max_scroll(scope: Scope, readonly: bool, (width, height): (u16, u16)) -> u16 {
    let page = help_for(scope, readonly);
    let lines = if width >= HELP_WIDE {
        let n = help_left_sections(&page);
        let (l, r) = page.sections.split_at(n);
        HelpPage::height(l).max(HelpPage::height(r))
    } else {
        HelpPage::height(&page.sections)
    };
    let visible = usize::from(height.saturating_sub(5));
    lines.saturating_sub(visible).min(usize::from(u16::MAX)) as u16
}

/// The `:` commands the help lists: every one, without the mutating ones in read-only mode.
pub fn help_commands(readonly: bool) -> impl Iterator<Item = &'static Verb> {
    COMMANDS.iter().filter(move |v| !(readonly && v.mutates))
}

/// Every key of `members`, aliases too: the first key of each, then the second of each, …
fn help_keys(members: &[&'static Binding]) -> String {
    let longest = members.iter().map(|b| b.keys.len()).max().unwrap_or(0);
    join_unique(
        (0..longest).flat_map(|i| {
            members
                .iter()
                .filter_map(move |b| b.keys.get(i).map(Key::label))
        }),
        " ",
    )
}

/// A help description with its placeholders filled in from the constants they name.
fn help_text(text: &str) -> String {
    text.replace("{clipboard}", &format!("{} s", CLIPBOARD_CLEAR.as_secs()))
}

/// The lines of the help page of `scope` (as scrolled on a `width`-wide terminal: in two
/// columns side by side when wide) that hold `query`, case-insensitive: what `/` finds.
pub fn help_match_lines(scope: Scope, readonly: bool, width: u16, query: &str) -> Vec<usize> {
    let q = query.to_lowercase();
    if q.is_empty() {
        return Vec::new();
    }
    let page = help_for(scope, readonly);
    let split = if width >= HELP_WIDE {
        help_left_sections(&page)
    } else {
        page.sections.len()
    };
    let (l, r) = page.sections.split_at(split);
    let mut hits = Vec::new();
    for column in [l, r] {
        let texts = column.iter().flat_map(|s| {
            std::iter::once(s.heading.to_string())
                .chain(s.lines.iter().map(|l| format!("{} {}", l.keys, l.text)))
                .chain(std::iter::once(String::new()))
        });
        for (i, t) in texts.enumerate() {
            if t.to_lowercase().contains(&q) {
                hits.push(i);
            }
        }
    }
    hits.sort_unstable();
    hits.dedup();
    hits
}
