//! The journal of mutations: how a caller learns what the client changed, never with a value.
use super::error::Result;
use super::models::ConnectionKind;

/// Told once about every mutation the client attempts (`create`, `update`, `delete`,
/// `register`), after its answer: what was targeted, which fields were sent (names only,
/// never values) and how it ended (an error with `may_have_applied` set when it may have
/// taken effect anyway). The client defines it and knows no implementation; a caller plugs
/// one in through [`ClientOptions::journal`](super::ClientOptions::journal).
pub trait Journal: Send + Sync {
    fn record(
        &self,
        integration: &str,
        connection: Option<&str>,
        action: &str,
        kind: Option<ConnectionKind>,
        fields: &[&str],
        outcome: &Result<()>,
    );
}
