//! `/metrics`: refused without the bearer token, open on the separate address, absent
//! when not configured; the exposition is parsed line by line against Prometheus' text
//! format (0.0.4) and its values follow real WebSocket traffic.

mod common;

use common::Running;
use common::ops::{Api, befriend, connect, next};
use futures_util::SinkExt;
use penguin_protocol::{ClientFrame, Destination, ServerFrame};
use std::collections::{BTreeMap, HashMap, HashSet};
use std::time::Duration;
use tokio_tungstenite::tungstenite::Message as WsMessage;

const TOKEN: &str = "metrics-token-0123456789";

/// One parsed exposition: per series (`name{labels}`), its value; per family, its type.
#[derive(Debug, Default)]
struct Exposition {
    types: HashMap<String, String>,
    samples: BTreeMap<String, f64>,
    /// Histogram buckets per family: (le, cumulative count), in order of appearance.
    buckets: HashMap<String, Vec<(f64, f64)>>,
}

fn is_metric_name(name: &str) -> bool {
    let mut chars = name.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_' || c == ':')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_' || c == ':')
}

fn parse_value(text: &str) -> f64 {
    match text {
        "+Inf" => f64::INFINITY,
        "-Inf" => f64::NEG_INFINITY,
        _ => text
            .parse()
            .unwrap_or_else(|_| panic!("not a sample value: {text}")),
    }
}

/// Parses strictly: every line is a HELP, a TYPE or a sample of a declared family;
/// label values are quoted; no series twice; histograms are cumulative and end with
/// `+Inf` equal to `_count`.
fn parse(text: &str) -> Exposition {
    let mut exposition = Exposition::default();
    let mut helped = HashSet::new();
    for line in text.lines() {
        if let Some(rest) = line.strip_prefix("# HELP ") {
            let (name, help) = rest.split_once(' ').expect("HELP name text");
            assert!(is_metric_name(name) && !help.is_empty(), "{line}");
            assert!(helped.insert(name.to_owned()), "HELP twice: {line}");
            continue;
        }
        if let Some(rest) = line.strip_prefix("# TYPE ") {
            let (name, kind) = rest.split_once(' ').expect("TYPE name type");
            assert!(is_metric_name(name), "{line}");
            assert!(
                ["counter", "gauge", "histogram", "summary", "untyped"].contains(&kind),
                "{line}"
            );
            assert!(helped.contains(name), "HELP before TYPE: {line}");
            let previous = exposition.types.insert(name.to_owned(), kind.to_owned());
            assert!(previous.is_none(), "TYPE twice: {line}");
            continue;
        }
        assert!(
            !line.starts_with('#') && !line.trim().is_empty(),
            "stray line: {line:?}"
        );
        let (series, value) = line.rsplit_once(' ').expect("series value");
        let value = parse_value(value);
        let (name, labels) = match series.split_once('{') {
            Some((name, labels)) => {
                let labels = labels.strip_suffix('}').expect("labels end with }");
                let mut parsed = BTreeMap::new();
                for pair in labels.split(',') {
                    let (key, quoted) = pair.split_once('=').expect("label=value");
                    assert!(is_metric_name(key), "{line}");
                    let value = quoted
                        .strip_prefix('"')
                        .and_then(|v| v.strip_suffix('"'))
                        .expect("quoted label value");
                    parsed.insert(key.to_owned(), value.to_owned());
                }
                (name, parsed)
            }
            None => (series, BTreeMap::new()),
        };
        assert!(is_metric_name(name), "{line}");
        let family = ["_bucket", "_sum", "_count"]
            .iter()
            .find_map(|suffix| {
                let base = name.strip_suffix(suffix)?;
                (exposition.types.get(base).map(String::as_str) == Some("histogram"))
                    .then_some(base)
            })
            .unwrap_or(name);
        let kind = exposition
            .types
            .get(family)
            .unwrap_or_else(|| panic!("sample of an undeclared family: {line}"));
        if kind == "counter" {
            assert!(name.ends_with("_total") && value >= 0.0, "{line}");
        }
        if name.ends_with("_bucket") && kind == "histogram" {
            let le = parse_value(labels.get("le").expect("a bucket has le"));
            exposition
                .buckets
                .entry(family.to_owned())
                .or_default()
                .push((le, value));
        }
        let previous = exposition.samples.insert(series.to_owned(), value);
        assert!(previous.is_none(), "series twice: {line}");
    }
    for (family, buckets) in &exposition.buckets {
        assert!(
            buckets
                .windows(2)
                .all(|w| w[0].0 < w[1].0 && w[0].1 <= w[1].1),
            "{family}: bounds ascend, counts are cumulative: {buckets:?}"
        );
        let (last_le, last_count) = *buckets.last().unwrap();
        assert_eq!(last_le, f64::INFINITY, "{family} ends with +Inf");
        assert_eq!(
            Some(&last_count),
            exposition.samples.get(&format!("{family}_count")),
            "{family}: +Inf equals _count"
        );
        assert!(exposition.samples.contains_key(&format!("{family}_sum")));
    }
    exposition
}

impl Exposition {
    fn get(&self, series: &str) -> f64 {
        *self
            .samples
            .get(series)
            .unwrap_or_else(|| panic!("{series} is exposed"))
    }
}

async fn scrape(url: &str, token: Option<&str>) -> reqwest::Response {
    let mut request = common::client().get(url);
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    request.send().await.unwrap()
}

async fn scraped(server: &Running) -> Exposition {
    let response = scrape(&server.url("/metrics"), Some(TOKEN)).await;
    assert_eq!(response.status(), 200);
    assert_eq!(
        response.headers()["content-type"],
        "text/plain; version=0.0.4; charset=utf-8"
    );
    parse(&response.text().await.unwrap())
}

#[tokio::test]
async fn metrics_are_protected_and_follow_the_traffic() {
    let server = Running::sqlite(&[
        "--metrics-token",
        TOKEN,
        "--metrics-addr",
        "127.0.0.1:0",
        "--send-burst",
        "100",
    ])
    .await;
    let url = server.url("/metrics");
    let refused = scrape(&url, None).await;
    assert_eq!(refused.status(), 401);
    assert_eq!(refused.headers()["www-authenticate"], "Bearer");
    assert_eq!(
        scrape(&url, Some("metrics-token-012345678X"))
            .await
            .status(),
        401
    );
    // The separate address needs no token.
    let separate = server.metrics_base.clone().unwrap();
    let open = scrape(&format!("{separate}/metrics"), None).await;
    assert_eq!(open.status(), 200);
    let idle = parse(&open.text().await.unwrap());
    assert_eq!(idle.get("penguin_up"), 1.0);
    assert_eq!(idle.get("penguin_websocket_connections"), 0.0);
    assert_eq!(idle.get("penguin_messages_received_total"), 0.0);
    assert_eq!(idle.types["penguin_message_delivery_seconds"], "histogram");
    assert_eq!(idle.types["penguin_db_commit_seconds"], "histogram");
    assert_eq!(idle.get("penguin_send_queue_length"), 0.0);
    assert!(idle.get("penguin_db_ping_seconds") > 0.0);
    // The app's own address answers nothing else there.
    assert_eq!(
        scrape(&format!("{separate}/healthz"), None).await.status(),
        404
    );

    let mut ann = Api::new(&server.base);
    ann.register("ann").await;
    let mut ben = Api::new(&server.base);
    let ben_id = ben.register("ben").await;
    befriend(&mut ann, &mut ben, ben_id).await;
    let (mut ann_ws, _) = connect(&server.base, ann.session.as_deref().unwrap(), vec![])
        .await
        .unwrap();
    let (mut ben_ws, _) = connect(&server.base, ben.session.as_deref().unwrap(), vec![])
        .await
        .unwrap();
    assert_eq!(
        scraped(&server).await.get("penguin_websocket_connections"),
        2.0
    );

    let to = Destination::Direct { user_id: ben_id };
    for i in 0..7 {
        let frame = ClientFrame::Send {
            client_id: format!("m{i}"),
            to,
            body: format!("hello {i}"),
        };
        let text = serde_json::to_string(&frame).unwrap();
        ann_ws.send(WsMessage::text(text.clone())).await.unwrap();
        // A repeat of the same client id is not a new message.
        ann_ws.send(WsMessage::text(text)).await.unwrap();
    }
    let mut received = 0;
    while received < 7 {
        if let Ok(ServerFrame::Message { .. }) = next(&mut ben_ws).await {
            received += 1;
        }
    }
    let mut acks = 0;
    while acks < 14 {
        if let Ok(ServerFrame::Ack { .. }) = next(&mut ann_ws).await {
            acks += 1;
        }
    }

    let busy = scraped(&server).await;
    assert_eq!(busy.get("penguin_messages_received_total"), 7.0);
    // Ben's socket and Ann's own (the sender's devices get their messages too).
    let delivered = busy.get("penguin_messages_delivered_total");
    assert!((7.0..=14.0).contains(&delivered), "{delivered}");
    // Live deliveries are timed (a gap filled from the database is counted, not timed).
    let timed = busy.get("penguin_message_delivery_seconds_count");
    assert!((7.0..=delivered).contains(&timed), "{timed} of {delivered}");
    assert!(busy.get("penguin_db_commits_total") >= 1.0);
    assert!(busy.get("penguin_db_commit_seconds_count") >= 1.0);
    assert!(busy.get("penguin_db_commit_seconds_sum") > 0.0);
    assert_eq!(busy.get("penguin_websocket_connections_total"), 2.0);

    drop(ann_ws);
    drop(ben_ws);
    let mut connections = 2.0;
    for _ in 0..100 {
        connections = scraped(&server).await.get("penguin_websocket_connections");
        if connections == 0.0 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(connections, 0.0, "closed connections leave the gauge");
    server.stop().await;
}

#[tokio::test]
async fn without_a_token_or_address_there_is_no_metrics_endpoint() {
    let server = Running::sqlite(&[]).await;
    assert_eq!(scrape(&server.url("/metrics"), None).await.status(), 404);
    assert_eq!(
        scrape(&server.url("/metrics"), Some(TOKEN)).await.status(),
        404
    );
    server.stop().await;
}
