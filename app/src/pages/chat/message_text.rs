//! A message body as the user typed it: text nodes only, except web links, which
//! become `<a>` elements whose `href` is an `http(s)` URL (so `javascript:` and other
//! schemes stay text) and which open in a new tab without access to this one.

use leptos::prelude::*;
use linkify::{LinkFinder, LinkKind};

/// One piece of a body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Piece<'a> {
    Text(&'a str),
    /// The text shown and the address it opens.
    Link(&'a str, String),
}

/// Splits `body` into text and safe web links.
pub fn pieces(body: &str) -> Vec<Piece<'_>> {
    let mut finder = LinkFinder::new();
    finder.kinds(&[LinkKind::Url]).url_must_have_scheme(false);
    let mut out = Vec::new();
    for span in finder.spans(body) {
        let text = span.as_str();
        let href = match span.kind() {
            Some(LinkKind::Url) => web_address(text),
            _ => None,
        };
        let piece = match href {
            Some(href) => Piece::Link(text, href),
            None => Piece::Text(text),
        };
        // Neighbouring text pieces (a refused link) are joined, for fewer nodes.
        match (out.last_mut(), piece) {
            (Some(Piece::Text(previous)), Piece::Text(next)) => {
                let start = previous.as_ptr() as usize - body.as_ptr() as usize;
                *previous = &body[start..start + previous.len() + next.len()];
            }
            (_, piece) => out.push(piece),
        }
    }
    out
}

/// The address a found link opens: http and https as written, a bare `www.` address
/// over https; anything else (other schemes, `file.txt`) is no link.
fn web_address(text: &str) -> Option<String> {
    let lower = text.to_ascii_lowercase();
    if lower.starts_with("http://") || lower.starts_with("https://") {
        Some(text.to_owned())
    } else if lower.starts_with("www.") {
        Some(format!("https://{text}"))
    } else {
        None
    }
}

#[component]
pub fn MessageText(body: String) -> impl IntoView {
    pieces(&body)
        .into_iter()
        .map(|piece| match piece {
            Piece::Text(text) => text.to_owned().into_any(),
            Piece::Link(text, href) => view! {
                <a href=href target="_blank" rel="noopener noreferrer nofollow">
                    {text.to_owned()}
                </a>
            }
            .into_any(),
        })
        .collect_view()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn links_become_web_addresses_only() {
        assert_eq!(
            pieces("see https://example.org/a?b=1, ok"),
            vec![
                Piece::Text("see "),
                Piece::Link(
                    "https://example.org/a?b=1",
                    "https://example.org/a?b=1".into()
                ),
                Piece::Text(", ok"),
            ]
        );
        assert_eq!(
            pieces("www.example.org"),
            vec![Piece::Link(
                "www.example.org",
                "https://www.example.org".into()
            )]
        );
        for hostile in [
            "javascript:alert(1)",
            "JAVASCRIPT://example.org/%0aalert(1)",
            "data:text/html,<script>alert(1)</script>",
            "<a href=\"javascript:alert(1)\">x</a>",
            "mailto:a@example.org",
            "notes.txt",
        ] {
            for piece in pieces(hostile) {
                if let Piece::Link(_, href) = piece {
                    panic!("{hostile} became a link to {href}");
                }
            }
        }
    }

    #[test]
    fn text_is_kept_exactly() {
        for body in ["<b>bold</b> & co", "a\nb  c", "emoji 🐧 and 中文", ""] {
            let joined: String = pieces(body)
                .iter()
                .map(|p| match p {
                    Piece::Text(t) | Piece::Link(t, _) => *t,
                })
                .collect();
            assert_eq!(joined, body);
        }
    }
}
