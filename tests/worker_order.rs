//! The worker serves bulk loads in the order they were asked for: the integration on screen,
//! asked for first, is not left behind a hundred others.
mod common;

use common::sandbox as sb;
use tokio::sync::mpsc;
use zisctl::app::{Action, Effect};
use zisctl::sandbox::Seed;
use zisctl::worker::Worker;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bulk_loads_are_served_first_in_first_out() {
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
        .rev() // not the server's order
        .collect();
    let (tx, mut rx) = mpsc::unbounded_channel();
    let worker = Worker::new(&client, tx, 1);
    for (req, name) in names.iter().enumerate() {
        worker.perform(Effect::LoadConnections {
            req: req as u64,
            integration: name.clone(),
        });
    }
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
    assert_eq!(got, names, "answers came in another order than asked");
}
