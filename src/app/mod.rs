//! The TUI's state and its pure `update(state, action) -> effects`. No I/O, no drawing.
//!
//! Data flows one way: a terminal event or a worker result arrives as an [`Action`];
//! [`update`] mutates the [`State`] and returns [`Effect`]s; the runtime (`tui.rs`) performs
//! them (API calls through `worker.rs`, clipboard writes, quitting) and feeds the results back
//! as actions. `ui::view` draws the state and never changes it.
//!
//! The files: `action` (what goes in and comes out), `model` (the nouns, and the ids `ReqId`
//! and `ConnKey`), `state` (`State` and its accessors), `table` (sorting and building the
//! connections table), `modal` (the windows and the input line), `form`, `filter`, `keymap`
//! (every key and `:` command, which the key handling, the help page, the footers and
//! read-only mode all read), and `update` (the step itself; `update/` has one file per kind
//! of input).
//!
//! The one impurity accepted here is randomness: a "generate password" key fills the field with
//! the profile's [`crate::secret::Policy`] directly, so the password never travels through a
//! channel.
mod action;
mod filter;
mod form;
pub mod keymap;
mod modal;
mod model;
mod oauth;
mod oauth_form;
mod state;
mod table;
mod update;

pub mod testing;

#[cfg(test)]
mod command_tests;
#[cfg(test)]
mod form_tests;
#[cfg(test)]
mod mouse_tests;
#[cfg(test)]
mod oauth_tests;
#[cfg(test)]
mod rotation_tests;
#[cfg(test)]
mod tests;
#[cfg(test)]
mod usage_tests;

pub use action::{Action, Effect, TargetJob};
pub use filter::{Filter, FilterMode};
pub use form::{Field, FieldId, Form, FormPurpose, Submission, MASK};
pub use modal::*;
pub use model::*;
pub use oauth::*;
pub use state::*;
pub use table::*;
pub use update::{init, kept_text, update, update_all, CLIPBOARD_CLEAR, PASSWORD_LENGTH};
