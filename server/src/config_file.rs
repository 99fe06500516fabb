//! The TOML layer of the configuration. Precedence: flags, then `PENGUIN_*` variables,
//! then the file (`--config FILE` / `PENGUIN_CONFIG`), then the built-in defaults.
//!
//! The file's keys are fed to clap as the arguments' default values. That keeps one
//! definition of every setting (the `Config` struct, with its parsers, ranges and help)
//! and lets clap apply its own precedence (command line, environment, default): no second
//! serde struct that could drift from the flags, and no new crate beyond `toml` to read
//! the file. Before a value becomes a default it is checked here, against the key's kind
//! (true/false for switches, a list for lists) and with the argument's own value parser,
//! so a wrong value is reported with the file and the key, at start.

use crate::Config;
use clap::builder::ArgAction;
use clap::parser::ValueSource;
use clap::{Arg, ArgMatches, CommandFactory, FromArgMatches};
use std::collections::BTreeSet;
use std::ffi::OsString;
use std::path::{Path, PathBuf};

/// Why the configuration could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// A flag or environment variable is wrong, or `--help` / `--version` was asked for
    /// (clap prints those itself: see [`clap::Error::exit`]).
    #[error("{0}")]
    Args(#[from] clap::Error),
    #[error("cannot read the settings file {}: {source}", path.display())]
    Read {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("the settings file {} is not valid TOML: {message}", path.display())]
    Syntax { path: PathBuf, message: String },
    #[error(
        "the settings file {} has an unknown setting `{key}` (keys are the flag names with `_`, e.g. `database_url`; see `penguin --help`)",
        path.display()
    )]
    UnknownKey { path: PathBuf, key: String },
    #[error("the settings file {}: `{key}` must be {expected}", path.display())]
    WrongType {
        path: PathBuf,
        key: String,
        expected: &'static str,
    },
    #[error("the settings file {}: invalid value {value} for `{key}`: {reason}", path.display())]
    Invalid {
        path: PathBuf,
        key: String,
        value: String,
        reason: String,
    },
}

/// Where a setting's value came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    Flag,
    Environment,
    File,
    Default,
}

impl Source {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Flag => "flag",
            Self::Environment => "environment",
            Self::File => "file",
            Self::Default => "default",
        }
    }
}

/// The configuration and how it was assembled (for `penguin config`).
#[derive(Debug)]
pub struct Loaded {
    pub config: Config,
    matches: ArgMatches,
    from_file: BTreeSet<String>,
}

/// Settings that the file may not set: the file itself, and clap's own.
const NOT_IN_FILE: [&str; 3] = ["config", "help", "version"];

/// Settings whose value `penguin config` does not print.
const SECRET: [&str; 2] = ["smtp_url", "metrics_token"];

impl Config {
    /// The configuration of this process: its arguments, environment and settings file.
    pub fn load() -> Result<Loaded, ConfigError> {
        Self::load_from(std::env::args_os())
    }

    /// The configuration from `args` (the first is the program name), the environment
    /// and the settings file they name.
    pub fn load_from<I, T>(args: I) -> Result<Loaded, ConfigError>
    where
        I: IntoIterator<Item = T>,
        T: Into<OsString>,
    {
        let args: Vec<OsString> = args.into_iter().map(Into::into).collect();
        // First pass only to learn where the file is (a flag or PENGUIN_CONFIG); every
        // other error is reported by the real pass below.
        let file = Config::command()
            .ignore_errors(true)
            .try_get_matches_from(&args)
            .ok()
            .and_then(|matches| matches.get_one::<PathBuf>("config").cloned());
        let mut command = Config::command();
        let mut from_file = BTreeSet::new();
        if let Some(path) = &file {
            let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Read {
                path: path.clone(),
                source,
            })?;
            let table: toml::Table =
                text.parse()
                    .map_err(|e: toml::de::Error| ConfigError::Syntax {
                        path: path.clone(),
                        message: e.to_string(),
                    })?;
            for (key, value) in &table {
                let values = file_values(&command, path, key, value)?;
                command = command.mut_arg(key, |arg| arg.default_values(values));
                from_file.insert(key.clone());
            }
        }
        let matches = command.try_get_matches_from_mut(&args)?;
        let config = Config::from_arg_matches(&matches)?;
        Ok(Loaded {
            config,
            matches,
            from_file,
        })
    }
}

/// The strings clap gets for one key of the file, checked.
fn file_values(
    command: &clap::Command,
    path: &Path,
    key: &str,
    value: &toml::Value,
) -> Result<Vec<String>, ConfigError> {
    let arg = command
        .get_arguments()
        .find(|arg| arg.get_id() == key && !NOT_IN_FILE.contains(&key) && !arg.is_positional())
        .ok_or_else(|| ConfigError::UnknownKey {
            path: path.to_owned(),
            key: key.to_owned(),
        })?;
    let wrong_type = |expected| ConfigError::WrongType {
        path: path.to_owned(),
        key: key.to_owned(),
        expected,
    };
    let values = match arg.get_action() {
        ArgAction::SetTrue | ArgAction::SetFalse => match value {
            toml::Value::Boolean(on) => vec![on.to_string()],
            _ => return Err(wrong_type("true or false")),
        },
        ArgAction::Append => match value {
            toml::Value::Array(items) => items
                .iter()
                .map(|item| item.as_str().map(str::to_owned))
                .collect::<Option<Vec<_>>>()
                .ok_or_else(|| wrong_type("a list of strings"))?,
            toml::Value::String(joined) => match arg.get_value_delimiter() {
                Some(delimiter) => joined.split(delimiter).map(str::to_owned).collect(),
                None => vec![joined.clone()],
            },
            _ => return Err(wrong_type("a list of strings")),
        },
        _ => match value {
            toml::Value::String(text) => vec![text.clone()],
            toml::Value::Integer(number) => vec![number.to_string()],
            toml::Value::Float(number) => vec![number.to_string()],
            _ => return Err(wrong_type("a string or a number")),
        },
    };
    let switch = matches!(arg.get_action(), ArgAction::SetTrue | ArgAction::SetFalse);
    for one in values.iter().filter(|_| !switch) {
        check_value(arg, one).map_err(|reason| ConfigError::Invalid {
            path: path.to_owned(),
            key: key.to_owned(),
            value: value.to_string(),
            reason,
        })?;
    }
    Ok(values)
}

/// Runs the argument's own parser (type, range, choices) on a value from the file, by
/// parsing it as that flag alone (clap keeps the parser itself private).
fn check_value(arg: &Arg, value: &str) -> Result<(), String> {
    let long = arg.get_long().unwrap_or(arg.get_id().as_str());
    let probe = clap::Command::new("penguin")
        .no_binary_name(true)
        .arg(arg.clone());
    match probe.try_get_matches_from([format!("--{long}={value}")]) {
        Ok(_) => Ok(()),
        Err(error) => {
            let choices: Vec<String> = arg
                .get_possible_values()
                .iter()
                .map(|v| v.get_name().to_owned())
                .collect();
            Err(match std::error::Error::source(&error) {
                Some(cause) => cause.to_string(),
                None if !choices.is_empty() => format!("expected one of {}", choices.join(", ")),
                None => error.kind().to_string(),
            })
        }
    }
}

impl Loaded {
    /// Where `key`'s value came from; `None` when it has no value at all.
    pub fn source(&self, key: &str) -> Option<Source> {
        let source = match self.matches.value_source(key)? {
            ValueSource::CommandLine => Source::Flag,
            ValueSource::EnvVariable => Source::Environment,
            _ if self.from_file.contains(key) => Source::File,
            _ => Source::Default,
        };
        Some(source)
    }

    /// Every setting as TOML, each with where it came from: what `penguin config`
    /// prints. Secrets are masked; unset settings are commented out.
    pub fn describe(&self) -> String {
        let command = Config::command();
        let mut out = String::new();
        for arg in command.get_arguments() {
            let key = arg.get_id().as_str();
            if NOT_IN_FILE.contains(&key) || arg.is_positional() {
                continue;
            }
            let raw: Vec<String> = self
                .matches
                .get_raw(key)
                .map(|values| {
                    values
                        .map(|v| v.to_string_lossy().into_owned())
                        .collect::<Vec<_>>()
                })
                .unwrap_or_default();
            let source = self.source(key);
            let Some(source) = source.filter(|_| !raw.is_empty()) else {
                out.push_str(&format!("# {key} is not set\n"));
                continue;
            };
            let value = if SECRET.contains(&key) {
                toml::Value::String("********".into())
            } else {
                toml_value(arg, &raw)
            };
            out.push_str(&format!("{key} = {value} # {}\n", source.as_str()));
        }
        out
    }
}

/// A setting's value as it would be written in the file.
fn toml_value(arg: &Arg, raw: &[String]) -> toml::Value {
    let scalar = |text: &String| match text.parse::<i64>() {
        Ok(number) if !matches!(arg.get_action(), ArgAction::Append) => {
            toml::Value::Integer(number)
        }
        _ => toml::Value::String(text.clone()),
    };
    match arg.get_action() {
        ArgAction::SetTrue | ArgAction::SetFalse => {
            toml::Value::Boolean(raw.first().is_some_and(|v| v == "true"))
        }
        ArgAction::Append => toml::Value::Array(raw.iter().map(scalar).collect()),
        _ => raw
            .first()
            .map(scalar)
            .unwrap_or(toml::Value::String(String::new())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    fn file(text: &str) -> tempfile::NamedTempFile {
        let mut file = tempfile::NamedTempFile::new().unwrap();
        file.write_all(text.as_bytes()).unwrap();
        file
    }

    fn load(file: &tempfile::NamedTempFile, flags: &[&str]) -> Result<Loaded, ConfigError> {
        let path = file.path().to_str().unwrap();
        let args = ["penguin", "--config", path]
            .into_iter()
            .chain(flags.iter().copied());
        Config::load_from(args)
    }

    #[test]
    fn the_file_sets_what_flags_do_not() {
        let settings = file(
            r#"
            database_url = "sqlite:///tmp/from-file.db"
            group_member_limit = 300
            secure_cookies = true
            allowed_origins = ["https://a.example", "https://b.example"]
            log_format = "json"
            "#,
        );
        let loaded = load(&settings, &["--group-member-limit", "400"]).unwrap();
        let config = &loaded.config;
        assert_eq!(config.database_url, "sqlite:///tmp/from-file.db");
        assert_eq!(config.group_member_limit, 400, "a flag beats the file");
        assert!(config.secure_cookies);
        assert_eq!(
            config.allowed_origins,
            ["https://a.example", "https://b.example"]
        );
        assert_eq!(config.ops.log_format, crate::ops_config::LogFormat::Json);
        assert_eq!(
            config.session_days, 30,
            "untouched settings keep their default"
        );
        assert_eq!(loaded.source("database_url"), Some(Source::File));
        assert_eq!(loaded.source("group_member_limit"), Some(Source::Flag));
        assert_eq!(loaded.source("session_days"), Some(Source::Default));
    }

    #[test]
    fn an_unknown_key_is_named() {
        let settings = file("database-url = \"sqlite://x.db\"\n");
        let error = load(&settings, &[]).unwrap_err().to_string();
        assert!(error.contains("unknown setting `database-url`"), "{error}");
        assert!(error.contains(settings.path().to_str().unwrap()), "{error}");
    }

    #[test]
    fn a_wrong_type_or_value_is_named() {
        let cases = [
            (
                "secure_cookies = \"yes\"",
                "`secure_cookies` must be true or false",
            ),
            (
                "group_member_limit = true",
                "`group_member_limit` must be a string or a number",
            ),
            (
                "allowed_origins = [1, 2]",
                "`allowed_origins` must be a list of strings",
            ),
            (
                "database_max_connections = 0",
                "invalid value 0 for `database_max_connections`",
            ),
            ("addr = \"nowhere\"", "invalid value \"nowhere\" for `addr`"),
            ("log_format = \"xml\"", "expected one of text, json"),
            ("config = \"other.toml\"", "unknown setting `config`"),
            (
                "[server]\naddr = \"127.0.0.1:1\"",
                "unknown setting `server`",
            ),
        ];
        for (text, expected) in cases {
            let settings = file(text);
            let error = load(&settings, &[]).unwrap_err().to_string();
            assert!(error.contains(expected), "{text}: {error}");
        }
        let settings = file("addr = ");
        let error = load(&settings, &[]).unwrap_err();
        assert!(matches!(error, ConfigError::Syntax { .. }), "{error}");
    }

    #[test]
    fn a_missing_file_is_an_error() {
        let error = Config::load_from(["penguin", "--config", "/nonexistent/penguin.toml"])
            .unwrap_err()
            .to_string();
        assert!(error.contains("/nonexistent/penguin.toml"), "{error}");
    }

    #[test]
    fn describe_prints_every_setting_with_its_source_and_masks_secrets() {
        let settings =
            file("smtp_url = \"smtps://user:hunter2@mail.example:465\"\nsession_days = 7\n");
        let loaded = load(&settings, &["--addr", "127.0.0.1:4000"]).unwrap();
        let described = loaded.describe();
        let parsed: toml::Table = described.parse().unwrap();
        assert_eq!(parsed["addr"].as_str(), Some("127.0.0.1:4000"));
        assert_eq!(parsed["session_days"].as_integer(), Some(7));
        assert_eq!(parsed["secure_cookies"].as_bool(), Some(false));
        assert!(!described.contains("hunter2"), "{described}");
        assert!(described.contains("session_days = 7 # file"), "{described}");
        assert!(
            described.contains("addr = \"127.0.0.1:4000\" # flag"),
            "{described}"
        );
        assert!(
            described.contains("# metrics_token is not set"),
            "{described}"
        );
    }
}
