//! Facet counts: how the contacts matching a query spread over one field's values.

use std::collections::HashMap;

use super::fields::{LIST_SEPARATOR, Needs, RowView};

/// A field to count contacts by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Facet {
    Status,
    Tag,
    Agent,
    Segment,
    Bot,
    Channel,
}

impl Facet {
    pub const ALL: [Facet; 6] = [
        Facet::Status,
        Facet::Tag,
        Facet::Agent,
        Facet::Segment,
        Facet::Bot,
        Facet::Channel,
    ];

    /// The name `--by` takes and output shows.
    pub fn name(self) -> &'static str {
        match self {
            Facet::Status => "status",
            Facet::Tag => "tag",
            Facet::Agent => "agent",
            Facet::Segment => "segment",
            Facet::Bot => "bot",
            Facet::Channel => "channel",
        }
    }
}

/// The count of matching contacts, and per facet asked for, the count per value. A contact
/// with several tags (segments) counts once under each; one with none counts under `None`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Tally {
    pub total: u64,
    facets: Vec<(Facet, Counts)>,
}

/// One facet's counts: by value (looked up by `&str`, so counting allocates only for a value
/// not seen before), and the contacts without one.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
struct Counts {
    by_value: HashMap<String, u64>,
    none: u64,
}

impl Counts {
    fn bump(&mut self, value: Option<&str>) {
        match value {
            None => self.none += 1,
            Some(value) => match self.by_value.get_mut(value) {
                Some(count) => *count += 1,
                None => {
                    self.by_value.insert(value.to_owned(), 1);
                }
            },
        }
    }
}

impl Tally {
    /// A tally that counts by each of `facets`.
    pub fn new(facets: &[Facet]) -> Tally {
        Tally {
            total: 0,
            facets: facets
                .iter()
                .map(|facet| (*facet, Counts::default()))
                .collect(),
        }
    }

    /// A tally from counts already made: per facet, the count by value and of contacts with
    /// none.
    pub(super) fn from_counts(
        total: u64,
        facets: Vec<(Facet, HashMap<String, u64>, u64)>,
    ) -> Tally {
        Tally {
            total,
            facets: facets
                .into_iter()
                .map(|(facet, by_value, none)| (facet, Counts { by_value, none }))
                .collect(),
        }
    }

    /// `needs` with the fields the facets count by.
    pub fn needs(&self, mut needs: Needs) -> Needs {
        for (facet, _) in &self.facets {
            match facet {
                Facet::Status => needs.status = true,
                Facet::Tag => needs.tags = true,
                Facet::Agent => needs.agent = true,
                Facet::Segment => needs.segments = true,
                Facet::Bot => needs.bots = true,
                Facet::Channel => needs.channel = true,
            }
        }
        needs
    }

    /// Counts one matching contact.
    pub fn add(&mut self, row: &RowView<'_>) {
        self.total += 1;
        for (facet, counts) in &mut self.facets {
            let mut bump = |value: Option<&str>| counts.bump(value);
            match facet {
                Facet::Status => bump(row.status),
                Facet::Agent => bump(row.agent),
                Facet::Channel => bump(row.channel),
                Facet::Bot => bump(row.bots.iter().find_map(|bot| *bot)),
                Facet::Tag | Facet::Segment => {
                    let joined = if *facet == Facet::Tag {
                        row.tags
                    } else {
                        row.segments
                    };
                    if joined.is_empty() {
                        bump(None);
                    } else {
                        joined
                            .split(LIST_SEPARATOR)
                            .for_each(|value| bump(Some(value)));
                    }
                }
            }
        }
    }

    /// The counts of `facet`, largest first, then by value.
    pub fn sorted(&self, facet: Facet) -> Vec<(Option<String>, u64)> {
        let mut counts: Vec<(Option<String>, u64)> = self
            .facets
            .iter()
            .filter(|(kind, _)| *kind == facet)
            .flat_map(|(_, counts)| {
                let none = (counts.none > 0).then_some((None, counts.none));
                counts
                    .by_value
                    .iter()
                    .map(|(value, count)| (Some(value.clone()), *count))
                    .chain(none)
            })
            .collect();
        counts.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
        counts
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn multi_valued_fields_count_each_value_and_none_is_counted() {
        let mut tally = Tally::new(&[Facet::Tag, Facet::Status]);
        tally.add(&RowView {
            tags: "a\u{1f}b",
            status: Some("OPEN"),
            ..RowView::default()
        });
        tally.add(&RowView {
            tags: "",
            status: Some("OPEN"),
            ..RowView::default()
        });
        assert_eq!(tally.total, 2);
        assert_eq!(
            tally.sorted(Facet::Tag),
            [(None, 1), (Some("a".into()), 1), (Some("b".into()), 1)]
        );
        assert_eq!(tally.sorted(Facet::Status), [(Some("OPEN".into()), 2)]);
        assert!(tally.sorted(Facet::Bot).is_empty());
    }
}
