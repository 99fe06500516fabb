//! The configuration as the real binary reads it: flags over `PENGUIN_*` variables over
//! the TOML file over defaults (`penguin config` shows the result and each source), a
//! wrong setting stops the server at start naming it, and `--help` documents every
//! setting with its variable and default.

mod common;

use clap::CommandFactory;
use common::ops::{Api, connect, penguin_env};
use common::process::Process;
use penguin_server::Config;
use penguin_testkit::redis::free_port;
use std::collections::HashMap;
use std::time::Duration;

/// `penguin config`'s answer: per key, the TOML value and the source in the comment.
fn effective(args: &[&str], env: &[(&str, &str)]) -> HashMap<String, (toml::Value, String)> {
    let output = penguin_env(&[args, &["config"]].concat(), env, None);
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let mut settings = HashMap::new();
    for line in stdout.lines().filter(|line| !line.starts_with('#')) {
        let (assignment, source) = line.rsplit_once(" # ").expect("key = value # source");
        let table: toml::Table = assignment.parse().expect("valid TOML");
        let (key, value) = table.into_iter().next().unwrap();
        settings.insert(key, (value, source.to_owned()));
    }
    settings
}

fn file(dir: &tempfile::TempDir, text: &str) -> String {
    let path = dir.path().join("penguin.toml");
    std::fs::write(&path, text).unwrap();
    path.to_str().unwrap().to_owned()
}

#[test]
fn flags_beat_environment_beats_file_beats_defaults() {
    let dir = tempfile::tempdir().unwrap();
    let settings = file(
        &dir,
        r#"
        database_url = "sqlite:///from/file.db"
        session_days = 7
        group_member_limit = 300
        allowed_origins = ["https://file.example"]
        secure_cookies = true
        "#,
    );
    let got = effective(
        &[
            "--config",
            &settings,
            "--database-url",
            "sqlite:///from/flag.db",
        ],
        &[
            ("PENGUIN_DATABASE_URL", "sqlite:///from/env.db"),
            ("PENGUIN_SESSION_DAYS", "9"),
            ("PENGUIN_SECURE_COOKIES", "false"),
        ],
    );
    let value = |key: &str| got[key].clone();
    let string = |s: &str| toml::Value::String(s.to_owned());
    assert_eq!(
        value("database_url"),
        (string("sqlite:///from/flag.db"), "flag".into())
    );
    assert_eq!(
        value("session_days"),
        (toml::Value::Integer(9), "environment".into())
    );
    assert_eq!(
        value("secure_cookies"),
        (toml::Value::Boolean(false), "environment".into())
    );
    assert_eq!(
        value("group_member_limit"),
        (toml::Value::Integer(300), "file".into())
    );
    assert_eq!(
        value("allowed_origins"),
        (
            toml::Value::Array(vec![string("https://file.example")]),
            "file".into()
        )
    );
    assert_eq!(
        value("database_max_connections"),
        (toml::Value::Integer(16), "default".into())
    );
    assert_eq!(value("log_format"), (string("text"), "default".into()));

    // PENGUIN_CONFIG names the file just as --config does.
    let got = effective(&[], &[("PENGUIN_CONFIG", &settings)]);
    assert_eq!(
        got["session_days"],
        (toml::Value::Integer(7), "file".into())
    );
}

#[test]
fn a_wrong_setting_stops_the_server_at_start_and_names_it() {
    let dir = tempfile::tempdir().unwrap();
    let port = free_port().to_string();
    let addr = format!("127.0.0.1:{port}");
    let serve = |args: &[&str], env: &[(&str, &str)]| {
        let output = penguin_env(&[&["--addr", addr.as_str()], args].concat(), env, None);
        assert_eq!(
            output.status.code(),
            Some(2),
            "stops at start with status 2"
        );
        String::from_utf8_lossy(&output.stderr).into_owned()
    };
    let cases = [
        ("sesion_days = 7", "unknown setting `sesion_days`"),
        (
            "session_days = \"a week\"",
            "invalid value \"a week\" for `session_days`",
        ),
        (
            "trust_forwarded_for = 1",
            "`trust_forwarded_for` must be true or false",
        ),
        ("metrics_addr = \"everywhere\"", "for `metrics_addr`"),
        (
            "database_url = [\"a\", \"b\"]",
            "`database_url` must be a string or a number",
        ),
    ];
    for (text, expected) in cases {
        let settings = file(&dir, text);
        let stderr = serve(&["--config", &settings], &[]);
        assert!(stderr.contains(expected), "{text}: {stderr}");
        assert!(stderr.contains(&settings), "names the file: {stderr}");
    }
    let stderr = serve(&[], &[("PENGUIN_SESSION_DAYS", "soon")]);
    assert!(stderr.contains("--session-days"), "{stderr}");
    let stderr = serve(&["--log-format", "xml"], &[]);
    assert!(stderr.contains("--log-format"), "{stderr}");
    let stderr = serve(&["--config", "/nonexistent/penguin.toml"], &[]);
    assert!(stderr.contains("cannot read the settings file"), "{stderr}");
    assert!(
        std::net::TcpListener::bind(&addr).is_ok(),
        "nothing was left listening"
    );
}

#[test]
fn help_documents_every_setting_with_its_variable_and_default() {
    let output = penguin_env(&["--help"], &[], None);
    assert!(output.status.success());
    let help = String::from_utf8_lossy(&output.stdout);
    let command = Config::command();
    for arg in command.get_arguments() {
        let Some(long) = arg.get_long() else { continue };
        if ["help", "version"].contains(&long) {
            continue;
        }
        assert!(help.contains(&format!("--{long}")), "--{long} in --help");
        let env = arg.get_env().expect("every setting has a variable");
        assert!(
            help.contains(&format!("[env: {}", env.to_string_lossy())),
            "--{long}'s variable in --help"
        );
        // Switches are off unless given; clap shows no default for them.
        if matches!(arg.get_action(), clap::ArgAction::SetTrue) {
            continue;
        }
        for default in arg.get_default_values() {
            // clap quotes a default with spaces.
            let default = default.to_string_lossy();
            assert!(
                help.contains(&format!("[default: {default}"))
                    || help.contains(&format!("[default: \"{default}\"")),
                "--{long}'s default in --help"
            );
        }
    }
    for command in ["admin", "backup", "restore", "config"] {
        assert!(help.contains(command), "the {command} command in --help");
    }
}

#[test]
fn the_packaged_settings_file_is_valid() {
    let example = concat!(env!("CARGO_MANIFEST_DIR"), "/../packaging/penguin.toml");
    let got = effective(&["--config", example], &[]);
    assert_eq!(got["database_url"].1, "file");
    assert_eq!(got["log_format"].0, toml::Value::String("json".into()));
    assert_eq!(
        got["metrics_addr"].0,
        toml::Value::String("127.0.0.1:9100".into())
    );
}

/// `--log-format json`: every line a serving process writes is one JSON object with a
/// time, a level, a target and the message, and structured fields stay fields.
#[tokio::test]
async fn json_logs_are_one_object_per_line_with_their_fields() {
    let dir = tempfile::tempdir().unwrap();
    let db_url = format!("sqlite://{}", dir.path().join("penguin.db").display());
    let args = ["--database-url", &db_url, "--log-format", "json"];
    let mut server = Process::start("json-logs", &args).await;
    let mut ann = Api::new(&server.base);
    ann.register("ann").await;
    let (_ws, _) = connect(&server.base, ann.session.as_deref().unwrap(), vec![])
        .await
        .unwrap();
    server.sigterm();
    assert!(server.exit_status(Duration::from_secs(15)).await.success());

    let output = server.stdout_text();
    let events: Vec<serde_json::Value> = output
        .lines()
        .map(|line| {
            serde_json::from_str(line).unwrap_or_else(|error| panic!("not JSON ({error}): {line}"))
        })
        .collect();
    for event in &events {
        let time = event["timestamp"].as_str().unwrap_or_default();
        // RFC 3339 in UTC, as `2026-12-02T03:40:12.123456Z`.
        let (date, clock) = time.split_once('T').unwrap_or_default();
        assert!(
            date.len() == 10 && date.split('-').count() == 3 && clock.ends_with('Z'),
            "an RFC 3339 timestamp: {event}"
        );
        assert!(
            ["TRACE", "DEBUG", "INFO", "WARN", "ERROR"].contains(&event["level"].as_str().unwrap()),
            "{event}"
        );
        assert!(event["target"].is_string(), "{event}");
        assert!(event["fields"]["message"].is_string(), "{event}");
    }
    let message =
        |event: &serde_json::Value| event["fields"]["message"].as_str().unwrap().to_owned();
    let listening = format!("Penguin listening on http://127.0.0.1:{}", server.port);
    assert!(events.iter().any(|e| message(e) == listening), "{output}");
    let stopping = events
        .iter()
        .find(|e| message(e).starts_with("shutting down: no new connections"))
        .unwrap_or_else(|| panic!("the shutdown is logged: {output}"));
    assert_eq!(
        stopping["fields"]["websockets"], 1,
        "the open socket is counted in its own field"
    );
    assert_eq!(message(events.last().unwrap()), "stopped");
}
