//! The rotation engine against the sandbox's stand-in target: the example `set_command` in
//! assets/ sets a password there, the built-in test proves it (200) or not (401), and a test
//! URL outside the connection's allowed domain is refused before anything is sent.
mod common;

use std::time::Duration;

use secrecy::SecretString;
use zisctl::rotation::target::Subject;
use zisctl::rotation::{run_command, run_test, CommandSpec, TestMethod, TestSpec};

fn subject<'a>(user: &'a str, domain: &'a str, pw: &'a SecretString) -> Subject<'a> {
    Subject {
        integration: "demo",
        name: "portal",
        kind: "basic_auth",
        username: user,
        allowed_domain: domain,
        new_password: pw,
        old_password: None,
    }
}

fn script(base: &str) -> CommandSpec {
    CommandSpec {
        command: format!(
            "python3 {}/assets/sandbox-target-set.py {base}",
            env!("CARGO_MANIFEST_DIR")
        ),
        timeout: Duration::from_secs(20),
    }
}

fn check_url(base: &str, host: &str) -> TestSpec {
    let url = base.replace("127.0.0.1", host) + "/_sandbox/target/check";
    TestSpec::Url {
        url: url::Url::parse(&url).unwrap(),
        method: TestMethod::Get,
        status: 200,
        timeout: Duration::from_secs(10),
    }
}

#[tokio::test]
async fn the_example_script_sets_the_password_and_the_test_proves_it() {
    let sb = common::sandbox::demo().await;
    let pw = SecretString::from("Rot4ted-canary-1".to_string());
    let s = subject("svc_portal", "localhost", &pw);
    let said = run_command(&script(&sb.base_url), &s).await.expect("set");
    assert!(said.contains("set the password of svc_portal"), "{said}");
    let ok = run_test(&check_url(&sb.base_url, "localhost"), &s)
        .await
        .expect("the new password works at the target");
    assert!(ok.ends_with("answered 200"), "{ok}");

    // Another password is refused there: the test says so and names the status.
    let wrong = SecretString::from("not-the-one".to_string());
    let e = run_test(
        &check_url(&sb.base_url, "localhost"),
        &subject("svc_portal", "localhost", &wrong),
    )
    .await
    .unwrap_err();
    assert!(e.0.contains("answered 401, expected 200"), "{e}");
    assert!(e.0.contains("does not take the new password"), "{e}");
}

#[tokio::test]
async fn the_script_says_why_the_target_refused() {
    let sb = common::sandbox::demo().await;
    let pw = SecretString::from("Rot4ted-canary-2".to_string());
    run_command(&script(&sb.base_url), &subject("svc_x", "localhost", &pw))
        .await
        .unwrap();
    let wrong_old = SecretString::from("wrong-old".to_string());
    let next = SecretString::from("Rot4ted-canary-3".to_string());
    let s = Subject {
        old_password: Some(&wrong_old),
        ..subject("svc_x", "localhost", &next)
    };
    let e = run_command(&script(&sb.base_url), &s).await.unwrap_err();
    assert!(
        e.0.starts_with("exited with status 1: the target refused the change (403)"),
        "{e}"
    );
    // Unreachable target: the script's first stderr line is the outcome.
    let e = run_command(&script("http://127.0.0.1:9"), &s)
        .await
        .unwrap_err();
    assert!(e.0.contains("cannot reach the target"), "{e}");
}

#[tokio::test]
async fn a_redirect_is_not_followed() {
    let sb = common::sandbox::demo().await;
    let pw = SecretString::from("Rot4ted-canary-4".to_string());
    let url = format!(
        "{}/_sandbox/target/redirect?to=https://collector.example.net/steal",
        sb.base_url.replace("127.0.0.1", "localhost")
    );
    let spec = TestSpec::Url {
        url: url::Url::parse(&url).unwrap(),
        method: TestMethod::Get,
        status: 200,
        timeout: Duration::from_secs(10),
    };
    let e = run_test(&spec, &subject("svc", "localhost", &pw))
        .await
        .unwrap_err();
    assert!(e.0.contains("answered 302"), "{e}");
    assert!(
        e.0.contains("a redirect to collector.example.net; not followed"),
        "{e}"
    );
}

#[tokio::test]
async fn a_test_url_on_another_host_is_refused_before_anything_is_sent() {
    // A listener that would see any connection: the refusal comes before one is made.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    listener.set_nonblocking(true).unwrap();
    let port = listener.local_addr().unwrap().port();
    let pw = SecretString::from("Rot4ted-canary-5".to_string());
    let spec = TestSpec::Url {
        url: url::Url::parse(&format!("http://127.0.0.1:{port}/check")).unwrap(),
        method: TestMethod::Get,
        status: 200,
        timeout: Duration::from_secs(5),
    };
    let e = run_test(&spec, &subject("svc", "api.example.com", &pw))
        .await
        .unwrap_err();
    assert!(
        e.0.starts_with("refused: the test URL's host 127.0.0.1"),
        "{e}"
    );
    assert!(e.0.contains("nothing was sent"), "{e}");
    assert!(
        matches!(listener.accept(), Err(ref x) if x.kind() == std::io::ErrorKind::WouldBlock),
        "no connection reached the other host"
    );
}

/// A set_command whose caller gives up (the future dropped, as on Ctrl-C) is stopped with its
/// whole process group: the grandchild it started does not go on at the target.
#[cfg(unix)]
#[tokio::test]
async fn a_dropped_command_stops_its_whole_process_group() {
    let dir = tempfile::tempdir().unwrap();
    let pidfile = dir.path().join("pid");
    let spec = CommandSpec {
        // The grandchild writes its pid, then outlives sh unless its group is killed.
        command: format!("sleep 60 & echo $! > {}; wait", pidfile.display()),
        timeout: Duration::from_secs(60),
    };
    let pw = SecretString::from("unused-here");
    let s = subject("alice", "localhost", &pw);
    let mut run = Box::pin(run_command(&spec, &s));
    // Poll until the grandchild exists, then drop the call.
    let pid = loop {
        tokio::select! {
            r = &mut run => panic!("the command ended on its own: {:?}", r.is_ok()),
            _ = tokio::time::sleep(Duration::from_millis(50)) => {}
        }
        if let Some(pid) = std::fs::read_to_string(&pidfile)
            .ok()
            .and_then(|t| t.trim().parse::<i32>().ok())
        {
            break pid;
        }
    };
    drop(run);
    // kill(pid, 0) fails with ESRCH once the grandchild is gone (reaped by init).
    let mut gone = false;
    for _ in 0..100 {
        // SAFETY: signal 0 only checks that the process exists.
        let alive = unsafe { libc::kill(pid, 0) } == 0;
        let zombie = std::fs::read_to_string(format!("/proc/{pid}/stat"))
            .map(|s| s.split_whitespace().nth(2) == Some("Z"))
            .unwrap_or(false);
        if !alive || zombie {
            gone = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert!(gone, "the grandchild of a dropped set_command still runs");
}
