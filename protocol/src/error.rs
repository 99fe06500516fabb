//! Error codes a client can receive, with their user-facing messages in every locale.
//!
//! The server maps its internal errors to one of these codes exactly once, at the edge
//! (HTTP handler, server function, WebSocket frame); the client shows `message(locale)`.
//! The log keeps the cause; the code and message never leak internals.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// The UI languages Penguin ships.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
pub enum Locale {
    #[default]
    #[serde(rename = "en")]
    En,
    #[serde(rename = "zh-CN")]
    ZhCn,
}

impl Locale {
    pub const ALL: [Locale; 2] = [Locale::En, Locale::ZhCn];

    /// The BCP 47 tag used in `<html lang>` and the `penguin_lang` cookie.
    pub fn tag(self) -> &'static str {
        match self {
            Self::En => "en",
            Self::ZhCn => "zh-CN",
        }
    }

    /// Parses a tag leniently (`zh`, `zh-CN`, `zh-Hans`, `en-GB`, …).
    pub fn from_tag(tag: &str) -> Option<Self> {
        let primary = tag.trim().split(['-', '_']).next()?.to_ascii_lowercase();
        match primary.as_str() {
            "en" => Some(Self::En),
            "zh" => Some(Self::ZhCn),
            _ => None,
        }
    }

    /// Picks the first supported language of an `Accept-Language` header, honouring
    /// q-values; `None` when nothing in it is supported.
    pub fn from_accept_language(header: &str) -> Option<Self> {
        let mut best: Option<(f32, Self)> = None;
        for part in header.split(',') {
            let mut pieces = part.split(';');
            let Some(locale) = pieces.next().and_then(Self::from_tag) else {
                continue;
            };
            let q = pieces
                .find_map(|p| p.trim().strip_prefix("q="))
                .and_then(|q| q.parse::<f32>().ok())
                .unwrap_or(1.0);
            if q > 0.0 && best.is_none_or(|(bq, _)| q > bq) {
                best = Some((q, locale));
            }
        }
        best.map(|(_, locale)| locale)
    }
}

impl fmt::Display for Locale {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.tag())
    }
}

/// Declares [`ErrorCode`] from one table: wire name, HTTP status and the message in each
/// locale, so adding a code is one line and nothing can fall out of step.
macro_rules! error_codes {
    ($(
        $(#[doc = $doc:literal])*
        $code:ident = $wire:literal, $status:literal, en: $en:literal, zh: $zh:literal;
    )*) => {
        /// Every failure a user can cause or meet, as a stable code on the wire.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
        #[serde(rename_all = "snake_case")]
        pub enum ErrorCode { $($(#[doc = $doc])* $code),* }

        impl ErrorCode {
            pub const ALL: &'static [ErrorCode] = &[$(Self::$code),*];

            /// The stable wire name (`snake_case`), identical to the serde form.
            pub fn as_str(self) -> &'static str {
                match self { $(Self::$code => $wire),* }
            }

            /// The HTTP status the edge answers with.
            pub fn http_status(self) -> u16 {
                match self { $(Self::$code => $status),* }
            }

            /// What the user reads.
            pub fn message(self, locale: Locale) -> &'static str {
                match (self, locale) {
                    $((Self::$code, Locale::En) => $en, (Self::$code, Locale::ZhCn) => $zh,)*
                }
            }
        }
    };
}

error_codes! {
    /// The request was malformed (bad JSON, missing field, wrong type).
    BadRequest = "bad_request", 400,
        en: "The request was not understood. Please try again.",
        zh: "请求无法识别，请重试。";
    /// The request came from another site (Origin / Sec-Fetch-Site check).
    CrossSiteRequest = "cross_site_request", 403,
        en: "This request came from another website and was refused.",
        zh: "该请求来自其他网站，已被拒绝。";
    /// The request body is larger than the server accepts.
    PayloadTooLarge = "payload_too_large", 413,
        en: "This is too large to send.",
        zh: "内容过大，无法发送。";
    /// Signing in is required.
    Unauthenticated = "unauthenticated", 401,
        en: "Please sign in first.",
        zh: "请先登录。";
    /// The thing does not exist, or the caller may not know that it does.
    NotFound = "not_found", 404,
        en: "Not found.",
        zh: "未找到。";
    /// The caller may see the thing but not do this to it (a member removing an admin).
    Forbidden = "forbidden", 403,
        en: "You are not allowed to do that.",
        zh: "你没有权限进行此操作。";
    /// Too many attempts from this account or address; try again later.
    TooManyAttempts = "too_many_attempts", 429,
        en: "Too many attempts. Please wait a few minutes and try again.",
        zh: "尝试次数过多，请等几分钟后再试。";
    /// Wrong username or wrong password: deliberately one answer for both.
    InvalidCredentials = "invalid_credentials", 401,
        en: "Wrong username or password.",
        zh: "用户名或密码错误。";
    /// An administrator disabled this account (told only after the right password).
    AccountDisabled = "account_disabled", 403,
        en: "This account has been disabled. Ask an administrator.",
        zh: "该账号已被停用，请联系管理员。";
    InvalidUsername = "invalid_username", 400,
        en: "Usernames have 3 to 32 characters: letters, digits, '_', '.' or '-', starting with a letter or digit.",
        zh: "用户名为 3 到 32 个字符：字母、数字、“_”、“.”或“-”，并以字母或数字开头。";
    UsernameTaken = "username_taken", 409,
        en: "This username is already taken.",
        zh: "该用户名已被占用。";
    InvalidDisplayName = "invalid_display_name", 400,
        en: "Display names have 1 to 64 characters on one line.",
        zh: "昵称为 1 到 64 个字符，且不能换行。";
    WeakPassword = "weak_password", 400,
        en: "Choose a password of at least 8 characters that is not a common password or your username.",
        zh: "请设置至少 8 个字符的密码，且不能是常见密码或与用户名相同。";
    InvalidEmail = "invalid_email", 400,
        en: "This is not a valid e-mail address.",
        zh: "电子邮件地址无效。";
    /// The address is verified on another account already.
    EmailTaken = "email_taken", 409,
        en: "This e-mail address belongs to another account.",
        zh: "该电子邮件地址已被其他账号使用。";
    /// Wrong, expired, used-up or already-used code: one answer for all.
    InvalidCode = "invalid_code", 400,
        en: "This code is wrong or has expired. Ask for a new one.",
        zh: "验证码错误或已过期，请重新获取。";
    /// No mail could be sent (the SMTP server refused or is unreachable).
    MailUnavailable = "mail_unavailable", 503,
        en: "The e-mail could not be sent. Please try again later.",
        zh: "邮件发送失败，请稍后再试。";
    CannotFriendYourself = "cannot_friend_yourself", 400,
        en: "You cannot add yourself as a friend.",
        zh: "不能添加自己为好友。";
    AlreadyFriends = "already_friends", 409,
        en: "You are already friends.",
        zh: "你们已经是好友了。";
    /// One of the two users blocked the other.
    Blocked = "blocked", 403,
        en: "This user cannot be reached: one of you has blocked the other.",
        zh: "无法联系该用户：你们之间存在屏蔽关系。";
    NotFriends = "not_friends", 403,
        en: "You can only do this with your friends.",
        zh: "只能对好友进行此操作。";
    InvalidGroupName = "invalid_group_name", 400,
        en: "Group names have 1 to 64 characters on one line.",
        zh: "群名称为 1 到 64 个字符，且不能换行。";
    InvalidGroupDescription = "invalid_group_description", 400,
        en: "Group descriptions have at most 500 characters.",
        zh: "群简介最多 500 个字符。";
    GroupNameTaken = "group_name_taken", 409,
        en: "A group with this name already exists.",
        zh: "已存在同名的群。";
    InvalidMemberLimit = "invalid_member_limit", 400,
        en: "This member limit is not allowed on this server.",
        zh: "本服务器不允许设置该成员上限。";
    GroupFull = "group_full", 409,
        en: "This group is full.",
        zh: "该群已满员。";
    AlreadyMember = "already_member", 409,
        en: "Already a member of this group.",
        zh: "已经是该群成员。";
    InvalidInviteCode = "invalid_invite_code", 404,
        en: "This invite code is not valid. Ask a group admin for a new one.",
        zh: "邀请码无效，请向群管理员索取新的邀请码。";
    /// The owner tried to leave: ownership must go to someone first.
    OwnerCannotLeave = "owner_cannot_leave", 409,
        en: "The owner cannot leave the group: transfer it to another member or disband it.",
        zh: "群主不能退群：请先转让群或解散群。";
    /// A message that is empty or longer than the server's limit.
    InvalidMessage = "invalid_message", 400,
        en: "Messages cannot be empty or longer than the limit (4,000 characters by default).",
        zh: "消息不能为空，也不能超过长度上限（默认 4000 个字符）。";
    /// The client's message id is missing or malformed.
    InvalidClientId = "invalid_client_id", 400,
        en: "The message id sent by the app is not valid.",
        zh: "应用发送的消息编号无效。";
    /// Too many messages in a short time from one user (all connections and HTTP).
    RateLimited = "rate_limited", 429,
        en: "You are sending too fast. Wait a moment and try again.",
        zh: "发送太快了，请稍等片刻再试。";
    /// The server could not reach its database or another dependency.
    Unavailable = "unavailable", 503,
        en: "The server is busy or its database is unreachable. Please try again shortly.",
        zh: "服务器繁忙或数据库暂时无法访问，请稍后再试。";
    /// Anything else; the server log has the details.
    Internal = "internal", 500,
        en: "Something went wrong on the server.",
        zh: "服务器出错了。";
    /// Produced by clients, never sent by the server: the server could not be reached.
    NetworkError = "network_error", 502,
        en: "Cannot reach the server. Check your connection and try again.",
        zh: "无法连接服务器，请检查网络后重试。";
}

impl fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl std::error::Error for ErrorCode {}

impl FromStr for ErrorCode {
    type Err = UnknownErrorCode;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::ALL
            .iter()
            .copied()
            .find(|code| code.as_str() == s)
            .ok_or_else(|| UnknownErrorCode(s.to_owned()))
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown error code `{0}`")]
pub struct UnknownErrorCode(pub String);

/// The JSON body of an error answer from any HTTP endpoint of Penguin.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ErrorBody {
    pub code: ErrorCode,
    pub message: String,
}

impl ErrorBody {
    pub fn new(code: ErrorCode, locale: Locale) -> Self {
        Self {
            code,
            message: code.message(locale).to_owned(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wire_names_match_serde_and_parse_back() {
        for &code in ErrorCode::ALL {
            let json = serde_json::to_string(&code).unwrap();
            assert_eq!(json, format!("\"{}\"", code.as_str()));
            assert_eq!(code.as_str().parse::<ErrorCode>().unwrap(), code);
            assert_eq!(code.to_string(), code.as_str());
        }
        assert!("nope".parse::<ErrorCode>().is_err());
    }

    #[test]
    fn every_code_has_a_message_in_every_locale() {
        for &code in ErrorCode::ALL {
            let en = code.message(Locale::En);
            let zh = code.message(Locale::ZhCn);
            assert!(!en.is_empty() && !zh.is_empty());
            assert_ne!(en, zh, "{code} is not translated");
        }
    }

    #[test]
    fn accept_language_honours_order_and_q_values() {
        assert_eq!(
            Locale::from_accept_language("zh-CN,zh;q=0.9,en;q=0.8"),
            Some(Locale::ZhCn)
        );
        assert_eq!(
            Locale::from_accept_language("fr-FR, en;q=0.5, zh;q=0.4"),
            Some(Locale::En)
        );
        assert_eq!(
            Locale::from_accept_language("en;q=0.2, zh-Hans;q=0.7"),
            Some(Locale::ZhCn)
        );
        assert_eq!(Locale::from_accept_language("fr, de"), None);
        assert_eq!(Locale::from_accept_language("zh;q=0"), None);
        assert_eq!(Locale::from_accept_language(""), None);
    }

    #[test]
    fn locale_tags_round_trip() {
        for locale in Locale::ALL {
            assert_eq!(Locale::from_tag(locale.tag()), Some(locale));
            let json = serde_json::to_string(&locale).unwrap();
            assert_eq!(json, format!("\"{}\"", locale.tag()));
        }
    }
}
