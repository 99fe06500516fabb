//! The parsers from text to one of a few names: the language (`penguin_lang` cookie,
//! `Accept-Language` header, `Locale::from_tag`), group roles and error codes.
//!
//! Invariants:
//! - `from_tag` accepts exactly the tags whose primary subtag is `en` or `zh` (any ASCII
//!   case), and reads its own `tag()` back;
//! - `from_accept_language` picks a language the header names with a q-value above 0;
//!   unsupported or q=0 entries before or after it change nothing;
//! - `GroupRole::parse`, `ErrorCode::from_str` and serde accept exactly the wire names,
//!   and agree with each other.
#![no_main]

use libfuzzer_sys::fuzz_target;
use penguin_protocol::{ErrorCode, GroupRole, Locale};

fuzz_target!(|data: &[u8]| {
    let input = String::from_utf8_lossy(data);
    check_tag(&input);
    check_accept_language(&input);
    check_names(&input);
});

fn check_tag(s: &str) {
    let locale = Locale::from_tag(s);
    assert_eq!(Locale::from_tag(&s.to_ascii_uppercase()), locale, "{s:?}");
    assert_eq!(Locale::from_tag(&s.to_ascii_lowercase()), locale, "{s:?}");
    let primary = s.trim().split(['-', '_']).next().unwrap_or("");
    let expected = match primary.to_ascii_lowercase().as_str() {
        "en" => Some(Locale::En),
        "zh" => Some(Locale::ZhCn),
        _ => None,
    };
    assert_eq!(locale, expected, "{s:?}");
    if let Some(locale) = locale {
        assert_eq!(Locale::from_tag(locale.tag()), Some(locale));
        // The cookie holds `tag()`; serde names the same.
        let json = serde_json::to_string(&locale).unwrap();
        assert_eq!(json, format!("\"{}\"", locale.tag()));
    }
}

fn check_accept_language(header: &str) {
    let chosen = Locale::from_accept_language(header);
    if let Some(locale) = chosen {
        let named = header
            .split(',')
            .any(|part| part.split(';').next().and_then(Locale::from_tag) == Some(locale));
        assert!(named, "{locale:?} is not in {header:?}");
    }
    for noise in ["fr", "de-DE;q=1", "en;q=0", "zh;q=0.0", "xx;q=0.5", ""] {
        for variant in [format!("{header},{noise}"), format!("{noise},{header}")] {
            if noise.is_empty() && header.is_empty() {
                continue;
            }
            assert_eq!(
                Locale::from_accept_language(&variant),
                chosen,
                "{header:?} vs {variant:?}"
            );
        }
    }
}

fn check_names(s: &str) {
    let quoted = serde_json::to_string(s).unwrap();
    if let Some(role) = GroupRole::parse(s) {
        assert_eq!(role.as_str(), s);
    }
    assert_eq!(
        serde_json::from_str::<GroupRole>(&quoted).ok(),
        GroupRole::parse(s),
        "{s:?}"
    );
    let code = s.parse::<ErrorCode>().ok();
    if let Some(code) = code {
        assert_eq!(code.as_str(), s);
        assert!(!code.message(Locale::En).is_empty() && !code.message(Locale::ZhCn).is_empty());
    }
    assert_eq!(
        serde_json::from_str::<ErrorCode>(&quoted).ok(),
        code,
        "{s:?}"
    );
    assert_eq!(
        serde_json::from_str::<Locale>(&quoted)
            .ok()
            .map(Locale::tag),
        Some(s).filter(|s| *s == "en" || *s == "zh-CN")
    );
}
