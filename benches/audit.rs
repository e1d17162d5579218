//! Runs benches/audit_throughput.py (the real `zisctl audit` against the real sandbox, in the
//! latency and the rate-limited regimes) on the binary this `cargo bench` built, so that
//! `cargo bench` alone gives every figure of the README's Performance table. Needs python3;
//! does nothing under `cargo test`.
use std::process::Command;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if !args.iter().any(|a| a == "--bench") {
        println!("audit: a benchmark; run it with `cargo bench --bench audit`");
        return;
    }
    let filters: Vec<&String> = args.iter().filter(|a| !a.starts_with('-')).collect();
    if !filters.is_empty() && !filters.iter().any(|f| "audit".contains(f.as_str())) {
        return;
    }
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/benches/audit_throughput.py");
    let status = Command::new("python3")
        .arg(script)
        .arg("--binary")
        .arg(env!("CARGO_BIN_EXE_zisctl"))
        .status();
    match status {
        Ok(s) if s.success() => {}
        Ok(s) => panic!("audit_throughput.py failed: {s}"),
        Err(e) => println!("audit: cannot run python3 ({e}); skipped"),
    }
}
