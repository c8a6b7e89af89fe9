//! Reading a reply's body: whole, bounded, and decompressed in one pass into one buffer.
//!
//! reqwest can decompress on its own, but it does so as a stream of small chunks that are
//! copied again into one buffer at the end; for an export, whose pages are most of its CPU,
//! inflating each compressed page in one call into a buffer of the right size costs less.
//! Doing it here also bounds what a reply may grow to, compressed or not: a server that never
//! ends its body, or a small gzip bomb, meets a clear error instead of exhausting memory.

use std::io::Read;

use bytes::{Bytes, BytesMut};

use super::ApiError;

/// The most a reply may hold once decompressed. A page of 50 real contacts is about 160 KB;
/// the limit leaves room for pick-lists of thousands of entries and nothing near a GB.
pub const MAX_BODY_BYTES: usize = 64 * 1024 * 1024;

/// How much bigger than its compressed form a JSON page usually is; only sizes the buffer.
const TYPICAL_RATIO: usize = 6;

/// The `Accept-Encoding` every request sends. The platform's own samples ask for compressed
/// replies, and a page shrinks 4-6x. gzip first: it decompresses several times faster than
/// brotli for about the same size; brotli stays acceptable for a server that only speaks it.
pub const ACCEPT_ENCODING: &str = "gzip, br;q=0.5";

/// Reads the rest of `response`'s body, refusing one larger than `MAX_BODY_BYTES` as sent.
pub async fn read_body(mut response: reqwest::Response) -> Result<Bytes, ApiError> {
    let expected = response
        .content_length()
        .and_then(|length| usize::try_from(length).ok())
        .unwrap_or(0);
    let mut body = BytesMut::with_capacity(expected.min(MAX_BODY_BYTES));
    while let Some(chunk) = response.chunk().await.map_err(read_error)? {
        if body.len() + chunk.len() > MAX_BODY_BYTES {
            return Err(too_large());
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body.freeze())
}

/// The body as the server meant it, given its `Content-Encoding`.
pub fn decode_content(encoding: Option<&str>, body: Bytes) -> Result<Bytes, ApiError> {
    let encoding = encoding.map(str::trim).unwrap_or("");
    if encoding.is_empty() || encoding.eq_ignore_ascii_case("identity") {
        return Ok(body);
    }
    let capacity = body.len().saturating_mul(TYPICAL_RATIO).min(MAX_BODY_BYTES);
    if encoding.eq_ignore_ascii_case("gzip") || encoding.eq_ignore_ascii_case("x-gzip") {
        inflate(flate2::bufread::MultiGzDecoder::new(&body[..]), capacity)
    } else if encoding.eq_ignore_ascii_case("br") {
        inflate(
            brotli_decompressor::Decompressor::new(&body[..], 64 * 1024),
            capacity,
        )
    } else {
        Err(ApiError::Decode {
            what: format!(
                "the reply is compressed as {:?}, which inbox-tui does not read (it asks for \
                 gzip or br)",
                crate::text::single_line(encoding)
            ),
        })
    }
}

fn inflate(reader: impl Read, capacity: usize) -> Result<Bytes, ApiError> {
    let mut output = Vec::with_capacity(capacity);
    let limit = u64::try_from(MAX_BODY_BYTES).unwrap_or(u64::MAX) + 1;
    reader
        .take(limit)
        .read_to_end(&mut output)
        .map_err(|error| ApiError::Truncated {
            what: format!("the compressed reply is cut short or corrupt ({error})"),
        })?;
    if output.len() > MAX_BODY_BYTES {
        return Err(too_large());
    }
    Ok(Bytes::from(output))
}

fn too_large() -> ApiError {
    ApiError::Decode {
        what: format!(
            "the reply is larger than {} MiB; this is not a page of contacts (check the base URL)",
            MAX_BODY_BYTES / (1024 * 1024)
        ),
    }
}

fn read_error(error: reqwest::Error) -> ApiError {
    if error.is_timeout() {
        super::error::transport_error(error)
    } else {
        ApiError::Truncated {
            what: format!(
                "the connection broke while reading the body ({})",
                super::error::root_cause(&error)
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use std::io::Write;

    use super::*;

    fn gzip(data: &[u8]) -> Bytes {
        let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        encoder.write_all(data).expect("in memory");
        Bytes::from(encoder.finish().expect("in memory"))
    }

    #[test]
    fn gzip_and_identity_are_read_and_unknown_encodings_named() {
        let page = br#"{"success":true,"data":[]}"#;
        assert_eq!(
            decode_content(Some("gzip"), gzip(page)).expect("gzip"),
            &page[..]
        );
        assert_eq!(
            decode_content(None, Bytes::from_static(page)).expect("plain"),
            &page[..]
        );
        let error = decode_content(Some("zstd"), Bytes::from_static(page)).expect_err("zstd");
        assert!(error.to_string().contains("\"zstd\""), "{error}");
    }

    #[test]
    fn a_cut_gzip_is_truncated_and_a_bomb_is_refused() {
        let compressed = gzip(&[b' '; 4096]);
        let cut = compressed.slice(..compressed.len() / 2);
        let error = decode_content(Some("gzip"), cut).expect_err("cut");
        assert!(matches!(error, ApiError::Truncated { .. }), "{error:?}");

        let bomb = gzip(&vec![b'0'; MAX_BODY_BYTES + 1]);
        let error = decode_content(Some("gzip"), bomb).expect_err("bomb");
        assert!(error.to_string().contains("larger than 64 MiB"), "{error}");
    }
}
