//! Every piece of UI text, in English and Simplified Chinese, in one table.
//!
//! The locale is chosen on the server (the `penguin_lang` cookie, else `Accept-Language`)
//! and written into `<html lang>`; the browser starts from that attribute, so server and
//! client render the same text and hydration matches. Switching sets the cookie.

use leptos::prelude::*;
pub use penguin_protocol::Locale;

/// The cookie that remembers the user's choice.
pub const LOCALE_COOKIE: &str = "penguin_lang";

/// Declares [`Key`] and `Key::ALL` from one list, so a test can check that every key
/// is translated without a second list to keep in step.
macro_rules! keys {
    ($($key:ident),* $(,)?) => {
        #[derive(Debug, Clone, Copy, PartialEq, Eq)]
        pub enum Key { $($key),* }

        impl Key {
            pub const ALL: &'static [Key] = &[$(Key::$key),*];
        }
    };
}

keys! {
    AppTagline,
    NavSignIn,
    NavRegister,
    SwitchLanguage,
    HomeHeading,
    HomeIntro,
    ServerStatusHeading,
    CheckServer,
    Checking,
    ServerVersion,
    ServerDatabase,
    ServerSchema,
    ServerAccounts,
    SignInHeading,
    RegisterHeading,
    AccountsComingSoon,
    NotFoundHeading,
    NotFoundBody,
    BackHome,
}

impl Key {
    pub fn text(self, locale: Locale) -> &'static str {
        use Key::*;
        use Locale::*;
        match (self, locale) {
            (AppTagline, En) => "Chat for teams, schools and clubs",
            (AppTagline, ZhCn) => "为团队、学校和社团打造的聊天",
            (NavSignIn, En) => "Sign in",
            (NavSignIn, ZhCn) => "登录",
            (NavRegister, En) => "Create account",
            (NavRegister, ZhCn) => "注册",
            // Each option names itself in its own language, as language pickers do.
            (SwitchLanguage, En) => "中文",
            (SwitchLanguage, ZhCn) => "English",
            (HomeHeading, En) => "Welcome to Penguin",
            (HomeHeading, ZhCn) => "欢迎使用 Penguin",
            (HomeIntro, En) => {
                "Your own chat server: friends and groups, messages in real time, nothing to install."
            }
            (HomeIntro, ZhCn) => "属于你自己的聊天服务器：好友与群组，实时消息，无需安装。",
            (ServerStatusHeading, En) => "Server",
            (ServerStatusHeading, ZhCn) => "服务器",
            (CheckServer, En) => "Check server",
            (CheckServer, ZhCn) => "检查服务器",
            (Checking, En) => "Checking…",
            (Checking, ZhCn) => "正在检查…",
            (ServerVersion, En) => "Version",
            (ServerVersion, ZhCn) => "版本",
            (ServerDatabase, En) => "Database",
            (ServerDatabase, ZhCn) => "数据库",
            (ServerSchema, En) => "Schema",
            (ServerSchema, ZhCn) => "数据结构版本",
            (ServerAccounts, En) => "Accounts",
            (ServerAccounts, ZhCn) => "账号数",
            (SignInHeading, En) => "Sign in",
            (SignInHeading, ZhCn) => "登录",
            (RegisterHeading, En) => "Create account",
            (RegisterHeading, ZhCn) => "注册账号",
            (AccountsComingSoon, En) => {
                "Accounts are not open on this server yet: signing in and registering arrive in the next release."
            }
            (AccountsComingSoon, ZhCn) => "本服务器暂未开放账号：登录与注册将在下一个版本中提供。",
            (NotFoundHeading, En) => "Page not found",
            (NotFoundHeading, ZhCn) => "页面不存在",
            (NotFoundBody, En) => "There is nothing at this address.",
            (NotFoundBody, ZhCn) => "这个地址没有内容。",
            (BackHome, En) => "Back to the start page",
            (BackHome, ZhCn) => "返回首页",
        }
    }
}

/// The current locale, shared by the whole app through context.
#[derive(Debug, Clone, Copy)]
pub struct LocaleSignal(pub RwSignal<Locale>);

/// Creates the locale signal from the request (server) or the rendered page (browser).
pub fn provide_locale() -> RwSignal<Locale> {
    let locale = RwSignal::new(initial_locale());
    provide_context(LocaleSignal(locale));
    locale
}

pub fn use_locale() -> RwSignal<Locale> {
    use_context::<LocaleSignal>()
        .map(|LocaleSignal(signal)| signal)
        .unwrap_or_else(|| RwSignal::new(Locale::default()))
}

/// A reactive translator: `let t = use_i18n(); view! { {move || t(Key::HomeHeading)} }`.
pub fn use_i18n() -> impl Fn(Key) -> &'static str + Copy + Send + Sync + 'static {
    let locale = use_locale();
    move |key: Key| key.text(locale.get())
}

/// Switches the language and remembers it for a year.
pub fn set_locale(locale: Locale) {
    use_locale().set(locale);
    #[cfg(any(feature = "hydrate", feature = "csr"))]
    {
        use wasm_bindgen::JsCast;
        if let Some(document) = web_sys::window()
            .and_then(|w| w.document())
            .and_then(|d| d.dyn_into::<web_sys::HtmlDocument>().ok())
        {
            let cookie = format!(
                "{LOCALE_COOKIE}={}; Path=/; Max-Age=31536000; SameSite=Lax",
                locale.tag()
            );
            let _ = document.set_cookie(&cookie);
        }
    }
}

#[cfg(feature = "ssr")]
fn initial_locale() -> Locale {
    let Some(parts) = use_context::<http::request::Parts>() else {
        return Locale::default();
    };
    locale_from_headers(&parts.headers)
}

/// Cookie first (an explicit choice), then the browser's languages, then English.
#[cfg(feature = "ssr")]
pub fn locale_from_headers(headers: &http::HeaderMap) -> Locale {
    let from_cookie = headers
        .get_all(http::header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(name, _)| *name == LOCALE_COOKIE)
        .and_then(|(_, value)| Locale::from_tag(value));
    from_cookie
        .or_else(|| {
            headers
                .get(http::header::ACCEPT_LANGUAGE)
                .and_then(|v| v.to_str().ok())
                .and_then(Locale::from_accept_language)
        })
        .unwrap_or_default()
}

#[cfg(all(not(feature = "ssr"), any(feature = "hydrate", feature = "csr")))]
fn initial_locale() -> Locale {
    let document = web_sys::window().and_then(|w| w.document());
    // Hydration: the server already chose and wrote it into <html lang>.
    let rendered = document
        .as_ref()
        .and_then(|d| d.document_element())
        .and_then(|html| html.get_attribute("lang"))
        .and_then(|tag| Locale::from_tag(&tag));
    // Client-only (Trunk) builds have no server render: use the browser's language.
    rendered
        .or_else(|| {
            web_sys::window()
                .and_then(|w| w.navigator().language())
                .and_then(|tag| Locale::from_tag(&tag))
        })
        .unwrap_or_default()
}

#[cfg(not(any(feature = "ssr", feature = "hydrate", feature = "csr")))]
fn initial_locale() -> Locale {
    Locale::default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_key_is_translated() {
        for &key in Key::ALL {
            let en = key.text(Locale::En);
            let zh = key.text(Locale::ZhCn);
            assert!(!en.is_empty() && !zh.is_empty(), "{key:?}");
            assert_ne!(en, zh, "{key:?} is not translated");
        }
    }

    #[cfg(feature = "ssr")]
    #[test]
    fn cookie_beats_accept_language() {
        let mut headers = http::HeaderMap::new();
        headers.insert(
            http::header::ACCEPT_LANGUAGE,
            "zh-CN,zh;q=0.9".parse().unwrap(),
        );
        assert_eq!(locale_from_headers(&headers), Locale::ZhCn);
        headers.insert(
            http::header::COOKIE,
            "other=1; penguin_lang=en".parse().unwrap(),
        );
        assert_eq!(locale_from_headers(&headers), Locale::En);
        assert_eq!(locale_from_headers(&http::HeaderMap::new()), Locale::En);
    }
}
