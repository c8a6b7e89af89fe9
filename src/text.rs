//! Text shaping for terminals: one line, a fixed display width, no control characters.
//!
//! Contact names carry emoji, CJK and right-to-left scripts, and messages carry newlines; a
//! column sized in `char`s or bytes would break the layout, so everything is measured in
//! terminal cells.

use unicode_width::{UnicodeWidthChar, UnicodeWidthStr};

/// Folds line breaks and other control characters into single spaces so text stays on one row.
pub fn single_line(text: &str) -> String {
    let mut line = String::with_capacity(text.len());
    let mut last_was_space = false;
    for character in text.chars() {
        let character = if character.is_control() {
            ' '
        } else {
            character
        };
        if character == ' ' && last_was_space {
            continue;
        }
        last_was_space = character == ' ';
        line.push(character);
    }
    line.trim().to_owned()
}

/// `12345` as `12,345`: counts that reach the millions are read at a glance.
pub fn thousands(number: u64) -> String {
    let digits = number.to_string();
    let mut grouped = String::with_capacity(digits.len() + digits.len() / 3);
    for (index, digit) in digits.chars().enumerate() {
        if index > 0 && (digits.len() - index).is_multiple_of(3) {
            grouped.push(',');
        }
        grouped.push(digit);
    }
    grouped
}

/// `text` on one line, cut with `…` to at most `width` cells and padded with spaces to exactly
/// `width` cells.
pub fn fit_width(text: &str, width: usize) -> String {
    let line = single_line(text);
    let mut fitted = String::with_capacity(width);
    let mut used = 0;
    if line.width() <= width {
        fitted.push_str(&line);
        used = line.width();
    } else if width > 0 {
        for character in line.chars() {
            let cells = character.width().unwrap_or(0);
            if used + cells > width - 1 {
                break;
            }
            fitted.push(character);
            used += cells;
        }
        fitted.push('…');
        used += 1;
    }
    fitted.extend(std::iter::repeat_n(' ', width.saturating_sub(used)));
    fitted
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_are_grouped_by_thousands() {
        let grouped: Vec<String> = [0, 7, 999, 1000, 12345, 1_000_000]
            .into_iter()
            .map(thousands)
            .collect();
        assert_eq!(grouped, ["0", "7", "999", "1,000", "12,345", "1,000,000"]);
    }

    #[test]
    fn wide_characters_are_cut_by_cells() {
        let fitted = fit_width("王小明王小明", 7);
        assert_eq!(fitted, "王小明…");
        assert_eq!(fitted.width(), 7);
        assert_eq!(fit_width("Zoë 🌸 Smith", 6).width(), 6);
    }

    #[test]
    fn newlines_become_spaces() {
        assert_eq!(
            single_line("Hi!\nHow can\r\n I help?"),
            "Hi! How can I help?"
        );
        assert_eq!(fit_width("a\nb", 5), "a b  ");
    }
}
