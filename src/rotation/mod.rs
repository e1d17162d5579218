//! Rotation recipes: how a connection's new password is set at its target system and proven
//! there before ZIS takes it (`recipe`: the profile's recipes and their matching; `target`:
//! running a recipe's commands and the built-in test request; `steps`: the vocabulary of the
//! steps, shared by the CLI's records and the TUI's rotation window).
//!
//! It knows nothing of ZIS: the callers apply in ZIS (`zis::Client::apply_password`) once the
//! target has the password. It imports `sanitize` and `secret` only.
pub mod recipe;
pub mod steps;
pub mod target;

pub use recipe::{CommandSpec, Recipe, RecipeConfig, Recipes, TestMethod, TestSpec};
pub use steps::{Mark, Progress, Step};
pub use target::{run_command, run_test, StepFailed, Subject};
