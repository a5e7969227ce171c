//! The `dutyday` binary: parse the command line, start logging, run.

use clap::Parser;
use std::process::ExitCode;

#[actix_web::main]
async fn main() -> ExitCode {
    let logs = tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_env_filter(tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "info".into()))
        // One line per request (and per job run) when its span closes, with its id and time.
        .with_span_events(tracing_subscriber::fmt::format::FmtSpan::CLOSE);
    // DUTYDAY_LOG_FORMAT=json: one JSON object a line, for a log collector.
    if std::env::var("DUTYDAY_LOG_FORMAT").is_ok_and(|f| f.eq_ignore_ascii_case("json")) {
        logs.json().with_current_span(true).init();
    } else {
        logs.with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr())).init();
    }
    let cli = dutyday::cli::Cli::parse();
    match dutyday::cli::run(cli).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(f) => {
            eprintln!("dutyday: {}", f.message);
            ExitCode::from(f.code)
        }
    }
}
