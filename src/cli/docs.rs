//! `zisctl completions SHELL` and `zisctl man`: generated from the one clap definition in
//! `args.rs`, so they never disagree with `--help`.
use std::io::Write;
use std::path::Path;

use clap::CommandFactory;

use super::{CliError, CliResult};
use crate::args::Cli;

fn write_failed(e: std::io::Error) -> CliError {
    CliError {
        code: 1,
        message: Some(format!("cannot write to stdout: {e}")),
    }
}

pub fn completions(shell: clap_complete::Shell) -> CliResult {
    let mut cmd = Cli::command();
    let mut out = Vec::new();
    clap_complete::generate(shell, &mut cmd, "zisctl", &mut out);
    let mut stdout = std::io::stdout().lock();
    stdout
        .write_all(&out)
        .and_then(|_| stdout.flush())
        .map_err(write_failed)
}

pub fn man(dir: Option<&Path>) -> CliResult {
    let cmd = Cli::command();
    match dir {
        Some(dir) => {
            std::fs::create_dir_all(dir)
                .and_then(|_| clap_mangen::generate_to(cmd, dir))
                .map_err(|e| CliError {
                    code: 1,
                    message: Some(format!(
                        "cannot write the man pages to {}: {e}",
                        dir.display()
                    )),
                })?;
            eprintln!(
                "zisctl: man pages written to {} (man -l {}/zisctl.1)",
                dir.display(),
                dir.display()
            );
            Ok(())
        }
        None => {
            let mut out = Vec::new();
            clap_mangen::Man::new(cmd)
                .render(&mut out)
                .map_err(write_failed)?;
            let mut stdout = std::io::stdout().lock();
            stdout
                .write_all(&out)
                .and_then(|_| stdout.flush())
                .map_err(write_failed)
        }
    }
}
