//! The journal of mutations: how a caller learns what the client changed, never with a value.
use super::error::Result;
use super::models::ConnectionKind;

/// One mutation the client is about to send (`create`, `update`, `delete`, `register`): what
/// is targeted and which fields are sent (names only, never values).
#[derive(Debug, Clone, Copy)]
pub struct Mutation<'a> {
    pub integration: &'a str,
    pub connection: Option<&'a str>,
    pub action: &'a str,
    pub kind: Option<ConnectionKind>,
    pub fields: &'a [&'a str],
}

/// What [`Journal::begin`] hands back for [`Journal::finish`]: it pairs the two records.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Ticket(pub u64);

/// Told twice about every mutation the client attempts: [`begin`](Journal::begin) before the
/// request is sent, so that a mutation interrupted after it may have been applied is on record
/// anyway, and [`finish`](Journal::finish) with how it ended (an error with
/// `may_have_applied` set when it may have taken effect anyway). A mutation whose `finish`
/// never comes was interrupted.
///
/// A journal that cannot record returns why; the client reports it as
/// [`ClientEvent::JournalFailed`](super::ClientEvent::JournalFailed) and sends the mutation
/// all the same. The client defines the trait and knows no implementation; a caller plugs one
/// in through [`ClientOptions::journal`](super::ClientOptions::journal).
pub trait Journal: Send + Sync {
    fn begin(&self, m: &Mutation<'_>) -> std::result::Result<Ticket, String>;
    /// `ticket` is what `begin` returned (None when it failed).
    fn finish(
        &self,
        ticket: Option<Ticket>,
        m: &Mutation<'_>,
        outcome: &Result<()>,
    ) -> std::result::Result<(), String>;
}
