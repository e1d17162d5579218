//! The `:` line's commands: one table, beside the keymap's (split from `keymap.rs` to keep
//! each room under its size).
use super::Command;
use super::Command as C;

/// A command typed after `:`: its names (the first is the one help shows), what follows it.
#[derive(Debug, Clone, Copy)]
pub struct Verb {
    pub names: &'static [&'static str],
    pub args: &'static str,
    pub command: Command,
    pub help: &'static str,
    pub mutates: bool,
}

const fn verb(
    names: &'static [&'static str],
    args: &'static str,
    command: Command,
    help: &'static str,
) -> Verb {
    Verb {
        names,
        args,
        command,
        help,
        mutates: false,
    }
}

impl Verb {
    const fn mutates(self) -> Verb {
        Verb {
            mutates: true,
            ..self
        }
    }

    /// `int NAME`: what the help page shows after the `:`.
    pub fn usage(&self) -> String {
        let name = self.names.first().copied().unwrap_or_default();
        if self.args.is_empty() {
            name.to_string()
        } else {
            format!("{name} {}", self.args)
        }
    }
}

/// The commands the `:` line accepts, in the order `:help` lists them.
#[rustfmt::skip]
pub static COMMANDS: &[Verb] = &[
    verb(&["q", "q!", "quit", "exit"], "", C::Quit, "quit"),
    verb(&["all", "audit"], "", C::ShowAll, "All connections"),
    verb(&["clients", "oauth"], "", C::OAuthClients, "the OAuth clients tab"),
    verb(&["findings", "stale"], "", C::Findings, "only the ones with findings"),
    verb(&["unused"], "", C::Unused, "only ones no bundle uses"),
    verb(&["bundles", "b"], "[NAME]", C::Bundles, "bundles of an integration"),
    verb(&["int", "i", "integration"], "NAME", C::GoTo, "go to an integration"),
    verb(&["register", "reg"], "NAME [DESC]", C::Register, "register an integration").mutates(),
    verb(&["new"], "", C::New, "new connection").mutates(),
    verb(&["sort"], "KEY [asc|desc]", C::SortBy, "name kind age domain …"),
    verb(&["filter", "f"], "[fuzzy] TEXT", C::FilterBy, "filter the table"),
    verb(&["refresh", "reload", "r"], "", C::Refresh, "reload everything"),
    verb(&["log", "audit-log"], "", C::AuditLog, "the audit log of changes"),
    verb(&["ctx", "profile", "context"], "[NAME]", C::SwitchProfile, "another profile's account"),
    verb(&["help", "h", "?"], "", C::Help, "this help"),
];
