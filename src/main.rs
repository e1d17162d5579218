use std::process::ExitCode;

use clap::Parser;
use zisctl::args::{Cli, Command};

fn main() -> ExitCode {
    zisctl::files::disable_core_dumps();
    let cli = Cli::parse();
    let is_sandbox = matches!(cli.command, Some(Command::Sandbox(_)));
    if !is_sandbox || cli.global.log_file.is_some() {
        zisctl::logging::init(cli.global.log_file.as_deref());
    }
    let rt = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("zisctl: cannot start the async runtime: {e}");
            return ExitCode::from(1);
        }
    };
    let code = rt.block_on(async move {
        match cli.command {
            None => zisctl::tui::run(&cli.global).await,
            Some(Command::Demo(args)) => zisctl::tui::run_demo(&cli.global, args).await,
            Some(Command::Sandbox(args)) => match zisctl::sandbox::run(args).await {
                Ok(()) => 0,
                Err(e) => {
                    eprintln!("zisctl sandbox: {e}");
                    1
                }
            },
            Some(cmd) => zisctl::cli::run(&cli.global, cmd).await,
        }
    });
    // Do not wait for stray blocking tasks (a stdin reader) at exit.
    rt.shutdown_timeout(std::time::Duration::from_millis(100));
    ExitCode::from(code.clamp(0, 255) as u8)
}
