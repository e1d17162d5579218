//! `:ctx` in the real binary: a config of two profiles, each a sandbox of its own; the app
//! starts on one, `:ctx` (the picker) and `:ctx NAME` switch to the other without a restart,
//! its integrations load, and a change made there is recorded in the audit log under that
//! profile and account.
#![cfg(unix)]

mod common;

use common::pty::{Options, Pty, ENTER, TAB};
use common::sandbox::SyncSandbox;
use zisctl::sandbox::{SandboxConfig, Seed};

fn profile(name: &str, sb: &SyncSandbox) -> String {
    let h = &sb.handle;
    format!(
        "[profiles.{name}]\nbase_url = \"{}\"\nemail = \"{}\"\napi_token = \"{}\"\n",
        h.base_url, h.admin_email, h.admin_token
    )
}

#[test]
fn ctx_switches_to_the_other_profiles_account_and_the_audit_log_names_it() {
    let one = SyncSandbox::demo();
    let two = SyncSandbox::start(SandboxConfig {
        seed: Seed::Synthetic {
            integrations: 2,
            connections: 3,
        },
        ..SandboxConfig::default()
    });
    let config = format!("{}{}", profile("one", &one), profile("two", &two));
    let opts = Options::new(&["--profile", "one"]).config(&config);
    let mut app = Pty::spawn(opts);
    app.secrets.push(one.handle.admin_token.clone());
    app.secrets.push(two.handle.admin_token.clone());
    app.wait_for("salesforce_prod");
    assert!(!app.screen().contains("synthetic-0001"));
    // The picker names both, the current one said; j Enter opens the other.
    app.send(":ctx");
    app.send(ENTER);
    app.wait_for("Switch profile");
    app.wait_for("one (current)");
    app.send("j");
    app.send(ENTER);
    app.wait_for("synthetic-0001");
    app.wait_gone("acme_crm_sync");
    app.wait_until("the status line names the profile", |s| {
        s.lines().next().is_some_and(|l| l.contains("two"))
    });
    // A change there is recorded under profile two and its account (once its connections
    // are in the table).
    app.wait_until("the first integration's connections", |s| {
        s.contains(" 1/3 ")
    });
    app.send(TAB);
    app.send("d");
    app.wait_for("Delete connection");
    app.send("y");
    app.wait_for("deleted");
    let log = std::fs::read_to_string(app.audit_path()).expect("the audit log");
    let last = log.lines().last().expect("a line");
    let entry: serde_json::Value = serde_json::from_str(last).expect("JSON");
    assert_eq!(entry["profile"], "two", "{last}");
    let account = entry["account"].as_str().unwrap_or_default();
    assert!(
        two.handle.base_url.contains(account.trim_end_matches('/')) && !account.is_empty(),
        "{last}"
    );
    // And back by name.
    app.send(":ctx one");
    app.send(ENTER);
    app.wait_for("acme_crm_sync");
    app.wait_gone("synthetic-0001");
    app.send("q");
    assert_eq!(app.wait_exit(), 0);
}
