//! The memory bound of a listing against a server that never stops paginating (issue 13 item
//! 6): a local server answers every `connections/all` with a full page of 100 connections,
//! `has_more: true` and a fresh cursor, forever. The real `zisctl connections list -o json`
//! (the binary this `cargo bench` built) runs against it until it stops at the cap; the bench
//! prints the pages served, its exit code and error line, and its peak RSS (`ru_maxrss`).
//! A second run against a server that sends the same number of connections and then stops
//! gives the RSS of a listing of that size that ends normally, for comparison.
//!
//! Does nothing under `cargo test`; `cargo bench --bench endless_pages` runs it (some 10 s).
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::extract::State;
use axum::routing::get;
use axum::Router;

/// Stop the child if it has not stopped by itself after this long (a regression).
const GUARD: Duration = Duration::from_secs(600);

struct Server {
    served: AtomicU64,
    /// Connections a page.
    per_page: usize,
    /// Pages after which the answer says `has_more: false` (None: never).
    last: Option<u64>,
}

fn page(n: u64, per_page: usize, has_more: bool) -> String {
    let mut conns = String::with_capacity(per_page * 200);
    for i in 0..per_page {
        if i > 0 {
            conns.push(',');
        }
        conns.push_str(&format!(
            r#"{{"name":"conn_{n}_{i}","username":"svc-{i}@example.com","password":"*****","allowed_domain":"api{i}.example.com","created_at":"2024-01-01T00:00:00Z","updated_at":"2024-06-01T00:00:00Z"}}"#
        ));
    }
    let after = if has_more {
        format!("\"cursor-{n}\"")
    } else {
        "null".into()
    };
    format!(
        r#"{{"basic_auth":[{conns}],"api_key":[],"bearer_token":[],"oauth":[],"meta":{{"has_more":{has_more},"after":{after},"before":null}}}}"#
    )
}

async fn all(State(s): State<Arc<Server>>) -> ([(&'static str, &'static str); 1], String) {
    let n = s.served.fetch_add(1, Ordering::SeqCst) + 1;
    let more = s.last.is_none_or(|last| n < last);
    (
        [("content-type", "application/json")],
        page(n, s.per_page, more),
    )
}

struct Run {
    pages: u64,
    code: Option<i32>,
    error: String,
    max_rss_kib: i64,
    secs: f64,
}

// The child is reaped by wait4 (for its rusage), which clippy does not see.
#[allow(clippy::zombie_processes)]
fn run(rt: &tokio::runtime::Runtime, per_page: usize, last: Option<u64>) -> Run {
    let state = Arc::new(Server {
        served: AtomicU64::new(0),
        per_page,
        last,
    });
    let app = Router::new()
        .route(
            "/api/services/zis/integrations/{integration}/connections/all",
            get(all),
        )
        .with_state(state.clone());
    let listener = rt
        .block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))
        .expect("bind");
    let addr = listener.local_addr().expect("addr");
    let server = rt.spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    let dir = tempfile::tempdir().expect("tempdir");
    let config = dir.path().join("config.toml");
    std::fs::write(&config, "").expect("config");
    let started = Instant::now();
    let mut child = Command::new(env!("CARGO_BIN_EXE_zisctl"))
        .env_clear()
        .env("HOME", dir.path())
        .env("XDG_DATA_HOME", dir.path().join("data"))
        .env("ZISCTL_CONFIG", &config)
        .env("ZISCTL_BASE_URL", format!("http://{addr}"))
        .env("ZIS_OAUTH_TOKEN", "bench-token")
        .args(["--log-file"])
        .arg(dir.path().join("zisctl.log"))
        .args(["connections", "list", "acme", "-o", "json"])
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn zisctl");
    let pid = child.id() as libc::pid_t;
    let mut status = 0;
    // SAFETY: rusage is a plain C struct that wait4 fills.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    loop {
        // SAFETY: waits for our own child; `status` and `usage` are valid and writable.
        let r = unsafe { libc::wait4(pid, &mut status, libc::WNOHANG, &mut usage) };
        if r == pid {
            break;
        }
        if started.elapsed() > GUARD {
            let _ = child.kill();
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    let secs = started.elapsed().as_secs_f64();
    let mut error = String::new();
    if let Some(mut e) = child.stderr.take() {
        use std::io::Read;
        let _ = e.read_to_string(&mut error);
    }
    server.abort();
    Run {
        pages: state.served.load(Ordering::SeqCst),
        code: libc::WIFEXITED(status).then(|| libc::WEXITSTATUS(status)),
        error: error.trim().to_string(),
        max_rss_kib: usage.ru_maxrss,
        secs,
    }
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if !args.iter().any(|a| a == "--bench") {
        println!("endless_pages: a benchmark; run it with `cargo bench --bench endless_pages`");
        return;
    }
    let filters: Vec<&String> = args.iter().filter(|a| !a.starts_with('-')).collect();
    if !filters.is_empty() && !filters.iter().any(|f| "endless_pages".contains(f.as_str())) {
        return;
    }
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .expect("runtime");
    let show = |what: &str, r: &Run| {
        println!(
            "{what}: {} pages in {:.1} s; exit {:?}; peak RSS {:.1} MiB{}",
            r.pages,
            r.secs,
            r.code,
            r.max_rss_kib as f64 / 1024.0,
            if r.error.is_empty() {
                String::new()
            } else {
                format!("\n  {}", r.error)
            }
        )
    };
    let endless = run(&rt, 100, None);
    show("endless full pages (100 connections each)", &endless);
    let finite = run(&rt, 100, Some(endless.pages.saturating_sub(1).max(1)));
    show("the same connections, then has_more false", &finite);
    let empty = run(&rt, 0, None);
    show("endless empty pages", &empty);
    for r in [&endless, &empty] {
        assert_eq!(
            r.code,
            Some(1),
            "an endless listing did not stop with an error"
        );
    }
    assert_eq!(finite.code, Some(0), "a listing under the caps failed");
}
