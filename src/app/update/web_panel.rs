//! `o`: opening a contact in the platform's web panel, where replies are written.

use crate::app::msg::Cmd;
use crate::app::state::State;
use crate::text::single_line;

/// `o`: the contact in the web panel, through the profile's URL template.
pub(super) fn open_in_web_panel(state: &mut State) -> Vec<Cmd> {
    let Some(id) = state.selected_contact().and_then(|contact| contact.id()) else {
        state.status.notice = Some("no contact to open".into());
        return vec![];
    };
    let Some(template) = &state.web_url else {
        state.status.notice = Some(
            "no web panel address for this host: set web_url in the profile, e.g. \
             web_url = \"https://app.example.com/inbox?userId={id}\""
                .into(),
        );
        return vec![];
    };
    // An id comes from the server: it goes into the URL encoded, whatever it holds.
    let encoded: String = url::form_urlencoded::byte_serialize(id.as_bytes()).collect();
    let url = template.replace("{id}", &encoded);
    state.status.notice = Some(format!("opening {}", single_line(&url)));
    vec![Cmd::Open { url }]
}
