//! The one keymap: every key the TUI answers, in every scope, with the [`Command`] it means,
//! what the footer and the help page say about it, and whether it changes anything in Zendesk.
//!
//! Everything reads these two tables and nothing else writes a key down:
//! - key handling (`update/keys.rs`) looks a key up with [`lookup`] and dispatches on the
//!   command; the `:` line looks a word up in [`COMMANDS`] the same way;
//! - every screen's help page ([`help_for`], in `keymap/help.rs`) and every footer
//!   ([`hints`]) are generated from them, key names included ([`Key::label`]);
//! - `--readonly` hides and refuses every binding and command marked `mutates`, from that one
//!   flag: [`lookup`]'s caller refuses it before dispatch, and the generators leave it out.
//!
//! A new key is one line in [`KEYMAP`] and one arm where its scope dispatches the command.
//!
//! Text typed into a form field, the filter or the command line is not a binding: a key that
//! no binding of the scope claims goes to the text.
use std::borrow::Cow;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use super::modal::{InputKind, Modal};
use super::model::{Pane, Screen};
use super::state::State;

/// Where a binding applies: a screen, a window, the input line, or one pane of the main screen.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Scope {
    /// Every scope (Ctrl-C).
    Global,
    /// The main screen, whichever pane has the focus.
    Main,
    /// The main screen with the integrations pane focused.
    Integrations,
    /// The main screen with the connections table focused.
    Connections,
    /// The main screen with the right pane focused on an integration's OAuth clients.
    OAuthClients,
    /// Typing a filter after `/`.
    Filter,
    /// Typing a command after `:`.
    CommandLine,
    Help,
    Details,
    ConfirmDelete,
    /// A form, with a text field focused.
    Form,
    /// A form, with the kind selector focused.
    KindField,
    Rotation,
    /// The client secret of a newly registered integration.
    Registered,
    AuditLog,
    /// The bundles of an integration (read only).
    Bundles,
    FirstRun,
    /// A delete that needs a name typed (the reserved `zendesk` connection goes with it).
    ConfirmTyped,
    /// Re-authorising an OAuth connection.
    Authorize,
    /// Which integration a new connection goes to (`n` in the All view).
    PickIntegration,
    /// The profile picker of `:ctx`.
    Profiles,
    /// Typing a search after `/` in the help window or the audit log.
    Search,
}

impl Scope {
    /// Every scope a key can arrive in (the others, `Global` and `Main`, are parts of these).
    pub const LEAVES: [Scope; 20] = [
        Scope::Integrations,
        Scope::Connections,
        Scope::OAuthClients,
        Scope::ConfirmTyped,
        Scope::Authorize,
        Scope::Filter,
        Scope::CommandLine,
        Scope::Help,
        Scope::Details,
        Scope::ConfirmDelete,
        Scope::Form,
        Scope::KindField,
        Scope::Rotation,
        Scope::Registered,
        Scope::AuditLog,
        Scope::Bundles,
        Scope::FirstRun,
        Scope::PickIntegration,
        Scope::Profiles,
        Scope::Search,
    ];

    /// The scope the keys go to in `state`: the help window, else the first-run screen, else
    /// the input line, else the open window, else the focused pane.
    pub fn of(state: &State) -> Scope {
        if state.search.as_ref().is_some_and(|s| s.typing) {
            return Scope::Search;
        }
        if state.help.is_some() {
            return Scope::Help;
        }
        if let Screen::FirstRun(_) = state.screen {
            return Scope::FirstRun;
        }
        if let Some(input) = &state.input {
            return match input.kind {
                InputKind::Filter => Scope::Filter,
                InputKind::Command => Scope::CommandLine,
            };
        }
        match &state.modal {
            None if state.focus == Pane::Connections && state.clients_tab() => Scope::OAuthClients,
            None => Scope::pane(state.focus),
            Some(Modal::Details) => Scope::Details,
            Some(Modal::ConfirmDelete { .. }) => Scope::ConfirmDelete,
            Some(Modal::Delete(q)) if q.must_type.is_some() => Scope::ConfirmTyped,
            Some(Modal::Delete(_)) => Scope::ConfirmDelete,
            Some(Modal::Authorize(_)) => Scope::Authorize,
            Some(Modal::Form(f)) if f.focus.is_selector() => Scope::KindField,
            Some(Modal::Form(_)) => Scope::Form,
            Some(Modal::Rotation(_)) => Scope::Rotation,
            Some(Modal::Registered(_)) => Scope::Registered,
            Some(Modal::AuditLog { .. }) => Scope::AuditLog,
            Some(Modal::Bundles { .. }) => Scope::Bundles,
            Some(Modal::PickIntegration(_)) => Scope::PickIntegration,
            Some(Modal::Profiles { .. }) => Scope::Profiles,
        }
    }

    /// The main screen's scope with `pane` focused.
    pub fn pane(pane: Pane) -> Scope {
        match pane {
            Pane::Integrations => Scope::Integrations,
            Pane::Connections => Scope::Connections,
        }
    }

    /// The scopes whose bindings a key in `self` is looked up in.
    pub fn chain(self) -> &'static [Scope] {
        use Scope::*;
        match self {
            Global => &[Global],
            Main => &[Main, Global],
            Integrations => &[Integrations, Main, Global],
            Connections => &[Connections, Main, Global],
            OAuthClients => &[OAuthClients, Main, Global],
            Filter => &[Filter, Global],
            CommandLine => &[CommandLine, Global],
            Help => &[Help, Global],
            Details => &[Details, Global],
            ConfirmDelete => &[ConfirmDelete, Global],
            Form => &[Form, Global],
            KindField => &[KindField, Form, Global],
            Rotation => &[Rotation, Global],
            Registered => &[Registered, Global],
            AuditLog => &[AuditLog, Global],
            Bundles => &[Bundles, Global],
            FirstRun => &[FirstRun, Global],
            ConfirmTyped => &[ConfirmTyped, Global],
            Authorize => &[Authorize, Global],
            PickIntegration => &[PickIntegration, Global],
            Profiles => &[Profiles, Global],
            Search => &[Search, Global],
        }
    }
}

/// What a key (or a `:` command) asks for. The scope it arrives in says where: `Copy` copies
/// a name on the main screen and a password in a rotation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Command {
    Quit,
    Help,
    // Moving (also scrolling and selecting in windows).
    Down,
    Up,
    PageDown,
    PageUp,
    First,
    Last,
    SwitchPane,
    FocusIntegrations,
    FocusConnections,
    /// Enter on an integration: to its connections.
    Open,
    /// Enter on a connection: the details window.
    Details,
    /// `a`: the All view, and back.
    ToggleAll,
    /// `o`: an integration's OAuth clients, and back to its connections.
    OAuthClients,
    /// Esc on the main screen: drop the banner, a filter, the marks, "only findings".
    Back,
    // Connections.
    New,
    Edit,
    Rotate,
    Mark,
    Delete,
    Register,
    AuditLog,
    /// The bundles view of an integration.
    Bundles,
    /// The All view with only the connections no bundle uses, and back.
    Unused,
    Copy,
    Refresh,
    // Finding.
    OpenFilter,
    OpenCommandLine,
    Sort,
    ReverseSort,
    // The `:` line's own.
    ShowAll,
    Findings,
    GoTo,
    SortBy,
    FilterBy,
    // The input line.
    /// Filter: substring ⇄ fuzzy.
    ToggleMode,
    /// Enter: keep the filter, run the command.
    Accept,
    /// Tab on the command line: complete the word, or show the next completion.
    Complete,
    /// Esc: clear the filter, drop the command, cancel the form.
    Cancel,
    // Windows.
    Close,
    /// `y` in the delete question.
    Confirm,
    // Forms.
    NextField,
    PrevField,
    /// Enter in a form: the next field, or submit on the last.
    NextOrSubmit,
    Submit,
    Generate,
    /// Reveal or hide the secrets on screen.
    Reveal,
    KindPrev,
    KindNext,
    /// Ctrl-U in a text field, the filter or the command line: delete to the start.
    ClearToStart,
    // Rotation.
    Apply,
    // First run.
    StartDemo,
    /// Enter in the re-authorise window: start the OAuth flow.
    Authorize,
    /// `:ctx [NAME]`: another profile's account (no name: the profile picker).
    SwitchProfile,
    /// `n` / `N` after a `/` search in help or the audit log.
    NextMatch,
    PrevMatch,
}

impl Command {
    /// What read-only mode says is disabled, for a command that mutates.
    pub fn refusal(self) -> &'static str {
        match self {
            Command::New => "creating a connection",
            Command::Edit => "editing",
            Command::Register => "registering an integration",
            Command::Delete | Command::Confirm => "deleting",
            Command::Rotate | Command::Apply => "rotating",
            Command::Mark => "marking connections to rotate",
            Command::Submit | Command::NextOrSubmit => "saving",
            Command::Generate => "generating a password",
            Command::Authorize => "re-authorising",
            _ => "this",
        }
    }
}

/// One key of a binding: a crossterm key code and the modifiers it needs.
///
/// A key without modifiers matches whatever modifiers come with it (Shift-Tab, a shifted `G`,
/// Alt-j), as the key handling always has; a key with modifiers needs them, and wins over a
/// key without (Ctrl-D pages, `d` deletes).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Key {
    pub code: KeyCode,
    pub modifiers: KeyModifiers,
    /// Named by the help page and the footer; `false` for an alias that works unsaid.
    pub shown: bool,
}

impl Key {
    /// The same key, working but not named on the help page or in the footer.
    const fn alias(self) -> Key {
        Key {
            shown: false,
            ..self
        }
    }

    fn matches(&self, ev: &KeyEvent, with_modifiers: bool) -> bool {
        if self.code != ev.code {
            return false;
        }
        if with_modifiers {
            !self.modifiers.is_empty() && ev.modifiers.contains(self.modifiers)
        } else {
            self.modifiers.is_empty()
        }
    }

    /// How the help page and the footer name the key: `j`, `Space`, `Ctrl-D`, `S-Tab`, `↓`.
    pub fn label(&self) -> Cow<'static, str> {
        let base: Cow<'static, str> = match self.code {
            KeyCode::Char(' ') => "Space".into(),
            KeyCode::Char(c) if self.modifiers.contains(KeyModifiers::CONTROL) => {
                c.to_ascii_uppercase().to_string().into()
            }
            KeyCode::Char(c) => c.to_string().into(),
            KeyCode::Enter => "Enter".into(),
            KeyCode::Esc => "Esc".into(),
            KeyCode::Tab => "Tab".into(),
            KeyCode::BackTab => "S-Tab".into(),
            KeyCode::Up => "↑".into(),
            KeyCode::Down => "↓".into(),
            KeyCode::Left => "←".into(),
            KeyCode::Right => "→".into(),
            KeyCode::PageUp => "PgUp".into(),
            KeyCode::PageDown => "PgDn".into(),
            KeyCode::Home => "Home".into(),
            KeyCode::End => "End".into(),
            other => format!("{other}").into(),
        };
        if self.modifiers.contains(KeyModifiers::CONTROL) {
            format!("Ctrl-{base}").into()
        } else {
            base
        }
    }
}

const fn code(code: KeyCode) -> Key {
    Key {
        code,
        modifiers: KeyModifiers::NONE,
        shown: true,
    }
}

const fn ch(c: char) -> Key {
    code(KeyCode::Char(c))
}

const fn ctrl(c: char) -> Key {
    Key {
        code: KeyCode::Char(c),
        modifiers: KeyModifiers::CONTROL,
        shown: true,
    }
}

/// A footer label or a help line of a binding.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Text {
    /// Not in the footer / not on the help page.
    None,
    Is(&'static str),
    /// Shares the label or line of the binding above (`j k ↓ ↑  move`, `j/k move`).
    Above,
}

/// One line of the keymap: in `scope`, `keys` mean `command`.
#[derive(Debug, Clone, Copy)]
pub struct Binding {
    pub scope: Scope,
    pub keys: &'static [Key],
    pub command: Command,
    /// The footer's short label, when the footer shows it.
    pub hint: Text,
    /// The help page's description, when the help page lists it. `{clipboard}` stands for
    /// how long a copied secret stays on the clipboard.
    pub help: Text,
    /// It changes something in Zendesk (or leads straight to it): hidden and refused in
    /// read-only mode.
    pub mutates: bool,
}

const fn on(scope: Scope, keys: &'static [Key], command: Command) -> Binding {
    Binding {
        scope,
        keys,
        command,
        hint: Text::None,
        help: Text::None,
        mutates: false,
    }
}

impl Binding {
    const fn hint(self, label: &'static str) -> Binding {
        Binding {
            hint: Text::Is(label),
            ..self
        }
    }
    const fn help(self, text: &'static str) -> Binding {
        Binding {
            help: Text::Is(text),
            ..self
        }
    }
    const fn hint_above(self) -> Binding {
        Binding {
            hint: Text::Above,
            ..self
        }
    }
    const fn help_above(self) -> Binding {
        Binding {
            help: Text::Above,
            ..self
        }
    }
    const fn mutates(self) -> Binding {
        Binding {
            mutates: true,
            ..self
        }
    }

    /// The keys the help page and the footer name.
    pub(crate) fn shown(&self) -> impl Iterator<Item = &'static Key> {
        self.keys.iter().filter(|k| k.shown)
    }
}

/// The bindings, in the order of the help page: one section per heading; the last section has
/// none and is not on the help page (its windows say their keys in their own footers).
pub struct Section {
    pub heading: Option<&'static str>,
    pub bindings: &'static [Binding],
}

use Command as C;
use KeyCode as K;
use Scope::{
    AuditLog, Authorize, Bundles, CommandLine, ConfirmDelete, ConfirmTyped, Connections, Details,
    Filter, FirstRun, Form, Global, Help, Integrations, KindField, Main, OAuthClients,
    PickIntegration, Profiles, Registered, Rotation, Search,
};

/// Every key. A scope's bindings are the lines of that scope and of the scopes in its
/// [`Scope::chain`]; a line's place is its place on the help page and in its footer.
#[rustfmt::skip]
pub static KEYMAP: &[Section] = &[
    Section { heading: Some("Move around"), bindings: &[
        on(Main, &[ch('?')], C::Help).hint("help").help("the keys of this screen"),
        on(Global, &[code(K::F(1))], C::Help).help_above(),
        on(Main, &[ch('j'), code(K::Down)], C::Down).hint("move").help("move"),
        on(Main, &[ch('k'), code(K::Up)], C::Up).hint_above().help_above(),
        on(Main, &[ch('g'), code(K::Home).alias()], C::First).help("first / last"),
        on(Main, &[ch('G'), code(K::End).alias()], C::Last).help_above(),
        on(Main, &[code(K::PageUp), ctrl('u').alias()], C::PageUp).help("page up / down"),
        on(Main, &[code(K::PageDown), ctrl('d').alias()], C::PageDown).help_above(),
        on(Main, &[code(K::Tab), code(K::BackTab).alias()], C::SwitchPane).hint("pane").help("switch pane"),
        on(Connections, &[ch('h'), code(K::Left).alias()], C::FocusIntegrations).help_above(),
        on(Integrations, &[ch('l'), code(K::Right).alias()], C::FocusConnections).help_above(),
        on(Integrations, &[code(K::Enter)], C::Open).hint("open").help("open integration / details"),
        on(Connections, &[code(K::Enter)], C::Details).hint("details").help_above(),
        on(OAuthClients, &[code(K::Enter)], C::Details).hint("details"),
        on(OAuthClients, &[ch('h'), code(K::Left).alias()], C::FocusIntegrations),
        on(Main, &[ch('a')], C::ToggleAll).hint("all").help("All connections (audit view)"),
        on(Main, &[ch('o')], C::OAuthClients).hint("clients").help("OAuth clients ⇄ connections"),
        on(Main, &[code(K::Esc)], C::Back).help("back: banner, filter, marks"),
        on(Main, &[ch('q')], C::Quit).hint("quit").help("quit"),
        on(Global, &[ctrl('c')], C::Quit).help_above(),
    ]},
    Section { heading: Some("Connections"), bindings: &[
        on(Main, &[ch('n')], C::New).hint("new").help("new connection").mutates(),
        on(Main, &[ch('e')], C::Edit).hint("edit").help("edit its credentials").mutates(),
        on(Main, &[ch('r')], C::Rotate).hint("rotate").help("rotate password, Enter applies").mutates(),
        on(Connections, &[ch(' ')], C::Mark).hint("mark").help("mark and move down (rotate several)").mutates(),
        on(Main, &[ch('d')], C::Delete).hint("delete").help("delete (y confirms)").mutates(),
        on(Main, &[ch('I')], C::Register).hint("register").help("register an integration").mutates(),
        on(Main, &[ch('L')], C::AuditLog).help("audit log of changes (also :log)"),
        on(Main, &[ch('b')], C::Bundles).hint("bundles").help("bundles: who uses what (:bundles)"),
        on(Main, &[ch('u')], C::Unused).help("only connections no bundle uses"),
        on(Main, &[ch('c')], C::Copy).help("copy the name (OSC 52)"),
        on(Main, &[ch('R')], C::Refresh).hint("refresh").help("refresh"),
    ]},
    Section { heading: Some("Find"), bindings: &[
        on(Main, &[ch('/')], C::OpenFilter).hint("filter").help("filter the focused pane"),
        on(Filter, &[ctrl('f')], C::ToggleMode).hint("switch").help("substring ⇄ fuzzy (in /)"),
        on(Filter, &[code(K::Enter)], C::Accept).hint("keep"),
        on(Filter, &[code(K::Esc)], C::Cancel).hint("clear"),
        on(Main, &[ch('s')], C::Sort).hint("sort").help("sort by name, kind, age, domain"),
        on(Main, &[ch('S')], C::ReverseSort).help_above(),
        on(Main, &[ch(':')], C::OpenCommandLine).hint("command").help("command line"),
        on(CommandLine, &[code(K::Enter)], C::Accept).hint("run"),
        on(CommandLine, &[code(K::Esc)], C::Cancel).hint("cancel"),
        on(CommandLine, &[code(K::Up)], C::Up).hint("history").help("earlier commands (in :)"),
        on(CommandLine, &[code(K::Down)], C::Down).hint_above().help_above(),
        on(CommandLine, &[code(K::Tab)], C::Complete).help("complete a command or integration name; again: the next (in :)"),
    ]},
    Section { heading: Some("Forms"), bindings: &[
        on(Form, &[code(K::Tab), code(K::Down).alias()], C::NextField).hint("next").help("next / previous field"),
        on(Form, &[code(K::BackTab), code(K::Up).alias()], C::PrevField).hint("prev").help_above(),
        on(Form, &[code(K::Enter)], C::NextOrSubmit).help("next field; submits on the last").mutates(),
        on(Form, &[ctrl('s')], C::Submit).hint("save").help("submit").mutates(),
        on(Form, &[ctrl('g')], C::Generate).hint("generate").help("generate a password").mutates(),
        on(Form, &[ctrl('r')], C::Reveal).hint("reveal").help("reveal / hide secrets"),
        on(Form, &[ctrl('y')], C::Copy).hint("copy").help("copy the password (OSC 52)"),
        on(KindField, &[code(K::Left), ch('h').alias()], C::KindPrev).help("change the kind"),
        on(KindField, &[code(K::Right), ch('l').alias(), ch(' ').alias()], C::KindNext).help_above(),
        on(Form, &[ctrl('u')], C::ClearToStart).help("clear to the start (in / and : too)"),
        on(Form, &[code(K::Esc)], C::Cancel).hint("cancel").help("cancel"),
        on(PickIntegration, &[code(K::Down), ctrl('n').alias()], C::Down).hint("move").help("n in All: move; typing filters names"),
        on(PickIntegration, &[code(K::Up), ctrl('p').alias()], C::Up).hint_above().help_above(),
        on(PickIntegration, &[code(K::Enter)], C::Accept).hint("new connection here"),
        on(PickIntegration, &[ctrl('u')], C::ClearToStart),
        on(PickIntegration, &[code(K::Esc)], C::Cancel).hint("cancel"),
    ]},
    Section { heading: Some("Rotation and secrets"), bindings: &[
        on(Rotation, &[ch('v')], C::Reveal).hint("reveal").help("reveal / hide"),
        on(Rotation, &[ch('c')], C::Copy).hint("copy").help("copy (overwritten after {clipboard})"),
        on(Rotation, &[ch('j'), code(K::Down).alias()], C::Down).hint("select"),
        on(Rotation, &[ch('k'), code(K::Up).alias()], C::Up).hint_above(),
        on(Rotation, &[code(K::Enter)], C::Apply).hint("apply in ZIS").help("apply in ZIS, then verify").mutates(),
        on(Rotation, &[ch('y'), ch('Y').alias()], C::Confirm).hint("apply anyway").mutates(),
        on(Rotation, &[code(K::Esc), ch('q').alias()], C::Close).hint("cancel").help("close; the password is forgotten"),
        on(Rotation, &[ch('?')], C::Help),
        on(Registered, &[ch('v')], C::Reveal).hint("reveal"),
        on(Registered, &[ch('c')], C::Copy).hint("copy"),
        on(Registered, &[code(K::Esc), code(K::Enter).alias(), ch('q').alias()], C::Close).hint("close"),
        on(Registered, &[ch('?')], C::Help),
    ]},
    Section { heading: None, bindings: &[
        on(Help, &[ch('j'), code(K::Down).alias()], C::Down).hint("scroll"),
        on(Help, &[ch('k'), code(K::Up).alias()], C::Up).hint_above(),
        on(Help, &[ch('g'), code(K::Home).alias()], C::First).hint("start / end"),
        on(Help, &[ch('G'), code(K::End).alias()], C::Last).hint_above(),
        on(Help, &[code(K::PageDown), ctrl('d').alias(), ch(' ').alias()], C::PageDown),
        on(Help, &[code(K::PageUp), ctrl('u').alias()], C::PageUp),
        on(Help, &[code(K::Esc), ch('?'), ch('q'), code(K::Enter).alias()], C::Close).hint("close"),
        on(Help, &[ch('/')], C::OpenFilter).hint("search"),
        on(Help, &[ch('n')], C::NextMatch).hint("match"),
        on(Help, &[ch('N')], C::PrevMatch).hint_above(),
        on(Search, &[code(K::Enter)], C::Accept).hint("find"),
        on(Search, &[code(K::Esc)], C::Cancel).hint("cancel"),
        on(Search, &[ctrl('u')], C::ClearToStart),
        on(Details, &[ch('e')], C::Edit).hint("edit").mutates(),
        on(Details, &[ch('r')], C::Rotate).hint("rotate").mutates(),
        on(Details, &[ch('d')], C::Delete).hint("delete").mutates(),
        on(Details, &[ch('c')], C::Copy).hint("copy name"),
        on(Details, &[ch('b')], C::Bundles).hint("bundles"),
        on(Details, &[code(K::Esc), code(K::Enter).alias(), ch('q').alias()], C::Close).hint("close"),
        on(Details, &[ch('?')], C::Help),
        on(ConfirmDelete, &[ch('y'), ch('Y').alias()], C::Confirm).hint("delete").mutates(),
        on(ConfirmDelete, &[ch('n'), code(K::Esc), ch('q').alias()], C::Close).hint("keep it"),
        on(ConfirmTyped, &[code(K::Enter)], C::Confirm).hint("delete").mutates(),
        on(ConfirmTyped, &[code(K::Esc)], C::Close).hint("keep it"),
        on(Authorize, &[code(K::Enter)], C::Authorize).hint("start").mutates(),
        on(Authorize, &[ch('j'), code(K::Down).alias()], C::Down).hint("client"),
        on(Authorize, &[ch('k'), code(K::Up).alias()], C::Up).hint_above(),
        on(Authorize, &[ch('c')], C::Copy).hint("copy URL"),
        on(Authorize, &[code(K::Esc), ch('q').alias()], C::Close).hint("close"),
        on(Authorize, &[ch('?')], C::Help),
        on(AuditLog, &[ch('j'), code(K::Down).alias()], C::Down).hint("scroll"),
        on(AuditLog, &[ch('k'), code(K::Up).alias()], C::Up).hint_above(),
        on(AuditLog, &[code(K::Esc), ch('L'), ch('q'), code(K::Enter).alias()], C::Close).hint("close"),
        on(AuditLog, &[ch('/')], C::OpenFilter).hint("search"),
        on(AuditLog, &[ch('n')], C::NextMatch).hint("match"),
        on(AuditLog, &[ch('N')], C::PrevMatch).hint_above(),
        on(AuditLog, &[ch('?')], C::Help),
        on(Bundles, &[ch('j'), code(K::Down).alias()], C::Down).hint("scroll"),
        on(Bundles, &[ch('k'), code(K::Up).alias()], C::Up).hint_above(),
        on(Bundles, &[code(K::PageDown), ctrl('d').alias(), ch(' ').alias()], C::PageDown).hint("page"),
        on(Bundles, &[code(K::PageUp), ctrl('u').alias()], C::PageUp).hint_above(),
        on(Bundles, &[code(K::Esc), ch('b'), ch('q'), code(K::Enter).alias()], C::Close).hint("close"),
        on(Bundles, &[ch('?')], C::Help),
        on(Profiles, &[ch('j'), code(K::Down).alias()], C::Down).hint("select"),
        on(Profiles, &[ch('k'), code(K::Up).alias()], C::Up).hint_above(),
        on(Profiles, &[code(K::Enter)], C::SwitchProfile).hint("switch"),
        on(Profiles, &[code(K::Esc), ch('q').alias()], C::Close).hint("cancel"),
        on(Profiles, &[ch('?')], C::Help),
        on(FirstRun, &[ch('d'), code(K::Enter).alias()], C::StartDemo).hint("open the demo"),
        on(FirstRun, &[ch('q'), code(K::Esc).alias()], C::Quit).hint("quit"),
    ]},
];

/// The main screen's footer per focused pane: the table's hints, in the order that pane puts
/// first what matters there (a narrow footer is cut at the end).
#[rustfmt::skip]
const FOOTER_INTEGRATIONS: &[Command] = &[
    C::Help, C::Down, C::Open, C::ToggleAll, C::OpenFilter, C::New, C::Register,
    C::SwitchPane, C::OpenCommandLine, C::Refresh, C::Quit, C::Bundles,
];
#[rustfmt::skip]
const FOOTER_CONNECTIONS: &[Command] = &[
    C::Help, C::Details, C::New, C::Edit, C::Rotate, C::Delete, C::OAuthClients, C::Mark,
    C::OpenFilter, C::Sort, C::ToggleAll, C::SwitchPane, C::OpenCommandLine, C::Refresh, C::Quit,
    C::Bundles,
];
#[rustfmt::skip]
const FOOTER_OAUTH_CLIENTS: &[Command] = &[
    C::Help, C::Details, C::New, C::Edit, C::Delete, C::OAuthClients, C::Rotate, C::OpenFilter,
    C::Sort, C::SwitchPane, C::OpenCommandLine, C::Refresh, C::Quit,
];

/// Every binding, in table order.
pub fn bindings() -> impl Iterator<Item = &'static Binding> {
    KEYMAP.iter().flat_map(|s| s.bindings.iter())
}

/// The binding `key` means in `scope`, if any: a key with modifiers first, then one without.
pub fn lookup(scope: Scope, key: &KeyEvent) -> Option<&'static Binding> {
    let chain = scope.chain();
    let find = |with_modifiers: bool| {
        bindings()
            .filter(|b| chain.contains(&b.scope))
            .find(|b| b.keys.iter().any(|k| k.matches(key, with_modifiers)))
    };
    find(true).or_else(|| find(false))
}

/// The `:` command called `name`, if any.
pub fn verb_named(name: &str) -> Option<&'static Verb> {
    COMMANDS.iter().find(|v| v.names.contains(&name))
}

/// How the help page and footers name the key of `command` in `scope`: its first shown key.
pub fn key_label(scope: Scope, command: Command) -> Cow<'static, str> {
    let chain = scope.chain();
    bindings()
        .filter(|b| b.command == command && chain.contains(&b.scope))
        .find_map(|b| b.shown().next())
        .map(Key::label)
        .unwrap_or_default()
}

/// Bindings that share one footer label or one help line (a `Text::Is` and the `Above`s
/// under it), in table order.
struct Group {
    text: &'static str,
    members: Vec<&'static Binding>,
}

impl Group {
    fn mutates(&self) -> bool {
        self.members.iter().all(|b| b.mutates)
    }
}

fn groups(text: fn(&Binding) -> Text) -> Vec<Group> {
    let mut out: Vec<Group> = Vec::new();
    for section in KEYMAP {
        let mut open = false;
        for b in section.bindings {
            match text(b) {
                Text::Is(t) => {
                    out.push(Group {
                        text: t,
                        members: vec![b],
                    });
                    open = true;
                }
                Text::Above if open => {
                    if let Some(g) = out.last_mut() {
                        g.members.push(b);
                    }
                }
                Text::Above | Text::None => open = false,
            }
        }
    }
    out
}

/// `a` + `b` + `c` → "a b c", no name twice.
pub(crate) fn join_unique(labels: impl Iterator<Item = Cow<'static, str>>, sep: &str) -> String {
    let mut seen: Vec<Cow<'static, str>> = Vec::new();
    for l in labels {
        if !seen.contains(&l) {
            seen.push(l);
        }
    }
    seen.join(sep)
}

/// One entry of a footer: the keys as shown, and what they do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Hint {
    pub keys: String,
    pub label: &'static str,
    pub command: Command,
}

/// The footer of `scope`: its hinted bindings in table order (the main screen's panes in their
/// own order), leaving out the mutating ones in read-only mode. One binding shows all its
/// shown keys (`Esc ? q`); bindings sharing a label show their first keys (`j/k`).
pub fn hints(scope: Scope, readonly: bool) -> Vec<Hint> {
    let chain = scope.chain();
    let mut all: Vec<Group> = groups(|b| b.hint)
        .into_iter()
        .filter(|g| chain.contains(&g.members[0].scope))
        .collect();
    for g in &mut all {
        g.members.retain(|b| chain.contains(&b.scope));
    }
    let order = match scope {
        Scope::Integrations => Some(FOOTER_INTEGRATIONS),
        Scope::Connections => Some(FOOTER_CONNECTIONS),
        Scope::OAuthClients => Some(FOOTER_OAUTH_CLIENTS),
        _ => None,
    };
    let picked: Vec<&Group> = match order {
        Some(order) => order
            .iter()
            .filter_map(|c| all.iter().find(|g| g.members[0].command == *c))
            .collect(),
        None => all.iter().collect(),
    };
    picked
        .into_iter()
        .filter(|g| !(readonly && g.mutates()))
        .map(|g| {
            let keys = if g.members.len() == 1 {
                join_unique(g.members[0].shown().map(Key::label), " ")
            } else {
                join_unique(
                    g.members
                        .iter()
                        .filter_map(|b| b.shown().next().map(Key::label)),
                    "/",
                )
            };
            Hint {
                keys,
                label: g.text,
                command: g.members[0].command,
            }
        })
        .collect()
}

mod help;
#[cfg(test)]
mod tests;
mod verbs;

pub use help::{
    help_commands, help_for, help_left_sections, help_match_lines, help_max_scroll, keys_width,
    screen_name, HelpLine, HelpPage, HelpSection, HELP_WIDE,
};
pub use verbs::{Verb, COMMANDS};
