use clap::Parser;
use penguin_server::Config;
use tracing_subscriber::EnvFilter;

#[tokio::main]
async fn main() -> std::process::ExitCode {
    let config = Config::parse();
    let filter = EnvFilter::try_new(&config.log).unwrap_or_else(|error| {
        eprintln!(
            "penguin: invalid --log / PENGUIN_LOG filter `{}`: {error}",
            config.log
        );
        std::process::exit(2);
    });
    tracing_subscriber::fmt().with_env_filter(filter).init();

    match penguin_server::serve(config).await {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(error) => {
            tracing::error!(%error, "Penguin stopped");
            eprintln!("penguin: {error}");
            std::process::ExitCode::FAILURE
        }
    }
}
