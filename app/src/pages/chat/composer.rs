//! Writing a message: Enter sends, Shift+Enter starts a new line (and Enter while an
//! input method is composing belongs to it), an emoji picker that inserts at the caret,
//! and the draft kept per chat while the user looks at other chats.

use super::emoji::EMOJI;
use crate::i18n::{Key, use_i18n};
use crate::realtime::use_realtime;
use leptos::html;
use leptos::prelude::*;
use penguin_protocol::Destination;

/// The longest message the box accepts (the server's limit, in characters).
const MAX_CHARS: usize = 4000;

#[component]
pub fn Composer(to: Destination) -> impl IntoView {
    let t = use_i18n();
    let realtime = use_realtime();
    let draft = realtime
        .drafts
        .with_value(|d| d.get(&to).cloned())
        .unwrap_or_default();
    let text = RwSignal::new(draft);
    let keep_draft = move |value: &str| {
        realtime.drafts.update_value(|d| {
            if value.is_empty() {
                d.remove(&to);
            } else {
                d.insert(to, value.to_owned());
            }
        })
    };
    let textarea = NodeRef::<html::Textarea>::new();
    let picker_open = RwSignal::new(false);
    let emoji_button = NodeRef::<html::Button>::new();

    let focus_box = move || {
        if let Some(element) = textarea.get_untracked() {
            let _ = element.focus();
        }
    };
    // Ready to type as soon as the chat opens.
    Effect::new(move |_| {
        if textarea.get().is_some() {
            focus_box();
        }
    });

    let submit = move || {
        let body = text.get_untracked();
        if body.trim().is_empty() {
            return;
        }
        realtime.send(to, body);
        text.set(String::new());
        keep_draft("");
        focus_box();
    };
    let on_keydown = move |event: leptos::ev::KeyboardEvent| {
        if event.key() == "Enter" && !event.shift_key() && !event.is_composing() {
            event.prevent_default();
            submit();
        }
    };
    let insert = move |emoji: &str| {
        let current = text.get_untracked();
        // The caret, in UTF-16 units as the browser counts them.
        let (start, end) = textarea
            .get_untracked()
            .map(|element| {
                let start = element.selection_start().ok().flatten();
                let end = element.selection_end().ok().flatten();
                (start, end)
            })
            .unwrap_or((None, None));
        let total = current.encode_utf16().count() as u32;
        let (start, end) = (start.unwrap_or(total), end.unwrap_or(total));
        let at = |units: u32| byte_index(&current, units);
        let (before, after) = (
            &current[..at(start.min(end))],
            &current[at(start.max(end))..],
        );
        let next = format!("{before}{emoji}{after}");
        let caret = (before.encode_utf16().count() + emoji.encode_utf16().count()) as u32;
        text.set(next.clone());
        keep_draft(&next);
        picker_open.set(false);
        request_animation_frame(move || {
            if let Some(element) = textarea.get_untracked() {
                let _ = element.focus();
                let _ = element.set_selection_range(caret, caret);
            }
        });
    };
    let close_picker = move || {
        picker_open.set(false);
        if let Some(button) = emoji_button.get_untracked() {
            let _ = button.focus();
        }
    };

    view! {
        <form
            class="composer"
            on:submit=move |event: leptos::ev::SubmitEvent| {
                event.prevent_default();
                submit();
            }
        >
            <div class="composer-tools">
                <button
                    type="button"
                    class="icon-button"
                    node_ref=emoji_button
                    aria-label=move || t(Key::EmojiButton)
                    title=move || t(Key::EmojiButton)
                    aria-haspopup="dialog"
                    aria-expanded=move || picker_open.get().to_string()
                    aria-controls="emoji-picker"
                    on:click=move |_| picker_open.update(|open| *open = !*open)
                >
                    "😊"
                </button>
                <Show when=move || picker_open.get()>
                    <div
                        id="emoji-picker"
                        class="emoji-picker"
                        role="dialog"
                        aria-label=move || t(Key::EmojiPicker)
                        on:keydown=move |event: leptos::ev::KeyboardEvent| {
                            if event.key() == "Escape" {
                                event.prevent_default();
                                close_picker();
                            }
                        }
                    >
                        {EMOJI
                            .iter()
                            .map(|(emoji, name)| {
                                view! {
                                    <button
                                        type="button"
                                        class="emoji"
                                        aria-label=*name
                                        title=*name
                                        on:click=move |_| insert(emoji)
                                    >
                                        {*emoji}
                                    </button>
                                }
                            })
                            .collect_view()}
                    </div>
                </Show>
            </div>
            <textarea
                name="message"
                rows="2"
                node_ref=textarea
                aria-label=move || t(Key::MessageLabel)
                placeholder=move || t(Key::ChatComposerHint)
                maxlength=MAX_CHARS.to_string()
                prop:value=move || text.get()
                on:input:target=move |event| {
                    let value = event.target().value();
                    keep_draft(&value);
                    text.set(value);
                    realtime.typing_to(to);
                }
                on:keydown=on_keydown
            ></textarea>
            <button type="submit">{move || t(Key::SendButton)}</button>
        </form>
    }
}

/// The byte index of the `units`-th UTF-16 unit of `text` (its end when beyond), never
/// inside a character.
fn byte_index(text: &str, units: u32) -> usize {
    let mut counted = 0u32;
    for (index, c) in text.char_indices() {
        if counted >= units {
            return index;
        }
        counted += c.len_utf16() as u32;
    }
    text.len()
}

#[cfg(test)]
mod tests {
    use super::byte_index;

    #[test]
    fn utf16_positions_map_to_char_boundaries() {
        let text = "a🐧b中";
        assert_eq!(byte_index(text, 0), 0);
        assert_eq!(byte_index(text, 1), 1);
        // Inside the surrogate pair: after the penguin.
        assert_eq!(byte_index(text, 2), 5);
        assert_eq!(byte_index(text, 3), 5);
        assert_eq!(byte_index(text, 4), 6);
        assert_eq!(byte_index(text, 5), text.len());
        assert_eq!(byte_index(text, 99), text.len());
    }
}
