//! `penguin-bench`: Penguin's load generator. It starts the server binary it is given
//! (fresh database per scenario), creates users and groups through the public API,
//! runs open-loop workloads over the documented WebSocket protocol, checks that nothing
//! is lost or duplicated, and writes `report.md`, `report.json` and SVG plots.
//! `make bench` runs it at full size, `make bench-smoke` at tiny sizes.

mod client;
mod error;
mod plot;
mod report;
mod scenarios;
mod schedule;
mod server;
mod stats;

use clap::Parser;
use report::{Machine, Outcome, Report};
use scenarios::{Ctx, Sizes};
use server::ServerOptions;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{SystemTime, UNIX_EPOCH};

const ALL: &str = "idle,direct,fanout,knee,storm,history,spa";

#[derive(Debug, Parser)]
#[command(name = "penguin-bench", about = "Benchmarks a Penguin server binary")]
struct Args {
    /// The server binary (`penguin`) to start.
    #[arg(long)]
    server: PathBuf,
    /// PostgreSQL URL: run two nodes on it (a fresh schema per scenario); needs --redis.
    #[arg(long, requires = "redis")]
    postgres: Option<String>,
    /// Redis URL for the two nodes.
    #[arg(long, requires = "postgres")]
    redis: Option<String>,
    /// Which scenarios, comma-separated.
    #[arg(long, default_value = ALL, value_delimiter = ',')]
    scenarios: Vec<String>,
    /// Tiny sizes, a few seconds per scenario: checks correctness, not speed.
    #[arg(long)]
    smoke: bool,
    /// Where the report and plots go.
    #[arg(long, default_value = "target/bench")]
    out: PathBuf,
    /// The server's log filter.
    #[arg(long, default_value = "warn")]
    server_log: String,

    /// Idle scenario: WebSockets to ramp to [default: open-file limit - 1000].
    #[arg(long)]
    idle_connections: Option<usize>,
    /// Idle scenario: users sharing those sockets.
    #[arg(long)]
    idle_users: Option<usize>,
    /// 1:1 rates, msgs/s.
    #[arg(long, value_delimiter = ',')]
    direct_rates: Option<Vec<f64>>,
    /// Sender/recipient pairs for 1:1 and the knee.
    #[arg(long)]
    pairs: Option<usize>,
    /// Seconds per rate step.
    #[arg(long)]
    step_secs: Option<f64>,
    /// Group sizes for fan-out.
    #[arg(long, value_delimiter = ',')]
    fanout_sizes: Option<Vec<usize>>,
    /// Fan-out msgs/s for the first group size (larger groups: same deliveries/s).
    #[arg(long, value_delimiter = ',')]
    fanout_rates: Option<Vec<f64>>,
    /// Knee steps, msgs/s.
    #[arg(long, value_delimiter = ',')]
    knee_rates: Option<Vec<f64>>,
    /// Reconnect storm: clients.
    #[arg(long)]
    storm_clients: Option<usize>,
    /// History: messages in the conversation.
    #[arg(long)]
    history_messages: Option<u64>,
    /// History: pages fetched.
    #[arg(long)]
    history_pages: Option<usize>,
    /// Loopback source addresses (127.0.0.1 …) for the client sockets.
    #[arg(long)]
    sources: Option<u8>,
    /// The built site (its pkg/ is measured).
    #[arg(long)]
    site: Option<PathBuf>,
}

impl Args {
    fn sizes(&self, open_files: u64) -> Sizes {
        let mut s = if self.smoke {
            Sizes::smoke()
        } else {
            Sizes::full(open_files)
        };
        macro_rules! set {
            ($($field:ident),*) => {$( if let Some(v) = &self.$field { s.$field = v.clone(); } )*};
        }
        set!(
            idle_connections,
            idle_users,
            direct_rates,
            pairs,
            step_secs,
            fanout_sizes,
            fanout_rates,
            knee_rates,
            storm_clients,
            history_messages,
            history_pages,
            sources,
            site
        );
        s
    }
}

#[tokio::main]
async fn main() -> std::process::ExitCode {
    let args = Args::parse();
    // Each socket is a descriptor; the server (our child) inherits the raised limit.
    let open_files = rlimit::increase_nofile_limit(u64::MAX).unwrap_or(1024);
    schedule::epoch();
    let sizes = args.sizes(open_files);
    let options = ServerOptions {
        binary: args.server.clone(),
        cluster: args.postgres.clone().zip(args.redis.clone()),
        log: args.server_log.clone(),
    };
    let ctx = Ctx {
        sources: Arc::new(client::Sources::new(sizes.sources)),
        options,
        sizes,
    };
    let started_unix = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    let mut outcomes = Vec::new();
    for name in &args.scenarios {
        eprintln!("penguin-bench: {name}");
        let outcome = run_one(&ctx, name.trim()).await;
        if let Outcome::Failed { error, .. } = &outcome {
            eprintln!("penguin-bench: {name} FAILED: {error}");
        }
        outcomes.push(outcome);
    }
    let problems: Vec<String> = outcomes.iter().flat_map(Outcome::problems).collect();
    let report = Report {
        machine: Machine::detect(open_files),
        commit: report::git_commit(),
        backend: ctx.options.backend().to_owned(),
        smoke: args.smoke,
        started_unix,
        sizes: ctx.sizes.clone(),
        targets: if args.smoke {
            Vec::new()
        } else {
            report::targets(&outcomes)
        },
        scenarios: outcomes,
        problems,
    };
    if let Err(e) = write(&args.out, &report) {
        eprintln!("penguin-bench: writing the report: {e}");
        return std::process::ExitCode::FAILURE;
    }
    eprintln!(
        "penguin-bench: report in {}",
        args.out.join("report.md").display()
    );
    if report.problems.is_empty() {
        std::process::ExitCode::SUCCESS
    } else {
        for p in &report.problems {
            eprintln!("penguin-bench: problem: {p}");
        }
        std::process::ExitCode::FAILURE
    }
}

async fn run_one(ctx: &Ctx, name: &str) -> Outcome {
    let failed = |e: error::BenchError| Outcome::Failed {
        name: name.to_owned(),
        error: e.to_string(),
    };
    match name {
        "idle" => scenarios::idle::run(ctx).await.map_or_else(failed, Outcome::Idle),
        "direct" => scenarios::direct::run(ctx)
            .await
            .map_or_else(failed, Outcome::Direct),
        "fanout" => scenarios::fanout::run(ctx)
            .await
            .map_or_else(failed, Outcome::Fanout),
        "knee" => scenarios::knee::run(ctx).await.map_or_else(failed, Outcome::Knee),
        "storm" => scenarios::storm::run(ctx)
            .await
            .map_or_else(failed, Outcome::Storm),
        "history" if ctx.options.cluster.is_some() => Outcome::Skipped {
            name: name.into(),
            why: "seeding 1,000,000 messages writes the SQLite file directly; not done for PostgreSQL".into(),
        },
        "history" => scenarios::history::run(ctx)
            .await
            .map_or_else(failed, Outcome::History),
        "spa" => match scenarios::spa::run(ctx) {
            Ok(r) => Outcome::Spa(r),
            // A machine without a built site still benchmarks the server.
            Err(e) => Outcome::Skipped {
                name: name.into(),
                why: e.to_string(),
            },
        },
        other => Outcome::Failed {
            name: other.into(),
            error: format!("no such scenario (known: {ALL})"),
        },
    }
}

fn write(out: &std::path::Path, report: &Report) -> Result<(), Box<dyn std::error::Error>> {
    std::fs::create_dir_all(out)?;
    std::fs::write(
        out.join("report.json"),
        serde_json::to_string_pretty(report)?,
    )?;
    std::fs::write(out.join("report.md"), report::markdown(report))?;
    for o in &report.scenarios {
        match o {
            Outcome::Direct(d) => plot::latency_vs_rate(
                &out.join("direct_latency.svg"),
                "1:1 delivery latency vs rate (durable)",
                &d.phases,
            )?,
            Outcome::Knee(k) => plot::latency_vs_rate(
                &out.join("knee_latency.svg"),
                "Sustained durable sends: latency vs rate",
                &k.phases,
            )?,
            Outcome::Idle(i) => plot::rss_vs_connections(&out.join("idle_rss.svg"), i)?,
            _ => {}
        }
    }
    Ok(())
}
