//! What an import changed, per kind, and the table printed at the end.

/// Counts for one kind.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct KindCounts {
    /// New objects.
    pub created: usize,
    /// Existing objects that changed.
    pub updated: usize,
    /// Existing objects already up to date.
    pub unchanged: usize,
}

/// The outcome of one import pass.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ImportSummary {
    /// True when nothing was written (`--dry-run`).
    pub dry_run: bool,
    /// Host groups.
    pub host_groups: KindCounts,
    /// Host templates.
    pub host_templates: KindCounts,
    /// Service templates.
    pub service_templates: KindCounts,
    /// Hosts.
    pub hosts: KindCounts,
    /// Services.
    pub services: KindCounts,
    /// Contacts.
    pub contacts: KindCounts,
    /// Current states: `created` for objects without a state yet, `updated` for changed ones.
    pub states: KindCounts,
}

impl ImportSummary {
    /// Every kind with its label, in import order.
    pub fn rows(&self) -> [(&'static str, KindCounts); 7] {
        [
            ("host groups", self.host_groups),
            ("host templates", self.host_templates),
            ("service templates", self.service_templates),
            ("hosts", self.hosts),
            ("services", self.services),
            ("contacts", self.contacts),
            ("current states", self.states),
        ]
    }

    /// Totals over every kind.
    pub fn total(&self) -> KindCounts {
        self.rows().iter().fold(KindCounts::default(), |acc, (_, counts)| KindCounts {
            created: acc.created + counts.created,
            updated: acc.updated + counts.updated,
            unchanged: acc.unchanged + counts.unchanged,
        })
    }

    /// The summary as a plain-text table.
    pub fn table(&self) -> String {
        let (created, updated) = if self.dry_run { ("would create", "would update") } else { ("created", "updated") };
        let mut out = format!("{:<18} {:>12} {:>12} {:>10}\n", "kind", created, updated, "unchanged");
        let total = self.total();
        for (label, counts) in self.rows().into_iter().chain([("total", total)]) {
            out.push_str(&format!(
                "{:<18} {:>12} {:>12} {:>10}\n",
                label, counts.created, counts.updated, counts.unchanged
            ));
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_table_lists_every_kind_and_a_total() {
        let summary = ImportSummary {
            hosts: KindCounts { created: 2, updated: 1, unchanged: 3 },
            contacts: KindCounts { created: 1, updated: 0, unchanged: 0 },
            ..ImportSummary::default()
        };
        let table = summary.table();
        assert_eq!(table.lines().count(), 9);
        assert!(table.lines().any(|line| line.split_whitespace().collect::<Vec<_>>() == ["hosts", "2", "1", "3"]));
        assert!(table.lines().any(|line| line.split_whitespace().collect::<Vec<_>>() == ["total", "3", "1", "3"]));
    }
}
