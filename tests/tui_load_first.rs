//! The worker serves a queued listing next when the user looks at its integration
//! (`Effect::LoadFirst`), and the demo says how far the account has loaded.
mod common;

use common::sandbox as sb;
use tokio::sync::mpsc;
use zisctl::app::{Action, Effect};
use zisctl::sandbox::Seed;
use zisctl::worker::Worker;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn load_first_moves_a_queued_listing_to_the_front() {
    let h = sb::start(Seed::Synthetic {
        integrations: 12,
        connections: 3,
    })
    .await;
    let client = sb::admin_client(&h);
    let names: Vec<String> = client
        .list_integrations()
        .await
        .unwrap()
        .into_iter()
        .map(|i| i.name)
        .collect();
    let (tx, mut rx) = mpsc::unbounded_channel();
    // One runner: everything after the first job waits in the queue.
    let worker = Worker::new(&client, tx, 1);
    for (req, name) in names.iter().enumerate() {
        worker.perform(Effect::LoadConnections {
            req: req as u64,
            integration: name.clone(),
        });
    }
    let last = names.last().unwrap().clone();
    worker.perform(Effect::LoadFirst {
        integration: last.clone(),
    });
    let mut got = Vec::new();
    while got.len() < names.len() {
        match rx.recv().await {
            Some(Action::ConnectionsLoaded {
                integration,
                result,
                ..
            }) => {
                assert!(result.is_ok());
                got.push(integration);
            }
            Some(_) => {}
            None => break,
        }
    }
    // The first may already have been running; the hurried one comes right after it.
    let at = got.iter().position(|n| *n == last).expect("answered");
    assert!(at <= 1, "{last} answered {at}th: {got:?}");
    let mut sorted = got.clone();
    sorted.sort();
    let mut want = names.clone();
    want.sort();
    assert_eq!(sorted, want, "every listing answered once");
}

/// While the synthetic account loads, the status line says "x of y loaded"; it goes when done.
#[cfg(unix)]
#[test]
fn the_status_line_counts_the_integrations_loaded() {
    use common::pty::{Options, Pty};
    let app = Pty::spawn(Options::new(&[
        "demo",
        "--synthetic",
        "40x3",
        "--latency-ms",
        "150",
    ]));
    app.wait_until("x of 40 loaded", |s| {
        s.lines()
            .next()
            .is_some_and(|l| l.contains(" of 40 loaded"))
    });
    app.wait_until("the account loaded", |s| {
        !s.contains(" of 40 loaded") && s.contains("★ All connections") && s.contains("120")
    });
}
