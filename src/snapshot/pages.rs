//! The stored JSON of the contacts, deflated a page at a time: the contacts whose rowids share
//! `rowid / CONTACTS_PER_PAGE` go into one deflate stream, so the keys and common values that
//! every contact repeats are written once a page instead of once a contact (about 850 B a
//! contact against 1,420 B deflated alone, for the demo's 3.1 KB contacts). A page is small, so
//! reading one contact inflates at most 16 (about 50 KB).

use std::collections::BTreeMap;
use std::io;

/// Contacts a page holds, by rowid: more shares more, but costs more to read one contact.
pub const CONTACTS_PER_PAGE: i64 = 16;

/// Deflate's preset dictionary: the public sample contact and common tracking-URL fragments,
/// which even a page's first contact then shares. Changing it makes stored pages unreadable, so
/// it belongs to the schema version.
const DICTIONARY: &[u8] = include_bytes!("../../assets/snapshot-dictionary.txt");

/// The page that holds the contact stored under `rowid`.
pub fn page_of(rowid: i64) -> i64 {
    rowid.div_euclid(CONTACTS_PER_PAGE)
}

/// One page's contacts: rowid to JSON.
pub type Entries = BTreeMap<i64, String>;

/// A page as stored: each entry as its rowid (8 bytes), its length (4 bytes) and its JSON,
/// deflated as one stream.
pub fn encode(entries: &Entries) -> io::Result<Vec<u8>> {
    let mut plain = Vec::new();
    for (rowid, json) in entries {
        let length = u32::try_from(json.len()).map_err(io::Error::other)?;
        plain.extend_from_slice(&rowid.to_le_bytes());
        plain.extend_from_slice(&length.to_le_bytes());
        plain.extend_from_slice(json.as_bytes());
    }
    deflate(&plain)
}

/// The entries of a stored page; an error when it does not decode.
pub fn decode(bytes: &[u8]) -> io::Result<Entries> {
    let plain = inflate(bytes)?;
    let cut = || io::Error::new(io::ErrorKind::InvalidData, "a stored page is damaged");
    let mut entries = Entries::new();
    let mut rest = plain.as_slice();
    while !rest.is_empty() {
        let (rowid, after) = rest.split_first_chunk::<8>().ok_or_else(cut)?;
        let (length, after) = after.split_first_chunk::<4>().ok_or_else(cut)?;
        let length = usize::try_from(u32::from_le_bytes(*length)).map_err(|_| cut())?;
        if after.len() < length {
            return Err(cut());
        }
        let (json, after) = after.split_at(length);
        let json = String::from_utf8(json.to_vec()).map_err(io::Error::other)?;
        entries.insert(i64::from_le_bytes(*rowid), json);
        rest = after;
    }
    Ok(entries)
}

/// Deflates `input` with [`DICTIONARY`]: how a page is stored, and how schema 1 stored a
/// contact alone.
pub fn deflate(input: &[u8]) -> io::Result<Vec<u8>> {
    use flate2::{Compress, Compression, FlushCompress, Status};
    let mut compress = Compress::new(Compression::default(), false);
    compress
        .set_dictionary(DICTIONARY)
        .map_err(io::Error::other)?;
    let mut out = Vec::with_capacity(input.len() / 3 + 64);
    loop {
        let consumed = usize::try_from(compress.total_in()).unwrap_or(input.len());
        let status = compress
            .compress_vec(
                &input[consumed.min(input.len())..],
                &mut out,
                FlushCompress::Finish,
            )
            .map_err(io::Error::other)?;
        if status == Status::StreamEnd {
            return Ok(out);
        }
        out.reserve(out.capacity().max(256));
    }
}

/// Inflates one stream deflated with [`DICTIONARY`]: a page, or a contact stored alone by
/// schema 1.
pub fn inflate(bytes: &[u8]) -> io::Result<Vec<u8>> {
    use flate2::{Decompress, FlushDecompress, Status};
    let mut decompress = Decompress::new(false);
    decompress
        .set_dictionary(DICTIONARY)
        .map_err(io::Error::other)?;
    let mut out = Vec::with_capacity(bytes.len() * 4);
    loop {
        let consumed = usize::try_from(decompress.total_in()).unwrap_or(bytes.len());
        let before = (decompress.total_in(), decompress.total_out());
        let status = decompress
            .decompress_vec(
                &bytes[consumed.min(bytes.len())..],
                &mut out,
                FlushDecompress::Finish,
            )
            .map_err(io::Error::other)?;
        if status == Status::StreamEnd {
            return Ok(out);
        }
        if out.len() == out.capacity() {
            out.reserve(out.capacity().max(1024));
        } else if before == (decompress.total_in(), decompress.total_out()) {
            return Err(io::Error::new(
                io::ErrorKind::UnexpectedEof,
                "stored contacts are cut short",
            ));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_page_comes_back_as_it_went_in_and_a_cut_one_is_refused() {
        let entries: Entries = [
            (32, r#"{"_id":"a","name":"Ann"}"#.to_owned()),
            (33, String::new()),
            (47, r#"{"_id":"b","name":"Bé"}"#.to_owned()),
        ]
        .into_iter()
        .collect();
        let bytes = encode(&entries).expect("encoded");
        assert_eq!(decode(&bytes).expect("decoded"), entries);
        assert!(decode(&bytes[..bytes.len() / 2]).is_err());
        assert_eq!((page_of(32), page_of(47), page_of(48)), (2, 2, 3));
    }
}
