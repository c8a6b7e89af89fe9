//! Decoding one 50-contact page, the work done for every page the browser or an export fetches.

use inbox_tui::api::decode_contacts_page;
use inbox_tui::demo::Dataset;
use serde_json::json;

fn main() {
    divan::main();
}

fn page_body() -> Vec<u8> {
    let dataset = Dataset::generate(50, 42);
    let contacts: Vec<_> = (0..dataset.len())
        .map(|index| dataset.contact_json(index))
        .collect();
    serde_json::to_vec(&json!({"success": true, "message": "", "data": contacts, "code": 200}))
        .expect("serializes")
}

#[divan::bench]
fn decode_50_contact_page(bencher: divan::Bencher) {
    let body = page_body();
    bencher
        .counter(divan::counter::BytesCount::of_slice(&body))
        .bench(|| decode_contacts_page(200, divan::black_box(&body)));
}
