//! Text shaping for terminals: one line, a fixed display width, no control characters.
//!
//! Contact names carry emoji, CJK and right-to-left scripts, and messages carry newlines; a
//! column sized in `char`s or bytes would break the layout, so everything is measured in
//! terminal cells.

use std::borrow::Cow;

use unicode_width::UnicodeWidthStr;

/// Characters that change how a terminal lays text out without showing anything: zero-width
/// spaces and joiners, direction marks, embeddings, overrides and isolates, the byte-order mark.
/// Typed by anonymous visitors, they shift columns, leave stale cells and reorder what a row
/// seems to say.
pub fn is_invisible_format(character: char) -> bool {
    matches!(
        character,
        '\u{200B}'..='\u{200F}'
            | '\u{202A}'..='\u{202E}'
            | '\u{2060}'..='\u{2064}'
            | '\u{2066}'..='\u{2069}'
            | '\u{061C}'
            | '\u{180E}'
            | '\u{FEFF}'
    )
}

/// Unicode's line and paragraph separators, which some terminals treat as a line break.
fn is_line_separator(character: char) -> bool {
    matches!(character, '\u{2028}' | '\u{2029}')
}

/// Whether `character` must not reach a terminal as it is: a C0 control other than newline and
/// tab, DEL, a C1 control (U+0080-U+009F, U+009B being a one-character CSI), or one of the
/// invisible layout characters.
pub fn is_terminal_hazard(character: char) -> bool {
    (character.is_control() && !matches!(character, '\n' | '\t'))
        || is_invisible_format(character)
        || is_line_separator(character)
}

/// `character` as a visible escape: `\x1b` for C0 and DEL, `\u{9b}` for the rest. The log
/// escapes with it too.
pub fn push_escaped(out: &mut String, character: char) {
    use std::fmt::Write;
    let code = u32::from(character);
    // Writing to a String cannot fail.
    let _ = if code < 0x80 {
        write!(out, "\\x{code:02x}")
    } else {
        write!(out, "\\u{{{code:x}}}")
    };
}

/// The one rule for text bound for a terminal (stderr, the table, a CSV on screen): everything
/// `is_terminal_hazard` names becomes a visible escape, so server text can neither drive the
/// terminal (clear it, retitle it, write the clipboard) nor rearrange what it shows.
pub fn terminal_safe(text: &str) -> Cow<'_, str> {
    if !text.chars().any(is_terminal_hazard) {
        return Cow::Borrowed(text);
    }
    let mut safe = String::with_capacity(text.len() + 16);
    for character in text.chars() {
        if is_terminal_hazard(character) {
            push_escaped(&mut safe, character);
        } else {
            safe.push(character);
        }
    }
    Cow::Owned(safe)
}

/// A TSV cell, lossless and safe to print: a backslash is doubled, a tab, newline and carriage
/// return are written `\t`, `\n`, `\r`, and every other hazard (see `is_terminal_hazard`) as
/// its visible escape (`\x1b`, `\u{202e}`). TSV has no quoting, so this keeps one contact a
/// line and its fields apart, and `list | grep` can neither drive the terminal nor lose data.
pub fn tsv_escaped(cell: &str) -> Cow<'_, str> {
    let plain = |character: char| {
        !matches!(character, '\\' | '\t' | '\n' | '\r') && !is_terminal_hazard(character)
    };
    if cell.chars().all(plain) {
        return Cow::Borrowed(cell);
    }
    let mut escaped = String::with_capacity(cell.len() + 8);
    for character in cell.chars() {
        match character {
            '\\' => escaped.push_str("\\\\"),
            '\t' => escaped.push_str("\\t"),
            '\n' => escaped.push_str("\\n"),
            '\r' => escaped.push_str("\\r"),
            hazard if is_terminal_hazard(hazard) => push_escaped(&mut escaped, hazard),
            other => escaped.push(other),
        }
    }
    Cow::Owned(escaped)
}

/// JSON text with every hazard (see `is_terminal_hazard`) written as JSON's own escape
/// (`\u2028`, `\u202e`, `\u009b`): the same JSON, which shows nothing a terminal could act on
/// or break a line at. Raw control characters can only be inside strings of valid JSON, except
/// the whitespace between tokens, which passes.
pub fn json_safe(json: &str) -> Cow<'_, str> {
    let hazard =
        |character: char| is_terminal_hazard(character) && !matches!(character, '\n' | '\t' | '\r');
    if !json.chars().any(hazard) {
        return Cow::Borrowed(json);
    }
    let mut safe = String::with_capacity(json.len() + 16);
    for character in json.chars() {
        if hazard(character) {
            let mut units = [0u16; 2];
            for unit in character.encode_utf16(&mut units) {
                safe.push_str(&format!("\\u{unit:04x}"));
            }
        } else {
            safe.push(character);
        }
    }
    Cow::Owned(safe)
}

/// Folds line breaks and other control characters into single spaces so text stays on one row,
/// and drops the invisible layout characters (see `is_invisible_format`).
pub fn single_line(text: &str) -> String {
    if is_single_line_already(text) {
        return text.to_owned();
    }
    let mut line = String::with_capacity(text.len());
    let mut last_was_space = false;
    for character in text.chars() {
        if is_invisible_format(character) {
            continue;
        }
        let character = if character.is_control() || is_line_separator(character) {
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

/// Printable ASCII with no space at either end and none doubled: what `single_line` would
/// return unchanged, known without looking at it character by character. Most text drawn is
/// such, and it is drawn every frame.
fn is_single_line_already(text: &str) -> bool {
    let bytes = text.as_bytes();
    bytes.iter().all(|byte| (b' '..=b'~').contains(byte))
        && bytes.first() != Some(&b' ')
        && bytes.last() != Some(&b' ')
        && !bytes.windows(2).any(|pair| pair == b"  ")
}

/// `12345` as `12,345`: counts that reach the millions are read at a glance.
/// `1 contact`, `1,000 contacts`: a number with thousands separators and its noun, singular
/// for one.
pub fn count_of(number: u64, singular: &str, plural: &str) -> String {
    let noun = if number == 1 { singular } else { plural };
    format!("{} {noun}", thousands(number))
}

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
///
/// The cut falls between graphemes, measured as the screen buffer measures them: a cut between
/// characters could leave half of a flag (one regional indicator), which the buffer counts as
/// one cell but many terminals draw as two, leaving a stray glyph once the row scrolls.
pub fn fit_width(text: &str, width: usize) -> String {
    let (mut fitted, used) = fit(text, width);
    fitted.extend(std::iter::repeat_n(' ', width.saturating_sub(used)));
    fitted
}

/// `fit_width` without the padding.
pub fn fit_width_unpadded(text: &str, width: usize) -> String {
    fit(text, width).0
}

/// `text` on one line in at most `width` cells, cut in the middle with `…` when too long: a
/// message keeps its start (what happened) and its end (what to do about it).
pub fn fit_middle(text: &str, width: usize) -> String {
    use unicode_segmentation::UnicodeSegmentation;
    let line = single_line(text);
    if line.width() <= width {
        return line;
    }
    if width < 2 {
        return fit_width_unpadded(&line, width);
    }
    let graphemes: Vec<&str> = line.graphemes(true).collect();
    let head_room = (width - 1) / 3;
    let mut tail_room = width - 1 - head_room;
    let mut tail: Vec<&str> = Vec::new();
    for grapheme in graphemes.iter().rev() {
        if grapheme.width() > tail_room {
            break;
        }
        tail_room -= grapheme.width();
        tail.push(grapheme);
    }
    let mut head = fit_width_unpadded(&line, head_room + tail_room + 1);
    // `fit_width_unpadded` ends its cut with `…`, which is the middle's mark here.
    if !head.ends_with('…') {
        head.push('…');
    }
    head.extend(tail.into_iter().rev());
    head
}

/// `text` from display column `cells` on, skipping whole grapheme clusters (a wide character
/// or a flag is never split), for a text field scrolled sideways.
pub fn skip_cells(text: &str, cells: usize) -> String {
    use unicode_segmentation::UnicodeSegmentation;
    let mut skipped = 0;
    text.graphemes(true)
        .skip_while(|grapheme| {
            let skip = skipped < cells;
            skipped += grapheme.width();
            skip
        })
        .collect()
}

/// `text` on one line cut to `width` cells, and the cells it takes.
fn fit(text: &str, width: usize) -> (String, usize) {
    let line = single_line(text);
    let cells = line.width();
    if cells <= width {
        return (line, cells);
    }
    let mut fitted = String::with_capacity(width);
    let mut used = 0;
    if width > 0 {
        let span = ratatui::text::Span::raw(line.as_str());
        for grapheme in span.styled_graphemes(ratatui::style::Style::new()) {
            let cells = grapheme.symbol.width();
            if used + cells > width - 1 {
                break;
            }
            fitted.push_str(grapheme.symbol);
            used += cells;
        }
        fitted.push('…');
        used += 1;
    }
    (fitted, used)
}

/// How `TerminalWriter` writes a hazardous character.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EscapeStyle {
    /// `\x1b`, `\u{9b}`: for CSV and text a person reads.
    Visible,
    /// `\u001b`, `\u009b`: JSON stays valid JSON and reads back as the same data (hazards
    /// other than whitespace only occur inside its strings; a carriage return, which valid JSON
    /// holds only between tokens, becomes a space).
    Json,
}

/// A stream that applies `terminal_safe`'s rule on the way through: for CSV written to a
/// screen, and for JSON wherever it goes (a pipe into `cat` reaches a terminal too). Newlines
/// and tabs pass; so does a carriage return that ends a CSV record (`\r\n`). Bytes that are
/// not UTF-8 are escaped as `\xNN`.
pub struct TerminalWriter<W: std::io::Write> {
    inner: W,
    style: EscapeStyle,
    /// The start of a character (or a `\r`) cut off at the end of the last write.
    pending: Vec<u8>,
}

impl<W: std::io::Write> TerminalWriter<W> {
    pub fn new(inner: W, style: EscapeStyle) -> TerminalWriter<W> {
        TerminalWriter {
            inner,
            style,
            pending: Vec::new(),
        }
    }

    /// Writes what is still held back (a cut character is escaped byte by byte) and hands back
    /// the stream.
    pub fn into_inner(mut self) -> std::io::Result<W> {
        let held = std::mem::take(&mut self.pending);
        let mut out = String::new();
        for byte in held {
            self.escape_byte(&mut out, byte);
        }
        self.inner.write_all(out.as_bytes())?;
        self.inner.flush()?;
        Ok(self.inner)
    }

    fn escape_char(&self, out: &mut String, character: char) {
        match self.style {
            EscapeStyle::Visible => push_escaped(out, character),
            EscapeStyle::Json => {
                let mut units = [0u16; 2];
                for unit in character.encode_utf16(&mut units) {
                    out.push_str(&format!("\\u{unit:04x}"));
                }
            }
        }
    }

    /// A byte that is not part of a character: `\xNN` for a person, U+FFFD's escape in JSON
    /// (which has no byte escape); a held-back carriage return, as in `render`.
    fn escape_byte(&self, out: &mut String, byte: u8) {
        match (self.style, byte) {
            (EscapeStyle::Json, b'\r') => out.push(' '),
            (EscapeStyle::Json, _) => out.push_str("\\ufffd"),
            (EscapeStyle::Visible, _) => out.push_str(&format!("\\x{byte:02x}")),
        }
    }

    fn render(&self, text: &str, out: &mut String) {
        let mut characters = text.chars().peekable();
        while let Some(character) = characters.next() {
            let ends_record = character == '\r' && characters.peek() == Some(&'\n');
            if character == '\r' && !ends_record && self.style == EscapeStyle::Json {
                out.push(' ');
            } else if is_terminal_hazard(character) && !ends_record {
                self.escape_char(out, character);
            } else {
                out.push(character);
            }
        }
    }
}

impl<W: std::io::Write> std::io::Write for TerminalWriter<W> {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        // Most output holds no hazard: it passes as it is, without a copy. Every hazard is a
        // control byte, DEL, or a character whose UTF-8 starts with one of the lead bytes
        // below (C1: C2; U+061C: D8; U+180E: E1; U+200B-U+206F: E2; U+FEFF: EF), so a chunk
        // of whole characters without them is safe.
        let harmless = |byte: &u8| {
            matches!(byte, b' '..=b'~' | b'\n' | b'\t')
                || (*byte >= 0x80 && !matches!(byte, 0xC2 | 0xD8 | 0xE1 | 0xE2 | 0xEF))
        };
        if self.pending.is_empty()
            && bytes.iter().all(harmless)
            && std::str::from_utf8(bytes).is_ok()
        {
            self.inner.write_all(bytes)?;
            return Ok(bytes.len());
        }
        let mut data = std::mem::take(&mut self.pending);
        data.extend_from_slice(bytes);
        let mut out = String::with_capacity(data.len());
        let mut rest = &data[..];
        loop {
            match std::str::from_utf8(rest) {
                Ok(text) => {
                    // A final `\r` may be the start of a `\r\n`: decide with the next write.
                    let (text, held) = match text.strip_suffix('\r') {
                        Some(text) => (text, "\r"),
                        None => (text, ""),
                    };
                    self.render(text, &mut out);
                    self.pending.extend_from_slice(held.as_bytes());
                    break;
                }
                Err(error) => {
                    let (valid, after) = rest.split_at(error.valid_up_to());
                    self.render(std::str::from_utf8(valid).unwrap_or_default(), &mut out);
                    match error.error_len() {
                        Some(length) => {
                            for byte in &after[..length] {
                                self.escape_byte(&mut out, *byte);
                            }
                            rest = &after[length..];
                        }
                        None => {
                            self.pending.extend_from_slice(after);
                            break;
                        }
                    }
                }
            }
        }
        self.inner.write_all(out.as_bytes())?;
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.inner.flush()
    }
}

#[cfg(test)]
mod tests {

    #[test]
    fn fit_middle_keeps_the_start_and_the_end() {
        let text = "no browser: the link is copied to the clipboard · ! shows it";
        assert_eq!(fit_middle(text, 80), text);
        let cut = fit_middle(text, 30);
        assert_eq!(cut.width(), 30);
        assert!(cut.starts_with("no brows"), "{cut}");
        assert!(cut.ends_with("! shows it"), "{cut}");
        assert!(cut.contains('…'), "{cut}");
        assert_eq!(fit_middle("India 🇮🇳 and more text here", 12).width(), 12);
    }

    #[test]
    fn a_cut_never_splits_a_flag() {
        // By characters the cut would keep the first half of the second flag: "a🇮🇳🇧…".
        assert_eq!(super::fit_width("a🇮🇳🇧🇷x", 5), "a🇮🇳… ");
        assert_eq!(super::fit_width("ab🇮🇳", 3), "ab…");
    }

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
    fn terminal_hazards_become_visible_escapes() {
        assert_eq!(
            terminal_safe("a\u{1b}]0;title\u{7}b\u{9b}2J\u{202e}c\u{7f}\nd\te"),
            "a\\x1b]0;title\\x07b\\u{9b}2J\\u{202e}c\\x7f\nd\te"
        );
        assert!(matches!(terminal_safe("plain Zoë 🌸"), Cow::Borrowed(_)));
    }

    fn through_writer(chunks: &[&[u8]], style: EscapeStyle) -> String {
        use std::io::Write;
        let mut writer = TerminalWriter::new(Vec::new(), style);
        for chunk in chunks {
            writer.write_all(chunk).expect("in memory");
        }
        String::from_utf8(writer.into_inner().expect("in memory")).expect("UTF-8")
    }

    #[test]
    fn the_terminal_writer_escapes_across_cut_characters() {
        let csi = "\u{9b}".as_bytes();
        let shown = through_writer(
            &[b"a\x1b[2J", &csi[..1], &csi[1..], b"b\r", b"\nc\rd\xff"],
            EscapeStyle::Visible,
        );
        assert_eq!(shown, "a\\x1b[2J\\u{9b}b\r\nc\\x0dd\\xff");
        let passed = "Zoë 🌸 王 “quoted” …";
        assert_eq!(
            through_writer(&[passed.as_bytes()], EscapeStyle::Json),
            passed,
            "non-ASCII text without a hazard passes"
        );
        assert_eq!(
            through_writer(&["é\u{2028}€\u{feff}".as_bytes()], EscapeStyle::Json),
            "é\\u2028€\\ufeff"
        );
        let json = through_writer(
            &["{\"n\":\"\u{9b}\u{202e}\"}\n".as_bytes()],
            EscapeStyle::Json,
        );
        assert_eq!(json, "{\"n\":\"\\u009b\\u202e\"}\n");
        let value: serde_json::Value = serde_json::from_str(&json).expect("still JSON");
        assert_eq!(value["n"], "\u{9b}\u{202e}");
    }

    #[test]
    fn tsv_cells_escape_everything_that_could_split_a_row_or_drive_a_terminal() {
        assert_eq!(
            tsv_escaped("a\tb\nc\rd\\e\u{1b}]0;x\u{7}\u{9b}\u{202e}\u{200b}\u{2028}f"),
            "a\\tb\\nc\\rd\\\\e\\x1b]0;x\\x07\\u{9b}\\u{202e}\\u{200b}\\u{2028}f"
        );
        assert!(matches!(tsv_escaped("Zoë 🌸 +44"), Cow::Borrowed(_)));
    }

    #[test]
    fn json_text_escapes_line_separators_and_bidi_as_json() {
        let json = serde_json::json!({"n": "a\u{2028}b\u{2029}c\u{202e}\u{9b}\u{7f}"}).to_string();
        let safe = json_safe(&json);
        assert_eq!(safe, r#"{"n":"a\u2028b\u2029c\u202e\u009b\u007f"}"#);
        let value: serde_json::Value = serde_json::from_str(&safe).expect("still JSON");
        assert_eq!(value["n"], "a\u{2028}b\u{2029}c\u{202e}\u{9b}\u{7f}");
    }

    #[test]
    fn json_through_the_writer_keeps_a_carriage_return_between_tokens_valid() {
        let json = through_writer(&[b"{\"a\":\r1,\r\n\"b\":\"\x7f\"}"], EscapeStyle::Json);
        assert_eq!(json, "{\"a\": 1,\r\n\"b\":\"\\u007f\"}");
        let value: serde_json::Value = serde_json::from_str(&json).expect("still JSON");
        assert_eq!(value["b"], "\u{7f}");
    }

    #[test]
    fn invisible_layout_characters_leave_one_line_rows() {
        assert_eq!(
            single_line("a\u{200b}b\u{202e}c\u{2066}d\u{2028}e\u{feff}"),
            "abcd e"
        );
        assert_eq!(fit_width("x\u{200d}\u{2029}y", 4), "x y ");
    }

    #[test]
    fn newlines_become_spaces() {
        assert_eq!(
            single_line("Hi!\nHow can\r\n I help?"),
            "Hi! How can I help?"
        );
        assert_eq!(fit_width("a\nb", 5), "a b  ");
    }

    #[test]
    fn c1_controls_are_escaped_as_unicode_from_their_first_code_point() {
        assert_eq!(terminal_safe("a\u{7f}b\u{80}c"), "a\\x7fb\\u{80}c");
    }

    #[test]
    fn a_tsv_cell_of_one_hazard_alone_is_still_escaped() {
        for (cell, escaped) in [
            ("\u{1b}", "\\x1b"),
            ("\u{202e}", "\\u{202e}"),
            ("\u{200b}", "\\u{200b}"),
            ("\t", "\\t"),
            ("\n", "\\n"),
            ("\\", "\\\\"),
        ] {
            assert_eq!(tsv_escaped(cell), escaped, "{cell:?}");
            assert_eq!(
                tsv_escaped(&format!("name{cell}")),
                format!("name{escaped}")
            );
        }
    }

    #[test]
    fn a_single_line_has_no_space_at_either_end_and_none_doubled() {
        assert_eq!(single_line(" Ann"), "Ann");
        assert_eq!(single_line("Ann "), "Ann");
        assert_eq!(single_line("Ann  Lee"), "Ann Lee");
        assert_eq!(single_line("Ann Lee"), "Ann Lee");
    }

    #[test]
    fn counts_name_their_noun_singular_for_one() {
        assert_eq!(count_of(1, "contact", "contacts"), "1 contact");
        assert_eq!(count_of(0, "contact", "contacts"), "0 contacts");
        assert_eq!(count_of(12_345, "page", "pages"), "12,345 pages");
    }

    #[test]
    fn fit_middle_in_two_cells_or_fewer() {
        assert_eq!(fit_middle("abcdef", 0), "");
        assert_eq!(fit_middle("abcdef", 1), "…");
        assert_eq!(fit_middle("abcdef", 2), "…f");
        assert_eq!(fit_middle("abcdef", 3), "…ef");
    }

    #[test]
    fn fit_middle_gives_a_third_to_the_start_and_the_rest_to_the_end() {
        let alphabet = "abcdefghijklmnopqrstuvwxyz";
        assert_eq!(fit_middle(alphabet, 9), "ab…uvwxyz");
        assert_eq!(fit_middle(alphabet, 10), "abc…uvwxyz");
        assert_eq!(fit_middle("abcdefgh王王", 6), "a…王王");
        // A wide character that does not fit the end's room leaves its cell to the start.
        assert_eq!(fit_middle("abcdefgh王王y", 6), "ab…王y");
    }

    #[test]
    fn skip_cells_skips_whole_characters_from_the_left() {
        assert_eq!(skip_cells("abc", 0), "abc");
        assert_eq!(skip_cells("abc", 1), "bc");
        assert_eq!(skip_cells("a王b", 2), "b");
        // Half of a wide character cannot be skipped: all of it is.
        assert_eq!(skip_cells("王小明", 1), "小明");
        assert_eq!(skip_cells("abc", 5), "");
    }

    #[test]
    fn flushing_the_terminal_writer_flushes_the_stream_below() {
        use std::io::Write;
        let buffered = std::io::BufWriter::new(Vec::new());
        let mut writer = TerminalWriter::new(buffered, EscapeStyle::Visible);
        writer.write_all(b"a\x1bb").expect("in memory");
        writer.flush().expect("in memory");
        assert_eq!(writer.inner.get_ref().as_slice(), b"a\\x1bb");
    }
}
