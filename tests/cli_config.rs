//! `zisctl config init | example | path`, with the real binary in a private HOME.
mod common;

use std::os::unix::fs::PermissionsExt;
use std::process::{Command as Proc, Output, Stdio};

use common::pty::{clean_env, BIN};

fn run(home: &std::path::Path, args: &[&str]) -> Output {
    Proc::new(BIN)
        .env_clear()
        .envs(clean_env(home))
        .args(args)
        .stdin(Stdio::null())
        .output()
        .expect("zisctl runs")
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

#[test]
fn init_writes_a_private_config_that_zisctl_reads_and_never_overwrites() {
    let home = tempfile::tempdir().unwrap();
    let path = home.path().join("zisctl/config.toml");
    let p = path.to_str().unwrap();
    let o = run(
        home.path(),
        &[
            "--config",
            p,
            "config",
            "init",
            "--profile",
            "prod",
            "--subdomain",
            "Acme",
            "--oauth-client-id",
            "zisctl_cli",
        ],
    );
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    assert!(text(&o.stderr).contains("Next: zisctl auth login"));
    let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o600);
    let written = std::fs::read_to_string(&path).unwrap();
    assert!(written.contains("subdomain = \"acme\""), "lower case");
    assert!(written.contains("http://127.0.0.1:8765/callback"));

    // zisctl reads it: the account and the profile are the ones written.
    let o = run(home.path(), &["--config", p, "auth", "status"]);
    let out = text(&o.stdout);
    assert!(out.contains("acme.zendesk.com"), "{out}");
    assert!(out.contains("prod"), "{out}");

    // A second init changes nothing.
    let o = run(
        home.path(),
        &["--config", p, "config", "init", "--subdomain", "other"],
    );
    assert_eq!(o.status.code(), Some(2));
    assert!(text(&o.stderr).contains("never overwrites"));
    assert_eq!(std::fs::read_to_string(&path).unwrap(), written);
}

#[test]
fn init_refuses_what_is_not_an_account() {
    let home = tempfile::tempdir().unwrap();
    let path = home.path().join("c.toml");
    let p = path.to_str().unwrap();
    for (args, says) in [
        (vec!["--subdomain", "evil.example#"], "DNS label"),
        (vec![], "give the account"),
        (
            vec![
                "--subdomain",
                "acme",
                "--base-url",
                "https://acme.zendesk.com",
            ],
            "give one",
        ),
        (vec!["--base-url", "http://example.com"], "loopback"),
        (vec!["--subdomain", "acme", "--profile", "a b"], "--profile"),
    ] {
        let mut all = vec!["--config", p, "config", "init"];
        all.extend(args.iter().copied());
        let o = run(home.path(), &all);
        assert_eq!(o.status.code(), Some(2), "{args:?}");
        assert!(
            text(&o.stderr).contains(says),
            "{args:?}: {}",
            text(&o.stderr)
        );
        assert!(!path.exists(), "{args:?}: nothing written");
    }
}

#[test]
fn example_and_path() {
    let home = tempfile::tempdir().unwrap();
    let o = run(home.path(), &["config", "example"]);
    assert_eq!(o.status.code(), Some(0));
    let example = text(&o.stdout);
    assert_eq!(
        example,
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/config.example.toml"))
            .unwrap()
    );
    let o = run(home.path(), &["config", "path"]);
    let expected = home.path().join("xdg-config/zisctl/config.toml");
    assert_eq!(text(&o.stdout).trim(), expected.display().to_string());
    let o = run(home.path(), &["--config", "/x/y.toml", "config", "path"]);
    assert_eq!(text(&o.stdout).trim(), "/x/y.toml");
}

/// `zisctl` with no account and no terminal says how to start, as the first-run screen does.
#[test]
fn no_account_and_no_terminal_prints_the_first_run_text() {
    let home = tempfile::tempdir().unwrap();
    let o = run(home.path(), &[]);
    assert_eq!(o.status.code(), Some(2));
    let err = text(&o.stderr);
    assert!(!err.contains("cannot use this terminal"), "{err}");
    for says in [
        "no account is configured",
        "zisctl demo",
        "zisctl config init",
        "zisctl auth login",
    ] {
        assert!(err.contains(says), "{says}: {err}");
    }
    assert!(o.stdout.is_empty());
}
