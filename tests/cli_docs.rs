//! The generated documentation: shell completions, man pages and every command's `--help`,
//! from the real binary, with no account and no config.
mod common;

use std::process::{Command as Proc, Output, Stdio};

use clap::CommandFactory;
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

/// Every command path of the CLI (`["connections", "create"]`, …), from the one definition.
fn paths() -> Vec<Vec<String>> {
    fn walk(c: &clap::Command, prefix: &[String], out: &mut Vec<Vec<String>>) {
        for sub in c.get_subcommands() {
            let mut p = prefix.to_vec();
            p.push(sub.get_name().to_string());
            out.push(p.clone());
            walk(sub, &p, out);
        }
    }
    let mut out = Vec::new();
    walk(&zisctl::args::Cli::command(), &[], &mut out);
    out
}

#[test]
fn bash_completion_is_valid_and_knows_every_command() {
    let home = tempfile::tempdir().unwrap();
    let o = run(home.path(), &["completions", "bash"]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    let script = text(&o.stdout);
    for p in paths() {
        let leaf = p.last().unwrap();
        assert!(
            script.contains(leaf.as_str()),
            "bash completion lacks {p:?}"
        );
    }
    assert!(script.contains("--client-secret-stdin") && script.contains("--recover"));
    // bash itself parses it.
    let check = Proc::new("bash")
        .args(["-n", "-c", &script])
        .output()
        .expect("bash runs");
    assert!(check.status.success(), "bash -n: {}", text(&check.stderr));
}

#[test]
fn completions_for_the_other_shells() {
    let home = tempfile::tempdir().unwrap();
    for (shell, mark) in [
        ("zsh", "#compdef zisctl"),
        ("fish", "complete -c zisctl"),
        ("powershell", "Register-ArgumentCompleter"),
        ("elvish", "edit:completion:arg-completer[zisctl]"),
    ] {
        let o = run(home.path(), &["completions", shell]);
        assert_eq!(o.status.code(), Some(0), "{shell}: {}", text(&o.stderr));
        assert!(text(&o.stdout).contains(mark), "{shell}: no {mark:?}");
    }
    // `completion`, as gh and kubectl spell it, is the same command.
    let o = run(home.path(), &["completion", "bash"]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    assert_eq!(
        o.stdout,
        run(home.path(), &["completions", "bash"]).stdout,
        "completion and completions differ"
    );
    let o = run(home.path(), &["completions", "tcsh"]);
    assert_eq!(
        o.status.code(),
        Some(2),
        "an unknown shell is a usage error"
    );
    assert!(text(&o.stderr).contains("possible values"));
}

#[test]
fn man_pages_for_every_command() {
    let home = tempfile::tempdir().unwrap();
    let o = run(home.path(), &["man"]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    let page = text(&o.stdout);
    assert!(page.contains(".TH zisctl 1"), "a roff page");
    for p in paths().iter().filter(|p| p.len() == 1) {
        // roff escapes a hyphen: oauth\-clients.
        let roff = p[0].replace('-', "\\-");
        assert!(page.contains(&roff), "the main page lists {}", p[0]);
    }

    let dir = home.path().join("man1");
    let o = run(home.path(), &["man", "--dir", dir.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    for p in paths() {
        let file = dir.join(format!("zisctl-{}.1", p.join("-")));
        let body =
            std::fs::read_to_string(&file).unwrap_or_else(|e| panic!("{}: {e}", file.display()));
        assert!(body.contains(".TH zisctl-"), "{}", file.display());
    }
    let rotate = std::fs::read_to_string(dir.join("zisctl-rotate.1")).unwrap();
    assert!(rotate.contains("recover"), "a command's page has its flags");
}

/// Every command's help renders, says what the command does, and exits 0: no command is left
/// without a line of documentation.
#[test]
fn every_command_has_help() {
    let home = tempfile::tempdir().unwrap();
    let all = paths();
    assert!(
        all.len() > 25,
        "the walk found the commands ({})",
        all.len()
    );
    for p in all {
        let mut args: Vec<&str> = p.iter().map(String::as_str).collect();
        args.push("--help");
        let o = run(home.path(), &args);
        let help = text(&o.stdout);
        assert_eq!(o.status.code(), Some(0), "{p:?}: {}", text(&o.stderr));
        let about = help.lines().next().unwrap_or("");
        assert!(
            about.len() > 10 && !about.starts_with("Usage:"),
            "{p:?} has no description: {about:?}"
        );
        assert!(help.contains("Usage: zisctl"), "{p:?}");
        // The global flags are not mixed into the command's own: they come last, under
        // their own heading.
        let global = help.find("Global options:");
        let log_file = help.find("--log-file <PATH>");
        assert!(
            global.is_some() && log_file > global,
            "{p:?}: --log-file is not under \"Global options:\""
        );
    }
}

/// Every argument of every command says what it is (clap shows a bare `<NAME>` otherwise).
#[test]
fn every_argument_has_a_description() {
    fn walk(c: &clap::Command, path: &str, missing: &mut Vec<String>) {
        for a in c.get_arguments() {
            if a.is_hide_set() || a.get_help().is_some() {
                continue;
            }
            missing.push(format!("{path} {}", a.get_id()));
        }
        for sub in c.get_subcommands() {
            walk(sub, &format!("{path} {}", sub.get_name()), missing);
        }
    }
    let mut missing = Vec::new();
    let mut cmd = zisctl::args::Cli::command();
    cmd.build();
    walk(&cmd, "zisctl", &mut missing);
    assert!(missing.is_empty(), "no description: {missing:#?}");
}

/// The short names k9s and kubectl users type: `int`, `conn`, `ls`.
#[test]
fn short_aliases() {
    let home = tempfile::tempdir().unwrap();
    for (short, long) in [
        (vec!["conn", "ls"], vec!["connections", "list"]),
        (vec!["int", "ls"], vec!["integrations", "list"]),
        (vec!["oauth-clients", "ls"], vec!["oauth-clients", "list"]),
        (vec!["bundles", "ls"], vec!["bundles", "list"]),
    ] {
        let help = |mut a: Vec<&str>| {
            a.push("--help");
            let o = run(home.path(), &a);
            assert_eq!(o.status.code(), Some(0), "{a:?}");
            text(&o.stdout)
        };
        assert_eq!(
            help(short.clone()),
            help(long.clone()),
            "{short:?} is {long:?}"
        );
    }
}
