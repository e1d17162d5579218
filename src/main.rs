use clap::Parser;

fn main() {
    let _cli = zisctl::args::Cli::parse();
}
