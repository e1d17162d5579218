//! End-to-end in a pty (the harness of `tests/common/pty.rs`): the real binary against the
//! sandbox's demo account, which holds bundles with one of each problem. The bundles view, what
//! uses a connection in its details and in the delete question, the All view of unused
//! connections; and a literal credential written in a bundle never drawn nor logged. Every step
//! waits for text on the screen; no fixed sleeps.
#![cfg(unix)]

mod common;

use common::pty::{Options, Pty, ENTER, ESC};
use common::sandbox::SyncSandbox;
use serde_json::json;

const CANARY: &str = "Tui-Bundle-Canary-5d2a";

fn ready(sb: &SyncSandbox) -> Pty {
    let mut app = Pty::spawn(Options::new(&[]).sandbox(&sb.handle).trace());
    app.secrets.push(CANARY.into());
    app.wait_for("salesforce_prod");
    app
}

fn command(app: &mut Pty, line: &str) {
    app.send(":");
    app.send(line);
    app.send(ENTER);
}

fn add_leaky_bundle(sb: &SyncSandbox) {
    let body = json!({"integration": "slack_notify", "metadata": {"name": "leaky"}, "bundle": {"bundle": {
        "name": "leaky", "resources": {
            "leak": {"type": "ZIS::Action::Http", "properties": {"name": "leak", "definition": {
                "connectionName": "slack_oauth", "method": "POST",
                "url": format!("https://bot:{CANARY}@hooks.example.com/x"),
                "headers": [{"key": "Authorization", "value": format!("Bearer {CANARY}")}],
                "requestBody": {"token": CANARY}}}}}}}});
    let url = format!("{}/_sandbox/bundles", sb.handle.base_url);
    let status = sb.rt.block_on(async {
        reqwest::Client::new()
            .post(url)
            .json(&body)
            .send()
            .await
            .expect("POST /_sandbox/bundles")
            .status()
    });
    assert!(status.is_success(), "{status}");
}

#[test]
fn the_bundles_view_lists_resources_with_their_problems() {
    let sb = SyncSandbox::demo();
    add_leaky_bundle(&sb);
    let mut app = ready(&sb);
    command(&mut app, "bundles slack_notify");
    app.wait_for("Bundles of slack_notify · 2 bundles");
    app.wait_for("▸ slack_alerts");
    app.wait_for("⚠ unknown action: state PostTeams names action teams.post_card");
    app.wait_for("⚠ not installed:");
    app.wait_for("▸ leaky");
    app.wait_until("the leaky action's credentials, by where they are", |s| {
        s.contains("literal credential: url: user:password@ in the URL")
            && s.contains("literal credential: headers[Authorization]")
    });
    assert!(
        !app.screen().contains(CANARY),
        "a bundle's credential on screen"
    );
    // Scroll to the end and back; then close.
    for _ in 0..30 {
        app.send("j");
    }
    app.wait_gone("▸ slack_alerts");
    app.send("\x1b[5~");
    app.send("\x1b[5~");
    app.send("\x1b[5~");
    app.wait_for("▸ slack_alerts");
    app.send(ESC);
    app.wait_gone("Bundles of slack_notify");
    // b on the integrations pane opens the selected one's.
    app.send("b");
    app.wait_for("Bundles of acme_crm_sync");
    app.wait_for("Job specs no bundle defines");
    app.wait_for("⚠ stale job spec");
    app.send("q");
    app.wait_gone("Bundles of acme_crm_sync");
    let raw = String::from_utf8_lossy(&app.raw_output()).into_owned();
    assert!(
        !raw.contains(CANARY),
        "a bundle's credential was written to the terminal"
    );
    let logs = String::from_utf8_lossy(&app.logs()).into_owned();
    assert!(
        logs.contains("bundles"),
        "the log recorded the bundle reads"
    );
    assert!(!logs.contains(CANARY), "a bundle's credential in the logs");
}

#[test]
fn details_and_the_delete_question_say_what_uses_the_connection() {
    let sb = SyncSandbox::demo();
    let mut app = ready(&sb);
    command(&mut app, "int slack_notify");
    app.wait_for("pagerduty_events");
    app.select("pagerduty_events");
    // The panel: one line; the window: every use, with its job spec.
    app.wait_for("Used by         slack_alerts › urgent_ticket_flow › pagerduty.trigger");
    app.send(ENTER);
    app.wait_for("Connection pagerduty_events");
    app.wait_until("the use and its job spec, under the label", |s| {
        let lines: Vec<&str> = s.lines().collect();
        lines.windows(2).any(|w| {
            w[0].contains("Used by         slack_alerts › urgent_ticket_flow › pagerduty.trigger")
                && w[1].contains("                job spec installed")
        })
    });
    app.send("d");
    app.wait_for("Delete connection");
    app.wait_for("Used by (these stop working):");
    app.send("n");
    app.wait_gone("Delete connection");
    // A connection nothing uses: said so, before deleting it.
    app.send(ESC);
    app.wait_gone("/pagerduty_events");
    app.send("/");
    app.send("opsgenie_alerts");
    app.send(ENTER);
    app.wait_for("/opsgenie_alerts (substring)");
    app.wait_for("Used by         nothing: no bundle names it");
    app.send("d");
    app.wait_for("No bundle uses it.");
    app.send(ESC);
    app.wait_gone("Delete connection");
    assert_eq!(
        sb.rt.block_on(sb_connection_count(&sb, "slack_notify")),
        11,
        "nothing was deleted"
    );
}

async fn sb_connection_count(sb: &SyncSandbox, integration: &str) -> usize {
    let c = common::sandbox::admin_client(&sb.handle);
    c.list_connections(integration).await.expect("listed").len()
}

#[test]
fn the_all_view_shows_only_the_unused_connections() {
    let sb = SyncSandbox::demo();
    let mut app = ready(&sb);
    app.send("u");
    app.wait_for("All connections (used by no bundle)");
    // Rows that arrive later sort in above the selection, which keeps its row: once the
    // loading is over, `g` brings the oldest (opsgenie_alerts among them) on screen.
    app.settle(std::time::Duration::from_millis(500));
    app.send("g");
    app.wait_until("unused connections, and no used one", |s| {
        s.contains("opsgenie_alerts") && !s.contains("pagerduty_events")
    });
    app.send(ESC);
    app.wait_gone("(used by no bundle)");
    command(&mut app, "unused");
    app.wait_for("All connections (used by no bundle)");
}
