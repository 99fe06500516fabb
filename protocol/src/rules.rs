//! Input rules shared by the server (which enforces them) and the browser (which checks
//! them before sending, for an immediate message). Each function returns the normalized
//! value to store, or the error code the user sees.

use crate::ErrorCode;

pub const USERNAME_MIN_CHARS: usize = 3;
pub const USERNAME_MAX_CHARS: usize = 32;
pub const DISPLAY_NAME_MAX_CHARS: usize = 64;
pub const PASSWORD_MIN_CHARS: usize = 8;
/// Argon2 accepts more, but a cap keeps a single sign-in attempt cheap to refuse.
pub const PASSWORD_MAX_BYTES: usize = 1024;
pub const GROUP_NAME_MAX_CHARS: usize = 64;
pub const GROUP_DESCRIPTION_MAX_CHARS: usize = 500;
pub const SEARCH_MAX_CHARS: usize = 64;

/// Passwords refused outright: the head of every leaked-password list, plus the
/// product's own name. A short list on purpose: length does most of the work.
const COMMON_PASSWORDS: &[&str] = &[
    "12345678",
    "123456789",
    "1234567890",
    "password",
    "password1",
    "password123",
    "qwertyui",
    "qwerty123",
    "11111111",
    "00000000",
    "88888888",
    "abcd1234",
    "iloveyou",
    "1q2w3e4r",
    "12341234",
    "abc12345",
    "admin123",
    "welcome1",
    "sunshine",
    "princess",
    "football",
    "baseball",
    "penguin1",
    "penguin123",
    "woaini1314",
    "a1234567",
    "aa123456",
    "qwertyuiop",
    "asdfghjk",
    "zxcvbnm1",
    "passw0rd",
    "letmein1",
];

/// Lower-cased; ASCII letters, digits, `_`, `.` and `-`; 3 to 32 characters; starts with
/// a letter or digit. Lower-casing makes `Alice` and `alice` the same account.
pub fn username(input: &str) -> Result<String, ErrorCode> {
    let name = input.trim().to_ascii_lowercase();
    let len = name.chars().count();
    let allowed = |c: char| c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-');
    let valid = (USERNAME_MIN_CHARS..=USERNAME_MAX_CHARS).contains(&len)
        && name.chars().all(allowed)
        && name.starts_with(|c: char| c.is_ascii_alphanumeric());
    if valid {
        Ok(name)
    } else {
        Err(ErrorCode::InvalidUsername)
    }
}

/// Trimmed; 1 to 64 characters; no control characters (newlines, bidi overrides stay
/// text but a line break in a name breaks every list it appears in).
pub fn display_name(input: &str) -> Result<String, ErrorCode> {
    single_line_text(input, DISPLAY_NAME_MAX_CHARS).ok_or(ErrorCode::InvalidDisplayName)
}

pub fn group_name(input: &str) -> Result<String, ErrorCode> {
    single_line_text(input, GROUP_NAME_MAX_CHARS).ok_or(ErrorCode::InvalidGroupName)
}

/// Trimmed; may be empty; at most 500 characters; line breaks allowed.
pub fn group_description(input: &str) -> Result<String, ErrorCode> {
    let text = input.trim().replace("\r\n", "\n");
    let ok = text.chars().count() <= GROUP_DESCRIPTION_MAX_CHARS
        && text.chars().all(|c| !c.is_control() || c == '\n');
    if ok {
        Ok(text)
    } else {
        Err(ErrorCode::InvalidGroupDescription)
    }
}

/// At least 8 characters, at most 1 KiB, not a well-known password, not the username.
pub fn password(password: &str, username: &str) -> Result<(), ErrorCode> {
    if password.len() > PASSWORD_MAX_BYTES {
        return Err(ErrorCode::WeakPassword);
    }
    let lower = password.to_lowercase();
    let weak = password.chars().count() < PASSWORD_MIN_CHARS
        || COMMON_PASSWORDS.contains(&lower.as_str())
        || lower == username.trim().to_lowercase()
        || password.chars().all(|c| password.starts_with(c));
    if weak {
        Err(ErrorCode::WeakPassword)
    } else {
        Ok(())
    }
}

/// Trimmed search text, 1 to 64 characters.
pub fn search_query(input: &str) -> Result<String, ErrorCode> {
    let query = input.trim();
    let len = query.chars().count();
    if (1..=SEARCH_MAX_CHARS).contains(&len) {
        Ok(query.to_owned())
    } else {
        Err(ErrorCode::BadRequest)
    }
}

pub const EMAIL_MAX_CHARS: usize = 254;

/// An e-mail address, trimmed and lower-cased: one `@`, a non-empty local part, a domain
/// with a dot, no spaces or control characters, at most 254 characters. (The server also
/// parses it as an RFC 5321 mailbox before sending.)
pub fn email(input: &str) -> Result<String, ErrorCode> {
    let email = input.trim().to_lowercase();
    let valid = email.len() <= EMAIL_MAX_CHARS
        && !email.chars().any(|c| c.is_whitespace() || c.is_control())
        && matches!(email.split_once('@'), Some((local, domain))
            if !local.is_empty() && !domain.contains('@') && domain.contains('.')
                && !domain.starts_with('.') && !domain.ends_with('.'));
    if valid {
        Ok(email)
    } else {
        Err(ErrorCode::InvalidEmail)
    }
}

/// A code from an e-mail: six digits; spaces the user typed are ignored.
pub fn email_code(input: &str) -> Result<String, ErrorCode> {
    let code: String = input.chars().filter(|c| !c.is_whitespace()).collect();
    if code.len() == 6 && code.bytes().all(|b| b.is_ascii_digit()) {
        Ok(code)
    } else {
        Err(ErrorCode::InvalidCode)
    }
}

/// A message as typed: not blank, at most `max_chars` characters. Kept exactly as sent
/// (no trimming): what the sender typed is what everyone reads.
pub fn message_body(body: &str, max_chars: usize) -> Result<(), ErrorCode> {
    let blank = body.trim().is_empty();
    if blank || body.chars().count() > max_chars || body.contains('\0') {
        Err(ErrorCode::InvalidMessage)
    } else {
        Ok(())
    }
}

/// A client's message id: 1 to 64 of `A-Z a-z 0-9 - _` (a UUID fits).
pub fn client_id(id: &str) -> Result<(), ErrorCode> {
    let ok = (1..=crate::messages::MAX_CLIENT_ID_CHARS).contains(&id.len())
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
    if ok {
        Ok(())
    } else {
        Err(ErrorCode::InvalidClientId)
    }
}

fn single_line_text(input: &str, max_chars: usize) -> Option<String> {
    let text = input.trim();
    let len = text.chars().count();
    ((1..=max_chars).contains(&len) && !text.chars().any(char::is_control)).then(|| text.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn usernames_are_normalized_and_checked() {
        assert_eq!(username("  Alice_01 ").unwrap(), "alice_01");
        assert_eq!(username("bob.smith-2").unwrap(), "bob.smith-2");
        for bad in [
            "ab",
            "",
            "_alice",
            "al ice",
            "ali<ce>",
            "张三三",
            &"a".repeat(33),
        ] {
            assert_eq!(username(bad), Err(ErrorCode::InvalidUsername), "{bad:?}");
        }
    }

    #[test]
    fn display_names_are_single_line_text() {
        assert_eq!(display_name("  张三 <b>  ").unwrap(), "张三 <b>");
        assert_eq!(display_name(&"名".repeat(64)).unwrap().chars().count(), 64);
        for bad in ["", "   ", "two\nlines", "tab\there", &"x".repeat(65)] {
            assert_eq!(
                display_name(bad),
                Err(ErrorCode::InvalidDisplayName),
                "{bad:?}"
            );
        }
    }

    #[test]
    fn weak_passwords_are_refused() {
        assert!(password("correct horse", "alice").is_ok());
        assert!(password("长城长城长城长城", "alice").is_ok());
        for weak in ["short", "password", "PASSWORD1", "aaaaaaaaaa", "alice_long"] {
            assert_eq!(
                password(weak, "alice_long"),
                Err(ErrorCode::WeakPassword),
                "{weak}"
            );
        }
        assert_eq!(
            password(&"x".repeat(1025), "alice"),
            Err(ErrorCode::WeakPassword)
        );
    }

    #[test]
    fn messages_and_client_ids() {
        assert!(message_body(" <b>hi</b> \n", 4000).is_ok());
        assert!(message_body(&"字".repeat(4000), 4000).is_ok());
        for bad in ["", "  \n ", "nul\0"] {
            assert_eq!(
                message_body(bad, 4000),
                Err(ErrorCode::InvalidMessage),
                "{bad:?}"
            );
        }
        assert_eq!(
            message_body(&"a".repeat(4001), 4000),
            Err(ErrorCode::InvalidMessage)
        );
        assert!(client_id("0b7c6f1e-3c1a-4a57-9d0e-2f7a3b1c9e11").is_ok());
        for bad in ["", "has space", "ü", &"x".repeat(65)] {
            assert_eq!(client_id(bad), Err(ErrorCode::InvalidClientId), "{bad:?}");
        }
    }

    #[test]
    fn emails_and_codes() {
        assert_eq!(email(" Alice@Example.ORG ").unwrap(), "alice@example.org");
        for bad in [
            "",
            "alice",
            "@example.org",
            "alice@",
            "alice@example",
            "a b@example.org",
            "a@b@c.org",
            "alice@.org",
        ] {
            assert_eq!(email(bad), Err(ErrorCode::InvalidEmail), "{bad:?}");
        }
        assert_eq!(email_code(" 123 456 ").unwrap(), "123456");
        for bad in ["12345", "1234567", "12345a", ""] {
            assert_eq!(email_code(bad), Err(ErrorCode::InvalidCode), "{bad:?}");
        }
    }

    #[test]
    fn group_texts() {
        assert_eq!(group_name(" Chess club ").unwrap(), "Chess club");
        assert_eq!(group_name(""), Err(ErrorCode::InvalidGroupName));
        assert_eq!(group_description("").unwrap(), "");
        assert_eq!(group_description("a\r\nb").unwrap(), "a\nb");
        assert_eq!(
            group_description(&"d".repeat(501)),
            Err(ErrorCode::InvalidGroupDescription)
        );
    }
}
