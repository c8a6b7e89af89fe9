//! The client side of the platform's v7 inbox contract: what we send, what we accept back, and how
//! we survive the network in between. Everything the live API has not settled (see
//! `docs/api-contract.md`, "What a live account would settle") is kept in one obvious place here.

mod body;
mod channel;
mod client;
mod contact;
mod error;
mod items;
pub mod lenient;
pub mod pace;
mod repair;
mod request;
mod response;
mod retry;
pub mod walk;

pub use channel::Channel;
pub use client::{
    Client, ClientConfig, DEFAULT_BASE_URL, Page, RetryNotice, Token, http_client_builder,
    is_loopback,
};
pub use contact::{Contact, LastMessage, Phone};
pub use error::ApiError;
pub use items::{
    ContactKey, DecodedPage, FlatContact, PageItem, RawContact, Unusable, decode_contacts_page,
    decode_contacts_page_named, decode_page_items, decode_page_items_named,
};
pub use lenient::ObjectOnly;
pub use repair::repair_lone_surrogates;
pub use request::{DateRange, HasOrdered, PageRequest, Query, QueryKey, Sender, Status};
pub use response::{Agent, MAX_SERVER_TEXT_CHARS, SERVER_TEXT_TARGET, Segment, WhatsappBot};
pub use retry::RetryPolicy;
pub use walk::IdSet;

/// The page size the platform was seen to use. It is not a contract: a short page only hints at
/// the end, and only an empty page proves it.
pub const TYPICAL_PAGE_SIZE: usize = 50;
