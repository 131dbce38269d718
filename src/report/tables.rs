//! The CSV tables: `measures.csv`, `reports.csv`, `themes.csv`, `group_theme.csv`.

use super::{csv_err, csv_writer};
use crate::error::Result;
use crate::label::theme_id;
use crate::pipeline::{Analysis, UNASSIGNED};
use crate::split::BlockRole;
use std::io::Write;

fn opt<T: ToString>(v: &Option<T>) -> String {
    v.as_ref().map(T::to_string).unwrap_or_default()
}

/// `measures.csv`: one row per unit.
pub fn write_measures<W: Write>(a: &Analysis, bom: bool, out: W) -> Result<()> {
    let name = "measures.csv";
    let mut w = csv_writer(out, bom).map_err(|e| crate::error::Error::io(name, e))?;
    w.write_record([
        "measure_id",
        "report_id",
        "file",
        "township",
        "county",
        "province",
        "year",
        "section_kind",
        "section_heading",
        "heading",
        "start",
        "end",
        "theme",
        "theme_label",
        "similarity",
        "label",
        "text",
    ])
    .map_err(csv_err(name))?;
    for (u, unit) in a.units.iter().enumerate() {
        let report = &a.reports[unit.report];
        let theme_label = a.assignments[u]
            .map(|t| a.themes[t].label.as_str())
            .unwrap_or("");
        w.write_record([
            unit.id.as_str(),
            report.id.as_str(),
            report.file.as_str(),
            &opt(&unit.meta.township),
            &opt(&unit.meta.county),
            &opt(&unit.meta.province),
            &opt(&unit.meta.year),
            unit.section_kind.as_str(),
            &unit.section_heading,
            &unit.heading,
            &unit.chars.start.to_string(),
            &unit.chars.end.to_string(),
            &a.theme_id(u),
            theme_label,
            &format!("{:.4}", a.similarity[u]),
            &opt(&unit.label),
            &unit.text,
        ])
        .map_err(csv_err(name))?;
    }
    w.flush().map_err(|e| crate::error::Error::io(name, e))
}

/// `reports.csv`: one row per input file, read or skipped, in input order.
pub fn write_reports<W: Write>(a: &Analysis, bom: bool, out: W) -> Result<()> {
    let name = "reports.csv";
    let mut w = csv_writer(out, bom).map_err(|e| crate::error::Error::io(name, e))?;
    w.write_record([
        "report_id",
        "file",
        "status",
        "reason",
        "encoding",
        "township",
        "county",
        "province",
        "year",
        "published",
        "units",
        "chars",
        "chrome_chars",
        "issuer",
    ])
    .map_err(csv_err(name))?;
    let mut units = vec![0usize; a.reports.len()];
    for unit in &a.units {
        units[unit.report] += 1;
    }
    let mut rows: Vec<(String, Vec<String>)> = Vec::new();
    for (i, r) in a.reports.iter().enumerate() {
        let chrome: usize = a.splits[i]
            .blocks
            .iter()
            .filter(|b| b.role == BlockRole::Chrome)
            .map(|b| {
                b.span
                    .of(&r.text)
                    .chars()
                    .filter(|c| !crate::read::is_blank(*c))
                    .count()
            })
            .sum();
        rows.push((
            r.id.clone(),
            vec![
                r.id.clone(),
                r.file.clone(),
                "ok".into(),
                String::new(),
                r.encoding.clone(),
                opt(&r.meta.township),
                opt(&r.meta.county),
                opt(&r.meta.province),
                opt(&r.meta.year),
                opt(&r.meta.published),
                units[i].to_string(),
                r.text.chars().count().to_string(),
                chrome.to_string(),
                opt(&r.meta.issuer),
            ],
        ));
    }
    for s in &a.skipped {
        let mut row = vec![
            s.id.clone(),
            s.file.clone(),
            "skipped".into(),
            s.reason.clone(),
        ];
        row.extend(std::iter::repeat_n(String::new(), 6));
        row.extend(["0".to_string(), String::new(), String::new(), String::new()]);
        rows.push((s.id.clone(), row));
    }
    rows.sort_by(|x, y| x.0.cmp(&y.0));
    for (_, row) in rows {
        w.write_record(&row).map_err(csv_err(name))?;
    }
    w.flush().map_err(|e| crate::error::Error::io(name, e))
}

/// `themes.csv`: one row per theme (and one for unassigned units, if any).
pub fn write_themes_csv<W: Write>(a: &Analysis, bom: bool, out: W) -> Result<()> {
    let name = "themes.csv";
    let mut w = csv_writer(out, bom).map_err(|e| crate::error::Error::io(name, e))?;
    w.write_record([
        "theme",
        "label",
        "size",
        "groups",
        "recurrence",
        "top_terms",
        "examples",
        "stability",
    ])
    .map_err(csv_err(name))?;
    for (t, theme) in a.themes.iter().enumerate() {
        let terms = theme
            .top_terms
            .iter()
            .map(|(term, weight)| format!("{term}:{weight:.4}"))
            .collect::<Vec<_>>()
            .join(";");
        let examples = theme
            .examples
            .iter()
            .map(|&u| a.units[u].id.as_str())
            .collect::<Vec<_>>()
            .join(";");
        w.write_record([
            theme.id.as_str(),
            &theme.label,
            &theme.size.to_string(),
            &a.recurrence.theme_groups[t].to_string(),
            &format!("{:.4}", a.recurrence.recurrence[t]),
            &terms,
            &examples,
            &a.stability
                .as_ref()
                .map_or(String::new(), |s| format!("{:.3}", s.per_theme[t])),
        ])
        .map_err(csv_err(name))?;
    }
    let unassigned = a.unassigned();
    if unassigned > 0 {
        let groups = a.recurrence.counts.len() - unassigned_free_groups(a);
        let share = groups as f64 / a.recurrence.groups.len().max(1) as f64;
        w.write_record([
            UNASSIGNED,
            "（未归类：无词表词）",
            &unassigned.to_string(),
            &groups.to_string(),
            &format!("{share:.4}"),
            "",
            "",
            "",
        ])
        .map_err(csv_err(name))?;
    }
    w.flush().map_err(|e| crate::error::Error::io(name, e))
}

/// `plans_followed.csv`: per township and year, each planned theme and its measures next year.
pub fn write_plans_followed<W: Write>(a: &Analysis, bom: bool, out: W) -> Result<()> {
    let name = "plans_followed.csv";
    let mut w = csv_writer(out, bom).map_err(|e| crate::error::Error::io(name, e))?;
    w.write_record([
        "township",
        "year",
        "theme",
        "theme_label",
        "planned_units",
        "next_year",
        "measures_next_year",
        "followed",
    ])
    .map_err(csv_err(name))?;
    for p in crate::recurrence::plans_followed(&a.units, &a.assignments) {
        w.write_record([
            p.township.as_str(),
            &p.year.to_string(),
            &theme_id(p.theme),
            &a.themes[p.theme].label,
            &p.planned.to_string(),
            &(p.year + 1).to_string(),
            &p.measures_next_year.to_string(),
            if p.measures_next_year > 0 {
                "yes"
            } else {
                "no"
            },
        ])
        .map_err(csv_err(name))?;
    }
    w.flush().map_err(|e| crate::error::Error::io(name, e))
}

/// Groups where every unit has a theme.
fn unassigned_free_groups(a: &Analysis) -> usize {
    a.recurrence
        .counts
        .iter()
        .zip(&a.recurrence.group_totals)
        .filter(|(c, n)| c.iter().sum::<usize>() == **n)
        .count()
}

/// `group_theme.csv`: units per group and theme.
pub fn write_group_theme<W: Write>(a: &Analysis, bom: bool, out: W) -> Result<()> {
    let name = "group_theme.csv";
    let mut w = csv_writer(out, bom).map_err(|e| crate::error::Error::io(name, e))?;
    let k = a.themes.len();
    let with_unassigned = a.unassigned() > 0;
    let mut header = vec!["group".to_string()];
    header.extend((0..k).map(theme_id));
    if with_unassigned {
        header.push(UNASSIGNED.to_string());
    }
    header.push("total".to_string());
    w.write_record(&header).map_err(csv_err(name))?;
    let r = &a.recurrence;
    for (g, group) in r.groups.iter().enumerate() {
        let mut row = vec![group.clone()];
        row.extend(r.counts[g].iter().map(usize::to_string));
        if with_unassigned {
            row.push((r.group_totals[g] - r.counts[g].iter().sum::<usize>()).to_string());
        }
        row.push(r.group_totals[g].to_string());
        w.write_record(&row).map_err(csv_err(name))?;
    }
    w.flush().map_err(|e| crate::error::Error::io(name, e))
}
