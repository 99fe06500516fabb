//! The emoji picker's set: built in, so it works without any network, and small enough
//! to show at once. Each with the English name screen readers and tooltips use.

pub const EMOJI: &[(&str, &str)] = &[
    ("😀", "grinning face"),
    ("😂", "face with tears of joy"),
    ("🤣", "rolling on the floor laughing"),
    ("😊", "smiling face with smiling eyes"),
    ("😍", "smiling face with heart-eyes"),
    ("😘", "face blowing a kiss"),
    ("😉", "winking face"),
    ("😎", "smiling face with sunglasses"),
    ("🤔", "thinking face"),
    ("😅", "grinning face with sweat"),
    ("😇", "smiling face with halo"),
    ("🙂", "slightly smiling face"),
    ("🙃", "upside-down face"),
    ("😴", "sleeping face"),
    ("😭", "loudly crying face"),
    ("😢", "crying face"),
    ("😡", "enraged face"),
    ("😱", "face screaming in fear"),
    ("😳", "flushed face"),
    ("🤗", "smiling face with open hands"),
    ("🤭", "face with hand over mouth"),
    ("🙄", "face with rolling eyes"),
    ("😬", "grimacing face"),
    ("🥳", "partying face"),
    ("🥺", "pleading face"),
    ("😋", "face savoring food"),
    ("🤤", "drooling face"),
    ("😷", "face with medical mask"),
    ("🤒", "face with thermometer"),
    ("🤯", "exploding head"),
    ("👍", "thumbs up"),
    ("👎", "thumbs down"),
    ("👏", "clapping hands"),
    ("🙏", "folded hands"),
    ("🤝", "handshake"),
    ("👋", "waving hand"),
    ("✌️", "victory hand"),
    ("👌", "OK hand"),
    ("💪", "flexed biceps"),
    ("🙌", "raising hands"),
    ("❤️", "red heart"),
    ("💔", "broken heart"),
    ("💯", "hundred points"),
    ("🔥", "fire"),
    ("✨", "sparkles"),
    ("🎉", "party popper"),
    ("🎂", "birthday cake"),
    ("🎁", "wrapped gift"),
    ("🌹", "rose"),
    ("🌞", "sun with face"),
    ("🌙", "crescent moon"),
    ("⭐", "star"),
    ("☕", "hot beverage"),
    ("🍵", "teacup without handle"),
    ("🍺", "beer mug"),
    ("🍉", "watermelon"),
    ("🍜", "steaming bowl"),
    ("🐧", "penguin"),
    ("🐱", "cat face"),
    ("🐶", "dog face"),
    ("🐼", "panda"),
    ("🐷", "pig face"),
    ("⚽", "soccer ball"),
    ("🏀", "basketball"),
    ("📚", "books"),
    ("✅", "check mark button"),
    ("❌", "cross mark"),
    ("❓", "red question mark"),
    ("💤", "zzz"),
    ("👀", "eyes"),
];

#[cfg(test)]
mod tests {
    use super::EMOJI;

    #[test]
    fn each_emoji_once_with_a_name() {
        let mut seen = std::collections::HashSet::new();
        for (emoji, name) in EMOJI {
            assert!(seen.insert(emoji), "{emoji} twice");
            assert!(!name.is_empty() && !emoji.is_empty());
            assert!(!emoji.is_ascii());
        }
    }
}
