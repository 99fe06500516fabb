use penguin_server::Config;
use penguin_server::config_file::{ConfigError, Source};
use penguin_server::ops_config::LogFormat;
use std::process::ExitCode;
use tracing_subscriber::EnvFilter;

/// mimalloc instead of glibc's malloc: measured by `make bench` (README, Performance),
/// it keeps less memory resident per idle connection and spends less time in malloc
/// and free under load.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[tokio::main]
async fn main() -> ExitCode {
    let loaded = match Config::load() {
        Ok(loaded) => loaded,
        // Also `--help` and `--version`, which clap prints and exits 0 for.
        Err(ConfigError::Args(error)) => error.exit(),
        Err(error) => {
            eprintln!("penguin: {error}");
            return ExitCode::from(2);
        }
    };
    let config = &loaded.config;
    // A command's output is its stdout; its log goes to stderr, and only warnings unless
    // a filter was asked for.
    let command = config.command.is_some();
    let filter = if command && loaded.source("log") == Some(Source::Default) {
        "warn"
    } else {
        config.log.as_str()
    };
    let filter = match EnvFilter::try_new(filter) {
        Ok(filter) => filter,
        Err(error) => {
            eprintln!(
                "penguin: invalid --log / PENGUIN_LOG filter `{}`: {error}",
                config.log
            );
            return ExitCode::from(2);
        }
    };
    let logs = tracing_subscriber::fmt().with_env_filter(filter);
    match (config.ops.log_format, command) {
        (LogFormat::Json, false) => logs.json().init(),
        (LogFormat::Json, true) => logs.json().with_writer(std::io::stderr).init(),
        (LogFormat::Text, false) => logs.init(),
        (LogFormat::Text, true) => logs.with_writer(std::io::stderr).init(),
    }

    let result = match &config.command {
        Some(command) => penguin_server::commands::run(command, &loaded)
            .await
            .map_err(|error| error.to_string()),
        None => penguin_server::serve(loaded.config.clone())
            .await
            .map_err(|error| {
                tracing::error!(%error, "Penguin stopped");
                error.to_string()
            }),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("penguin: {error}");
            ExitCode::FAILURE
        }
    }
}
