//! A contact's picture without pictures: initials on a colour that stays the same for
//! the same friend or group (from its id, so a rename keeps the colour).

use leptos::prelude::*;

#[component]
pub fn Avatar(
    #[prop(into)] name: String,
    /// The user's or group's id.
    id: i64,
    #[prop(optional)] group: bool,
) -> impl IntoView {
    let style = format!("--avatar-hue: {}", hue(id, group));
    view! {
        <span class="avatar" class:group=group style=style aria-hidden="true">
            {initials(&name)}
        </span>
    }
}

/// Up to two letters: the first of the first two words ("Alice Liu" → "AL"), or the
/// first character of a name without spaces ("张三" → "张", "bob" → "B").
pub fn initials(name: &str) -> String {
    let mut words = name.split_whitespace();
    let first = words.next().and_then(|w| w.chars().next());
    let second = words.next().and_then(|w| w.chars().next());
    [first, second]
        .into_iter()
        .flatten()
        .flat_map(char::to_uppercase)
        .collect()
}

/// A hue in degrees, spread over the circle by a multiplicative hash, so neighbouring
/// ids get distant colours; groups and users with the same id differ.
pub fn hue(id: i64, group: bool) -> u32 {
    let key = (id as u64).wrapping_mul(2).wrapping_add(u64::from(group));
    let mixed = key.wrapping_mul(0x9E37_79B9_7F4A_7C15);
    ((mixed >> 32) % 360) as u32
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn initials_of_names() {
        assert_eq!(initials("Alice Liu"), "AL");
        assert_eq!(initials("bob"), "B");
        assert_eq!(initials("  张三 "), "张");
        assert_eq!(initials("émile zola extra"), "ÉZ");
        assert_eq!(initials(""), "");
    }

    #[test]
    fn hues_are_stable_and_spread() {
        assert_eq!(hue(7, false), hue(7, false));
        assert_ne!(hue(7, false), hue(7, true));
        let hues: std::collections::HashSet<u32> = (1..=20).map(|id| hue(id, false)).collect();
        assert!(hues.len() >= 15, "{hues:?}");
        assert!(hues.iter().all(|h| *h < 360));
    }
}
