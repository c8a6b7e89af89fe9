//! The fields of a contact that the copy menu, `y` and the palette's `copy` copy.

use strum::EnumIter;

/// What the copy menu copies of a contact.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, EnumIter)]
pub enum CopyField {
    #[default]
    Email,
    /// In E.164, as other tools want it.
    Phone,
    Id,
    Uuid,
    Name,
    /// The whole contact as the API sent it, pretty-printed.
    Json,
}

impl CopyField {
    /// As the menu and the notices name it.
    pub fn label(self) -> &'static str {
        match self {
            CopyField::Email => "email",
            CopyField::Phone => "phone",
            CopyField::Id => "id",
            CopyField::Uuid => "uuid",
            CopyField::Name => "name",
            CopyField::Json => "JSON",
        }
    }
}
