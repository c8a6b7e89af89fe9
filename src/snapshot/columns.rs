//! The filter columns of every contact as a few compact, dictionary-coded blocks: rebuilt at
//! each sync's commit (inside its transaction, so they always agree with the `contacts` table)
//! and read a block at a time. A count, a select-all or an export's order then costs a decode
//! in Rust per contact, about 60 bytes, instead of SQLite's walk over the `contacts` table,
//! which costs about 1.4 µs a row before any column is read.
//!
//! Block 0 is the dictionary: every distinct text value (status, sender, agent, bot, channel,
//! tag, segment), each once. The other blocks hold [`ROWS_PER_BLOCK`] rows each, newest last
//! message first: a row is its rowid, its id, the codes of its values (0 for none, else the
//! dictionary index + 1), its flags and its three dates, all as LEB128 varints.

use std::collections::HashMap;

use super::facets::{Facet, Tally};
use super::fields::{LIST_SEPARATOR, Needs, RowView};

/// Rows a block holds: a block is read whole, so this bounds a scan's memory (about 0.5 MB).
pub const ROWS_PER_BLOCK: usize = 8192;

fn put_varint(out: &mut Vec<u8>, mut value: u64) {
    while value >= 0x80 {
        out.push((value as u8) | 0x80);
        value >>= 7;
    }
    out.push(value as u8);
}

fn zigzag(value: i64) -> u64 {
    ((value << 1) ^ (value >> 63)) as u64
}

fn unzigzag(value: u64) -> i64 {
    ((value >> 1) as i64) ^ -((value & 1) as i64)
}

/// Builds the blocks from rows given in the order they are to be read.
#[derive(Debug, Default)]
pub struct Encoder {
    codes: HashMap<String, u64>,
    strings: Vec<String>,
    block: Vec<u8>,
    rows: usize,
}

impl Encoder {
    /// An encoder that keeps the codes of `strings` (a stored dictionary) and adds new values
    /// after them: blocks rewritten with it sit beside the ones left as they were.
    pub fn with_dictionary(strings: Vec<String>) -> Encoder {
        let codes = strings
            .iter()
            .enumerate()
            .map(|(index, value)| (value.clone(), index as u64 + 1))
            .collect();
        Encoder {
            codes,
            strings,
            ..Encoder::default()
        }
    }

    /// How many distinct values the dictionary holds.
    pub fn values(&self) -> usize {
        self.strings.len()
    }

    /// Rows added since the last block was taken.
    pub fn rows(&self) -> usize {
        self.rows
    }

    fn code(&mut self, value: Option<&str>) -> u64 {
        let Some(value) = value else { return 0 };
        if let Some(code) = self.codes.get(value) {
            return *code;
        }
        self.strings.push(value.to_owned());
        let code = self.strings.len() as u64;
        self.codes.insert(value.to_owned(), code);
        code
    }

    fn list(&mut self, joined: &str) {
        let values: Vec<u64> = if joined.is_empty() {
            Vec::new()
        } else {
            joined
                .split(LIST_SEPARATOR)
                .map(|value| self.code(Some(value)))
                .collect()
        };
        put_varint(&mut self.block, values.len() as u64);
        for code in values {
            put_varint(&mut self.block, code);
        }
    }

    fn date(&mut self, ms: Option<i64>) {
        put_varint(
            &mut self.block,
            ms.map_or(0, |ms| zigzag(ms).wrapping_add(1)),
        );
    }

    /// Adds one row; returns a finished block when this row filled one.
    pub fn push(&mut self, rowid: i64, row: &RowView<'_>) -> Option<Vec<u8>> {
        self.add(rowid, row);
        (self.rows == ROWS_PER_BLOCK).then(|| self.take_block())
    }

    /// Adds one row to the block being built, however many it holds.
    pub fn add(&mut self, rowid: i64, row: &RowView<'_>) {
        put_varint(&mut self.block, zigzag(rowid));
        put_varint(&mut self.block, row.id.len() as u64);
        self.block.extend_from_slice(row.id.as_bytes());
        let singles = [
            row.status,
            row.last_by,
            row.agent,
            row.bots[0],
            row.bots[1],
            row.bots[2],
            row.bots[3],
            row.channel,
        ];
        for value in singles {
            let code = self.code(value);
            put_varint(&mut self.block, code);
        }
        self.list(row.tags);
        self.list(row.segments);
        put_varint(&mut self.block, zigzag(row.flags));
        self.date(row.ordered_at);
        self.date(row.last_seen);
        self.date(row.created);
        self.rows += 1;
    }

    /// The block of the rows added since the last one was taken (none is a valid block).
    pub fn take_block(&mut self) -> Vec<u8> {
        let mut block = Vec::with_capacity(self.block.len() + 5);
        put_varint(&mut block, self.rows as u64);
        block.append(&mut self.block);
        self.rows = 0;
        block
    }

    /// The last, partly filled block (if any rows are left), then the dictionary.
    pub fn finish(mut self) -> (Option<Vec<u8>>, Vec<u8>) {
        let last = (self.rows > 0).then(|| self.take_block());
        (last, self.dictionary())
    }

    /// The dictionary block: every value coded so far.
    pub fn dictionary(&self) -> Vec<u8> {
        let mut dictionary = Vec::new();
        put_varint(&mut dictionary, self.strings.len() as u64);
        for value in &self.strings {
            put_varint(&mut dictionary, value.len() as u64);
            dictionary.extend_from_slice(value.as_bytes());
        }
        dictionary
    }
}

/// A block that does not decode: the file was damaged or written by something else.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("the snapshot's column blocks are damaged; `inbox-tui snapshot sync --full` rebuilds them")]
pub struct Damaged;

struct Cursor<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl<'a> Cursor<'a> {
    fn varint(&mut self) -> Result<u64, Damaged> {
        let mut value = 0u64;
        let mut shift = 0;
        loop {
            let byte = *self.bytes.get(self.at).ok_or(Damaged)?;
            self.at += 1;
            if shift > 63 {
                return Err(Damaged);
            }
            value |= u64::from(byte & 0x7f) << shift;
            if byte & 0x80 == 0 {
                return Ok(value);
            }
            shift += 7;
        }
    }

    fn text(&mut self) -> Result<&'a str, Damaged> {
        let len = usize::try_from(self.varint()?).map_err(|_| Damaged)?;
        let end = self.at.checked_add(len).ok_or(Damaged)?;
        let bytes = self.bytes.get(self.at..end).ok_or(Damaged)?;
        self.at = end;
        std::str::from_utf8(bytes).map_err(|_| Damaged)
    }
}

/// The dictionary block, decoded.
pub fn dictionary(bytes: &[u8]) -> Result<Vec<String>, Damaged> {
    let mut cursor = Cursor { bytes, at: 0 };
    let count = cursor.varint()?;
    let mut strings = Vec::with_capacity(usize::try_from(count.min(1 << 20)).unwrap_or(0));
    for _ in 0..count {
        strings.push(cursor.text()?.to_owned());
    }
    Ok(strings)
}

/// A row's text values as dictionary codes (0 for none, else the index in the dictionary + 1),
/// beside its [`RowView`]: a tally counts by code, in an array, instead of hashing text.
#[derive(Debug, Clone, Copy)]
pub struct Codes<'a> {
    /// Status, last sender, agent, the four bots (in `Channel::FILTERED` order), channel.
    pub singles: [u64; 8],
    pub tags: &'a [u64],
    pub segments: &'a [u64],
}

/// Calls `each` with every row of `block` (the fields `needs` names filled, the others empty)
/// and its codes, until it returns `false`; returns whether it went on to the end.
pub fn for_each_row<E: From<Damaged>>(
    block: &[u8],
    strings: &[String],
    needs: Needs,
    mut each: impl FnMut(i64, &RowView<'_>, &Codes<'_>) -> Result<bool, E>,
) -> Result<bool, E> {
    let mut cursor = Cursor {
        bytes: block,
        at: 0,
    };
    let rows = cursor.varint()?;
    let mut tags = String::new();
    let mut segments = String::new();
    let mut tag_codes = Vec::new();
    let mut segment_codes = Vec::new();
    let value = |code: u64| -> Result<Option<&str>, Damaged> {
        match code {
            0 => Ok(None),
            code => usize::try_from(code - 1)
                .ok()
                .and_then(|index| strings.get(index))
                .map(|value| Some(value.as_str()))
                .ok_or(Damaged),
        }
    };
    let date = |code: u64| (code != 0).then(|| unzigzag(code - 1));
    for _ in 0..rows {
        let rowid = unzigzag(cursor.varint()?);
        let id = cursor.text()?;
        let mut singles = [None; 8];
        let mut single_codes = [0u64; 8];
        for (single, code) in singles.iter_mut().zip(&mut single_codes) {
            *code = cursor.varint()?;
            *single = value(*code)?;
        }
        let lists = [
            (&mut tags, &mut tag_codes, needs.tags),
            (&mut segments, &mut segment_codes, needs.segments),
        ];
        for (joined, codes, needed) in lists {
            joined.clear();
            codes.clear();
            for index in 0..cursor.varint()? {
                let code = cursor.varint()?;
                codes.push(code);
                if needed {
                    if index > 0 {
                        joined.push(LIST_SEPARATOR);
                    }
                    joined.push_str(value(code)?.unwrap_or(""));
                }
            }
        }
        let flags = unzigzag(cursor.varint()?);
        let ordered_at = date(cursor.varint()?);
        let last_seen = date(cursor.varint()?);
        let created = date(cursor.varint()?);
        let [
            status,
            last_by,
            agent,
            website,
            whatsapp,
            telegram,
            facebook,
            channel,
        ] = singles;
        let row = RowView {
            id,
            status,
            last_by,
            agent,
            bots: [website, whatsapp, telegram, facebook],
            channel,
            tags: &tags,
            segments: &segments,
            flags,
            ordered_at,
            last_seen,
            created,
        };
        let codes = Codes {
            singles: single_codes,
            tags: &tag_codes,
            segments: &segment_codes,
        };
        if !each(rowid, &row, &codes)? {
            return Ok(false);
        }
    }
    Ok(true)
}

/// Facet counts by dictionary code: an array per facet, turned into a [`Tally`] once.
pub struct CodedTally {
    total: u64,
    facets: Vec<(Facet, Vec<u64>)>,
}

impl CodedTally {
    pub fn new(facets: &[Facet], strings: &[String]) -> CodedTally {
        CodedTally {
            total: 0,
            facets: facets
                .iter()
                .map(|facet| (*facet, vec![0; strings.len() + 1]))
                .collect(),
        }
    }

    /// Counts one matching row, as [`Tally::add`] would.
    pub fn add(&mut self, codes: &Codes<'_>) {
        self.total += 1;
        for (facet, counts) in &mut self.facets {
            let mut bump = |code: u64| {
                if let Some(count) = usize::try_from(code).ok().and_then(|at| counts.get_mut(at)) {
                    *count += 1;
                }
            };
            match facet {
                Facet::Status => bump(codes.singles[0]),
                Facet::Agent => bump(codes.singles[2]),
                Facet::Channel => bump(codes.singles[7]),
                Facet::Bot => bump(
                    codes.singles[3..7]
                        .iter()
                        .copied()
                        .find(|code| *code != 0)
                        .unwrap_or(0),
                ),
                Facet::Tag | Facet::Segment => {
                    let list = if *facet == Facet::Tag {
                        codes.tags
                    } else {
                        codes.segments
                    };
                    if list.is_empty() {
                        bump(0);
                    }
                    list.iter().for_each(|code| bump(*code));
                }
            }
        }
    }

    pub fn finish(self, strings: &[String]) -> Tally {
        let facets = self
            .facets
            .into_iter()
            .map(|(facet, counts)| {
                let none = counts.first().copied().unwrap_or(0);
                let by_value = counts
                    .iter()
                    .skip(1)
                    .zip(strings)
                    .filter(|(count, _)| **count > 0)
                    .map(|(count, value)| (value.clone(), *count))
                    .collect();
                (facet, by_value, none)
            })
            .collect();
        Tally::from_counts(self.total, facets)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_come_back_as_they_went_in_across_blocks() {
        let rows: Vec<(i64, String, String)> = (0..ROWS_PER_BLOCK as i64 + 3)
            .map(|index| {
                (
                    index * 7 - 5,
                    format!("id-{index}"),
                    if index % 3 == 0 {
                        String::new()
                    } else {
                        format!("vip{LIST_SEPARATOR}t{}", index % 5)
                    },
                )
            })
            .collect();
        fn view((_, id, tags): &(i64, String, String)) -> RowView<'_> {
            RowView {
                id,
                status: Some("OPEN"),
                last_by: None,
                agent: Some("a1"),
                bots: [None, Some("b1"), None, None],
                channel: Some("WHATSAPP"),
                tags,
                segments: "",
                flags: 19,
                ordered_at: Some(-1),
                last_seen: None,
                created: Some(1_735_689_600_001),
            }
        }
        let mut encoder = Encoder::default();
        let mut blocks: Vec<Vec<u8>> = rows
            .iter()
            .filter_map(|row| encoder.push(row.0, &view(row)))
            .collect();
        let (last, dictionary_block) = encoder.finish();
        blocks.extend(last);
        assert_eq!(blocks.len(), 2);
        let strings = dictionary(&dictionary_block).expect("a dictionary");
        let mut seen = 0;
        for block in &blocks {
            for_each_row::<Damaged>(block, &strings, Needs::ALL, |rowid, row, codes| {
                assert_eq!(
                    codes.tags.len(),
                    row.tags
                        .split(LIST_SEPARATOR)
                        .filter(|tag| !tag.is_empty())
                        .count()
                );
                let expected = &rows[seen];
                let want = view(expected);
                assert_eq!(rowid, expected.0);
                assert_eq!(
                    (
                        row.id,
                        row.status,
                        row.agent,
                        row.bots,
                        row.channel,
                        row.tags
                    ),
                    (
                        want.id,
                        want.status,
                        want.agent,
                        want.bots,
                        want.channel,
                        want.tags
                    )
                );
                assert_eq!(
                    (
                        row.flags,
                        row.ordered_at,
                        row.last_seen,
                        row.created,
                        row.last_by
                    ),
                    (19, Some(-1), None, Some(1_735_689_600_001), None)
                );
                seen += 1;
                Ok(true)
            })
            .expect("decodes");
        }
        assert_eq!(seen, rows.len());
        let cut = &blocks[1][..blocks[1].len() - 2];
        assert_eq!(
            for_each_row::<Damaged>(cut, &strings, Needs::ALL, |_, _, _| Ok(true)),
            Err(Damaged)
        );
    }
}
