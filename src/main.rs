use clap::Parser;
use zisctl::args::{Cli, Command};

fn main() {
    let cli = Cli::parse();
    match cli.command {
        Some(Command::Sandbox(args)) => {
            let runtime = match tokio::runtime::Builder::new_multi_thread()
                .enable_all()
                .build()
            {
                Ok(rt) => rt,
                Err(e) => {
                    eprintln!("zisctl: cannot start the async runtime: {e}");
                    std::process::exit(1);
                }
            };
            if let Err(e) = runtime.block_on(zisctl::sandbox::run(args)) {
                eprintln!("zisctl sandbox: {e}");
                std::process::exit(1);
            }
        }
        _ => {
            eprintln!("zisctl: not yet implemented");
            std::process::exit(2);
        }
    }
}
