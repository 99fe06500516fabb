//! The report: the machine, the commit, every scenario's numbers, and the issue's
//! targets next to what was measured; as JSON and as Markdown tables.

use crate::scenarios::PhaseResult;
use crate::scenarios::Sizes;
use crate::scenarios::direct::RatesResult;
use crate::scenarios::fanout::FanoutResult;
use crate::scenarios::history::HistoryResult;
use crate::scenarios::idle::IdleResult;
use crate::scenarios::knee::KneeResult;
use crate::scenarios::spa::SpaResult;
use crate::scenarios::storm::StormResult;
use serde::Serialize;
use std::fmt::Write;

#[derive(Debug, Clone, Serialize)]
pub struct Machine {
    pub nproc: usize,
    pub mem_total_gib: f64,
    pub kernel: String,
    pub cpu: String,
    pub open_files: u64,
}

impl Machine {
    pub fn detect(open_files: u64) -> Self {
        let read = |p: &str| std::fs::read_to_string(p).unwrap_or_default();
        let mem_kib: f64 = read("/proc/meminfo")
            .lines()
            .find_map(|l| l.strip_prefix("MemTotal:"))
            .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
            .unwrap_or(0.0);
        Self {
            nproc: std::thread::available_parallelism().map_or(1, |n| n.get()),
            mem_total_gib: mem_kib / 1048576.0,
            kernel: read("/proc/sys/kernel/osrelease").trim().to_owned(),
            cpu: read("/proc/cpuinfo")
                .lines()
                .find_map(|l| l.strip_prefix("model name"))
                .map(|v| v.trim_start_matches([' ', '\t', ':']).to_owned())
                .unwrap_or_else(|| "unknown".into()),
            open_files,
        }
    }
}

/// The commit of the working tree (with `-dirty` when it has changes).
pub fn git_commit() -> String {
    let run = |args: &[&str]| {
        std::process::Command::new("git")
            .args(args)
            .output()
            .ok()
            .filter(|o| o.status.success())
            .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_owned())
    };
    let commit = run(&["rev-parse", "--short=12", "HEAD"]).unwrap_or_else(|| "unknown".into());
    let dirty =
        run(&["status", "--porcelain", "--untracked-files=no"]).is_some_and(|s| !s.is_empty());
    if dirty {
        format!("{commit}-dirty")
    } else {
        commit
    }
}

#[derive(Debug, Clone, Serialize)]
#[serde(tag = "scenario", content = "result", rename_all = "snake_case")]
pub enum Outcome {
    Idle(IdleResult),
    Direct(RatesResult),
    Fanout(FanoutResult),
    Knee(KneeResult),
    Storm(StormResult),
    History(HistoryResult),
    Spa(SpaResult),
    Skipped { name: String, why: String },
    Failed { name: String, error: String },
}

impl Outcome {
    /// Loss, duplication, refused sends, closed sockets, a failed step: what makes the
    /// run exit non-zero.
    pub fn problems(&self) -> Vec<String> {
        let phases = |p: &[PhaseResult]| -> Vec<String> {
            p.iter()
                .flat_map(|ph| {
                    ph.problems
                        .iter()
                        .map(move |x| format!("{} msgs/s: {x}", ph.rate))
                })
                .collect()
        };
        match self {
            Self::Idle(r) => r.problems.clone(),
            Self::Direct(r) => phases(&r.phases),
            Self::Knee(r) => {
                // The step that went over the knee may fail to drain in time; only the
                // loss or duplication of messages counts there, not lateness.
                r.phases
                    .iter()
                    .flat_map(|ph| {
                        let real = ph.problems.iter().filter(|x| {
                            !(x.contains("never acknowledged") || x.contains("deliveries where"))
                        });
                        real.map(move |x| format!("{} msgs/s: {x}", ph.rate))
                    })
                    .collect()
            }
            Self::Fanout(r) => r
                .rows
                .iter()
                .flat_map(|row| {
                    row.phase
                        .problems
                        .iter()
                        .map(move |x| format!("group of {}: {x}", row.members))
                })
                .collect(),
            Self::Storm(r) => r.problems.clone(),
            Self::History(r) => r.problems.clone(),
            Self::Spa(_) | Self::Skipped { .. } => Vec::new(),
            Self::Failed { name, error } => vec![format!("{name} failed: {error}")],
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct Target {
    pub what: String,
    pub target: String,
    pub measured: String,
    pub met: bool,
}

#[derive(Debug, Clone, Serialize)]
pub struct Report {
    pub machine: Machine,
    pub commit: String,
    pub backend: String,
    pub smoke: bool,
    pub started_unix: u64,
    pub sizes: Sizes,
    pub scenarios: Vec<Outcome>,
    pub targets: Vec<Target>,
    pub problems: Vec<String>,
}

/// The issue's targets, for whichever were measured at the size they are stated for.
pub fn targets(outcomes: &[Outcome]) -> Vec<Target> {
    let mut t = Vec::new();
    let mut add = |what: &str, target: &str, measured: String, met: bool| {
        t.push(Target {
            what: what.into(),
            target: target.into(),
            measured,
            met,
        });
    };
    for o in outcomes {
        match o {
            Outcome::Idle(r) => {
                if let Some(b) = r.bytes_per_connection {
                    add(
                        "idle connection, server RSS (slope)",
                        "<= 4 KiB each, up to the open-file limit",
                        format!(
                            "{:.0} B each over {} connections (median step {})",
                            b,
                            r.opened,
                            r.median_step_bytes_per_connection
                                .map_or("n/a".into(), |m| format!("{m:.0} B"))
                        ),
                        b <= 4096.0 && r.opened + 1000 >= r.requested && r.problems.is_empty(),
                    );
                }
            }
            Outcome::Direct(r) => {
                for (rate, ms) in [(100.0, 3.0), (5000.0, 5.0), (10000.0, 10.0)] {
                    if let Some(ph) = r.phases.iter().find(|p| p.rate == rate) {
                        add(
                            &format!("1:1 p99 at {rate} msgs/s"),
                            &format!("<= {ms} ms"),
                            format!("{:.2} ms", ph.delivery.p99_ms),
                            ph.clean() && ph.delivery.p99_ms <= ms,
                        );
                    }
                }
            }
            Outcome::Fanout(r) => {
                for (rate, ms) in [(100.0, 5.0), (500.0, 20.0)] {
                    if let Some(row) = r
                        .rows
                        .iter()
                        .find(|row| row.members == 200 && row.phase.rate == rate)
                    {
                        add(
                            &format!("group of 200, p99 to the last member at {rate} msgs/s"),
                            &format!("<= {ms} ms"),
                            format!(
                                "{:.2} ms ({:.0} deliveries/s)",
                                row.phase.delivery.p99_ms, row.phase.deliveries_per_s
                            ),
                            row.phase.clean() && row.phase.delivery.p99_ms <= ms,
                        );
                    }
                }
            }
            Outcome::Knee(r) => add(
                "durable msgs/s sustained with p99 <= 100 ms (SQLite)",
                ">= 50,000",
                match (r.knee_rate, r.knee_achieved_msgs_per_s) {
                    (Some(rate), Some(got)) => {
                        format!("{rate} offered, {got:.0} achieved")
                    }
                    _ => "no step met the threshold".into(),
                },
                r.knee_rate.is_some_and(|k| k >= 50000.0),
            ),
            Outcome::Storm(r) => add(
                &format!("{} clients resumed with catch-up", r.clients),
                "10,000 within 5 s, none lost",
                format!(
                    "{:.2} s, {} lost, {} duplicated",
                    r.all_caught_up_secs, r.lost, r.duplicated
                ),
                r.clients >= 10_000 && r.all_caught_up_secs <= 5.0 && r.problems.is_empty(),
            ),
            Outcome::History(r) => add(
                &format!("older-history page p99 on {} messages", r.messages),
                "<= 5 ms on 1M",
                format!("{:.2} ms", r.page.p99_ms),
                r.messages >= 1_000_000 && r.page.p99_ms <= 5.0 && r.problems.is_empty(),
            ),
            Outcome::Spa(r) => add(
                "SPA transfer (wasm + js + css, gzip -9)",
                "<= 350 KB",
                format!("{:.1} KB", r.gzip_total as f64 / 1000.0),
                r.gzip_total <= 350_000,
            ),
            Outcome::Skipped { .. } | Outcome::Failed { .. } => {}
        }
    }
    t
}

fn phase_table(out: &mut String, first_col: &str, rows: &[(String, &PhaseResult)]) {
    let _ = writeln!(
        out,
        "| {first_col} | sent | delivered | p50 ms | p90 ms | p99 ms | max ms | ack p99 ms | msgs/s achieved | deliveries/s | lost | dup |"
    );
    let _ = writeln!(out, "|---|---|---|---|---|---|---|---|---|---|---|---|");
    for (label, p) in rows {
        let _ = writeln!(
            out,
            "| {label} | {} | {} | {:.2} | {:.2} | {:.2} | {:.2} | {:.2} | {:.0} | {:.0} | {} | {} |",
            p.sent,
            p.delivered,
            p.delivery.p50_ms,
            p.delivery.p90_ms,
            p.delivery.p99_ms,
            p.delivery.max_ms,
            p.ack.p99_ms,
            p.achieved_msgs_per_s,
            p.deliveries_per_s,
            p.lost,
            p.duplicated
        );
    }
    let _ = writeln!(out);
}

pub fn markdown(r: &Report) -> String {
    let mut out = String::new();
    let m = &r.machine;
    let _ = writeln!(
        out,
        "# Penguin benchmark{}\n",
        if r.smoke {
            " (smoke: tiny sizes, correctness only)"
        } else {
            ""
        }
    );
    let _ = writeln!(
        out,
        "Commit `{}`, backend {}. Machine: {} cores ({}), {:.1} GiB RAM, Linux {}, open-file limit {}. \
         The load generator runs on the same machine.\n",
        r.commit, r.backend, m.nproc, m.cpu, m.mem_total_gib, m.kernel, m.open_files
    );
    if !r.targets.is_empty() {
        let _ = writeln!(
            out,
            "## Targets\n\n| what | target | measured | met |\n|---|---|---|---|"
        );
        for t in &r.targets {
            let _ = writeln!(
                out,
                "| {} | {} | {} | {} |",
                t.what,
                t.target,
                t.measured,
                if t.met { "yes" } else { "**no**" }
            );
        }
        let _ = writeln!(out);
    }
    for o in &r.scenarios {
        match o {
            Outcome::Idle(i) => {
                let _ = writeln!(
                    out,
                    "## Idle connections\n\n{} of {} authenticated WebSockets opened ({} users, {} still open at the end) in {:.1} s. \
                     Server RSS per connection (least-squares slope from the first step on): **{}** (median growth per step: {}); projected RSS at 100,000: {}.\n",
                    i.opened,
                    i.requested,
                    i.users,
                    i.still_open,
                    i.ramp_secs,
                    i.bytes_per_connection
                        .map_or("n/a".into(), |b| format!("{b:.0} B")),
                    i.median_step_bytes_per_connection
                        .map_or("n/a".into(), |b| format!("{b:.0} B")),
                    i.projected_100k_mib
                        .map_or("n/a".into(), |v| format!("{v:.0} MiB")),
                );
                let _ = writeln!(out, "| connections | server RSS MiB |\n|---|---|");
                for (c, rss) in &i.samples {
                    let _ = writeln!(out, "| {c} | {:.1} |", *rss as f64 / 1048576.0);
                }
                let _ = writeln!(out);
            }
            Outcome::Direct(d) => {
                let _ = writeln!(
                    out,
                    "## 1:1 latency (durable)\n\n{} pairs, {} s per rate; latency from the intended send time to the recipient.\n",
                    d.pairs, d.step_secs
                );
                let rows: Vec<_> = d
                    .phases
                    .iter()
                    .map(|p| (format!("{}", p.rate), p))
                    .collect();
                phase_table(&mut out, "msgs/s offered", &rows);
            }
            Outcome::Fanout(f) => {
                let _ = writeln!(
                    out,
                    "## Group fan-out\n\n{} s per rate; latency to the last member of each message.\n",
                    f.step_secs
                );
                let rows: Vec<_> = f
                    .rows
                    .iter()
                    .map(|row| {
                        (
                            format!("{} members, {} msgs/s", row.members, row.phase.rate),
                            &row.phase,
                        )
                    })
                    .collect();
                phase_table(&mut out, "group", &rows);
            }
            Outcome::Knee(k) => {
                let _ = writeln!(
                    out,
                    "## Sustained durable messages/s (the knee)\n\n{} pairs, {} s per step, stopping after the first step with p99 over {} ms. \
                     Knee: **{}**.\n",
                    k.pairs,
                    k.step_secs,
                    k.p99_threshold_ms,
                    match (k.knee_rate, k.knee_achieved_msgs_per_s) {
                        (Some(rate), Some(got)) =>
                            format!("{rate} msgs/s offered ({got:.0} achieved)"),
                        _ => "no step met the threshold".into(),
                    }
                );
                let rows: Vec<_> = k
                    .phases
                    .iter()
                    .map(|p| (format!("{}", p.rate), p))
                    .collect();
                phase_table(&mut out, "msgs/s offered", &rows);
            }
            Outcome::Storm(s) => {
                let _ = writeln!(
                    out,
                    "## Reconnect storm\n\n{} clients ({} users) dropped at once and resumed from their cursors, {} messages missed each. \
                     All caught up after **{:.2} s**; per client p50 {:.0} ms, p99 {:.0} ms. Reconnected {}, lost {}, duplicated {}.\n",
                    s.clients,
                    s.users,
                    s.missed_per_client,
                    s.all_caught_up_secs,
                    s.caught_up.p50_ms,
                    s.caught_up.p99_ms,
                    s.reconnected,
                    s.lost,
                    s.duplicated
                );
            }
            Outcome::History(h) => {
                let _ = writeln!(
                    out,
                    "## Older-history pages\n\n{} messages in one conversation (seeded in {:.1} s), {} pages of {} before random positions, one at a time: \
                     p50 {:.2} ms, p90 {:.2} ms, p99 **{:.2} ms**, max {:.2} ms.\n",
                    h.messages,
                    h.seed_secs,
                    h.pages,
                    h.page_size,
                    h.page.p50_ms,
                    h.page.p90_ms,
                    h.page.p99_ms,
                    h.page.max_ms
                );
            }
            Outcome::Spa(s) => {
                let _ = writeln!(
                    out,
                    "## SPA transfer size\n\n`{}`\n\n| file | raw bytes | gzip -9 bytes |\n|---|---|---|",
                    s.dir
                );
                for f in &s.files {
                    let _ = writeln!(out, "| {} | {} | {} |", f.name, f.raw, f.gzip);
                }
                let _ = writeln!(out, "| **total** | {} | {} |\n", s.raw_total, s.gzip_total);
            }
            Outcome::Skipped { name, why } => {
                let _ = writeln!(out, "## {name}: skipped\n\n{why}\n");
            }
            Outcome::Failed { name, error } => {
                let _ = writeln!(out, "## {name}: FAILED\n\n```\n{error}\n```\n");
            }
        }
    }
    if r.problems.is_empty() {
        let _ = writeln!(
            out,
            "## Correctness\n\nEvery send acknowledged once, every message delivered exactly once to every connection of every recipient, in order."
        );
    } else {
        let _ = writeln!(out, "## Problems\n");
        for p in &r.problems {
            let _ = writeln!(out, "- {p}");
        }
    }
    out
}
