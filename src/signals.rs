//! The signals that end the program (SIGINT, SIGTERM, SIGHUP, SIGQUIT), caught so that each
//! caller can finish cleanly (restore the terminal, print every password in flight) and then
//! exit with the shell's code for that signal, 128 + its number.
//!
//! The handlers are registered when a [`Signals`] is made, not when it is first awaited: make
//! it before the first request, so that no signal can kill the process while one is in flight.
//! On other platforms only Ctrl-C is caught (exit code 130).

/// Exit code after SIGHUP (128 + 1).
pub const EXIT_HUP: i32 = 129;
/// Exit code after SIGINT, Ctrl-C (128 + 2).
pub const EXIT_INT: i32 = 130;
/// Exit code after SIGQUIT (128 + 3).
pub const EXIT_QUIT: i32 = 131;
/// Exit code after SIGTERM (128 + 15).
pub const EXIT_TERM: i32 = 143;

/// SIGINT, SIGTERM, SIGHUP and SIGQUIT, registered at [`Signals::new`]. Needs a tokio runtime
/// with its signal driver (`enable_all`). A signal whose handler cannot be registered is left
/// alone (it keeps its default action) and is never reported.
pub struct Signals {
    #[cfg(unix)]
    caught: Vec<(tokio::signal::unix::Signal, i32)>,
    #[cfg(not(unix))]
    ctrl_c: Option<tokio::signal::windows::CtrlC>,
}

impl Signals {
    /// Registers the handlers now.
    pub fn new() -> Signals {
        #[cfg(unix)]
        {
            use tokio::signal::unix::{signal, SignalKind};
            let kinds = [
                (SignalKind::interrupt(), EXIT_INT),
                (SignalKind::terminate(), EXIT_TERM),
                (SignalKind::hangup(), EXIT_HUP),
                (SignalKind::quit(), EXIT_QUIT),
            ];
            Signals {
                caught: kinds
                    .into_iter()
                    .filter_map(|(kind, code)| signal(kind).ok().map(|s| (s, code)))
                    .collect(),
            }
        }
        #[cfg(not(unix))]
        {
            Signals {
                ctrl_c: tokio::signal::windows::ctrl_c().ok(),
            }
        }
    }

    /// Waits for the next signal and returns its exit code: 130 (SIGINT), 143 (SIGTERM),
    /// 129 (SIGHUP) or 131 (SIGQUIT). Cancel-safe: a signal that arrives while nobody waits is
    /// kept for the next call.
    pub async fn recv(&mut self) -> i32 {
        #[cfg(unix)]
        {
            if self.caught.is_empty() {
                return std::future::pending().await;
            }
            let waits = self.caught.iter_mut().map(|(s, code)| {
                let code = *code;
                Box::pin(async move {
                    s.recv().await;
                    code
                })
            });
            futures::future::select_all(waits).await.0
        }
        #[cfg(not(unix))]
        {
            match self.ctrl_c.as_mut() {
                Some(c) => {
                    c.recv().await;
                    EXIT_INT
                }
                None => std::future::pending().await,
            }
        }
    }
}

impl Default for Signals {
    fn default() -> Self {
        Signals::new()
    }
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;

    /// Each signal, sent to this process once the handlers are registered, is reported with
    /// its exit code instead of ending the process.
    #[tokio::test]
    async fn each_signal_yields_its_exit_code() {
        let mut signals = Signals::new();
        for (sig, code) in [
            (libc::SIGHUP, 129),
            (libc::SIGINT, 130),
            (libc::SIGQUIT, 131),
            (libc::SIGTERM, 143),
        ] {
            // SAFETY: raises a signal in this process, whose handler was registered above.
            let sent = unsafe { libc::raise(sig) };
            assert_eq!(sent, 0, "raise({sig})");
            assert_eq!(signals.recv().await, code, "signal {sig}");
        }
    }
}
