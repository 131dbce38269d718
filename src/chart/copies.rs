//! `copies.svg`: copy links between groups. Rows and columns are the groups with copied text
//! (the [`MAX_GROUPS`] with the most links); a cell counts the near-duplicate measure pairs
//! between the two groups, the diagonal those within one group. Colour on a reversed viridis
//! scale (yellow = few, dark purple = many, light grey = none); hover a cell for the count and
//! the most similar pair.

use super::GroupNoun;
use super::style::{
    self, Canvas, EMPTY, HEADING_H, LABEL_PX, MARGIN, MUTED, NOTE, NOTE_PX, SMALL_PX, Txt,
    label_column_width, text_on, text_width, truncate, viridis,
};
use crate::analysis::Analysis;
use crate::config::Lang;
use crate::error::Result;
use crate::recurrence::group_of;
use std::collections::BTreeMap;

/// The file written.
pub const FILE: &str = "copies.svg";

/// At most this many groups are drawn: those with the most copy links.
pub const MAX_GROUPS: usize = 40;

const CELL: f64 = 30.0;
const LABEL_EM: f64 = 12.0;
const SCALE_W: f64 = 240.0;

/// The links between two groups.
#[derive(Debug, Clone, PartialEq)]
pub struct Link {
    /// Copied measure pairs between them.
    pub pairs: usize,
    /// The most similar pair: its measure ids and Jaccard similarity.
    pub best: (String, String, f64),
}

/// What the copy chart shows.
#[derive(Debug, Clone, PartialEq)]
pub struct CopiesData {
    /// What a group is.
    pub noun: GroupNoun,
    /// Group names, sorted.
    pub groups: Vec<String>,
    /// Links by pair of group indices `(g, h)`, `g <= h`.
    pub links: BTreeMap<(usize, usize), Link>,
    /// The language of the chart's text.
    pub lang: Lang,
}

impl CopiesData {
    /// The copy links of an analysis, by its groups.
    pub fn from_analysis(a: &Analysis) -> CopiesData {
        let by = a.group_by();
        let mut names: Vec<String> = a.units.iter().map(|u| group_of(&u.meta, by)).collect();
        let unit_group = {
            let mut groups = names.clone();
            groups.sort();
            groups.dedup();
            let index: Vec<usize> = names
                .iter()
                .map(|n| groups.binary_search(n).expect("every name is listed"))
                .collect();
            names = groups;
            index
        };
        let mut links: BTreeMap<(usize, usize), Link> = BTreeMap::new();
        for p in &a.copies.pairs {
            let (g, h) = (unit_group[p.a.index()], unit_group[p.b.index()]);
            let key = (g.min(h), g.max(h));
            let pair = || {
                (
                    a.units[p.a.index()].id.clone(),
                    a.units[p.b.index()].id.clone(),
                    p.similarity,
                )
            };
            let link = links.entry(key).or_insert_with(|| Link {
                pairs: 0,
                best: pair(),
            });
            link.pairs += 1;
            if p.similarity > link.best.2 {
                link.best = pair();
            }
        }
        CopiesData {
            noun: GroupNoun::of(by),
            lang: a.config.report.lang,
            groups: names,
            links,
        }
    }

    fn pairs(&self, g: usize, h: usize) -> usize {
        self.links.get(&(g.min(h), g.max(h))).map_or(0, |l| l.pairs)
    }

    /// The groups drawn: those with links, the most linked first (at most [`MAX_GROUPS`]), then
    /// shown in name order.
    fn shown(&self) -> (Vec<usize>, usize) {
        let mut total = vec![0usize; self.groups.len()];
        for (&(g, h), link) in &self.links {
            total[g] += link.pairs;
            if g != h {
                total[h] += link.pairs;
            }
        }
        let mut linked: Vec<usize> = (0..self.groups.len()).filter(|&g| total[g] > 0).collect();
        let all = linked.len();
        linked.sort_by(|&x, &y| total[y].cmp(&total[x]).then(x.cmp(&y)));
        linked.truncate(MAX_GROUPS);
        linked.sort_unstable();
        (linked, all)
    }
}

/// Draws the copy chart.
pub fn render(data: &CopiesData) -> Result<String> {
    let noun = data.noun;
    let (shown, linked) = data.shown();
    let labels: Vec<String> = shown
        .iter()
        .map(|&g| truncate(&data.groups[g], LABEL_EM * LABEL_PX, LABEL_PX))
        .collect();
    let left_w = label_column_width(&labels);
    let lang = data.lang;
    let (title, subtitle) = match lang {
        Lang::Zh => (
            format!("{}间的文本复制", noun.zh),
            format!(
                "每格为两个{}之间近乎重复的举措对数（对角线：同一{}之内）；{} 个{}中有 {} 个有复制。",
                noun.zh,
                noun.zh,
                data.groups.len(),
                noun.zh,
                linked
            ),
        ),
        Lang::En => (
            format!("Copied text between {}", noun.en_plural),
            format!(
                "Cell = near-duplicate measure pairs between two {} (diagonal: within one); {} of {} {} have copies.",
                noun.en_plural,
                linked,
                data.groups.len(),
                noun.en_plural
            ),
        ),
    };
    let note = (shown.len() < linked).then(|| match lang {
        Lang::Zh => format!(
            "只显示复制关联最多的 {} 个{}；全部见 copies.csv",
            shown.len(),
            noun.zh
        ),
        Lang::En => format!(
            "showing the {} {} with the most copy links; see copies.csv",
            shown.len(),
            noun.en_plural
        ),
    });
    let vmax = shown
        .iter()
        .flat_map(|&g| shown.iter().map(move |&h| data.pairs(g, h)))
        .max()
        .unwrap_or(0)
        .max(1) as f64;
    let fill = |n: usize| {
        if n > 0 {
            viridis(1.0 - n as f64 / vmax)
        } else {
            EMPTY
        }
    };
    let top = MARGIN + HEADING_H + if note.is_some() { NOTE_PX * 1.8 } else { 0.0 };
    // Column heads are the row labels' numbers, so long names need no vertical text.
    let grid_x = MARGIN + left_w + 28.0;
    let grid_y = top + LABEL_PX * 1.6;
    let grid = shown.len() as f64 * CELL;
    let scale_y = grid_y + grid + 16.0;
    let width = (grid_x + grid + MARGIN)
        .max(style::heading_width(&title, &subtitle))
        .max(2.0 * MARGIN + SCALE_W + 150.0)
        .max(2.0 * MARGIN + note.as_deref().map_or(0.0, |n| text_width(n, NOTE_PX)));
    let height = scale_y + NOTE_PX * 1.6 + 12.0 + 18.0 + MARGIN;
    style::render(FILE, (width, height), |c: &mut Canvas| {
        c.heading(&title, &subtitle)?;
        if let Some(note) = &note {
            c.text(
                note,
                (MARGIN, MARGIN + HEADING_H),
                Txt::new(NOTE_PX).color(NOTE).top(),
            )?;
        }
        if shown.is_empty() {
            return c.text(
                lang.pick("未发现复制文本", "no copied text found"),
                (MARGIN, top),
                Txt::new(LABEL_PX).color(MUTED).top(),
            );
        }
        for (i, _) in shown.iter().enumerate() {
            c.text(
                &(i + 1).to_string(),
                (grid_x + (i as f64 + 0.5) * CELL, top),
                Txt::new(SMALL_PX).color(MUTED).center().top(),
            )?;
        }
        for (r, &g) in shown.iter().enumerate() {
            let y0 = grid_y + r as f64 * CELL;
            let mid = y0 + (CELL - 1.0) / 2.0;
            c.text(&labels[r], (grid_x - 30.0, mid), Txt::new(LABEL_PX).right())?;
            c.text(
                &(r + 1).to_string(),
                (grid_x - 6.0, mid),
                Txt::new(SMALL_PX).color(MUTED).right(),
            )?;
            for (i, &h) in shown.iter().enumerate() {
                let x0 = grid_x + i as f64 * CELL;
                let n = data.pairs(g, h);
                let colour = fill(n);
                let tip = match (data.links.get(&(g.min(h), g.max(h))), lang) {
                    (Some(link), Lang::Zh) => format!(
                        "{} ↔ {}\n{} 对复制的举措\n最相似：{} ~ {}（Jaccard {:.2}）",
                        data.groups[g],
                        data.groups[h],
                        link.pairs,
                        link.best.0,
                        link.best.1,
                        link.best.2
                    ),
                    (None, Lang::Zh) => {
                        format!("{} ↔ {}\n无复制", data.groups[g], data.groups[h])
                    }
                    (Some(link), Lang::En) => format!(
                        "{} ↔ {}\n{} copied measure pairs\nmost similar: {} ~ {} (Jaccard {:.2})",
                        data.groups[g],
                        data.groups[h],
                        link.pairs,
                        link.best.0,
                        link.best.1,
                        link.best.2
                    ),
                    (None, Lang::En) => {
                        format!("{} ↔ {}\nno copies", data.groups[g], data.groups[h])
                    }
                };
                c.rect(
                    (x0, y0),
                    (x0 + CELL - 1.0, y0 + CELL - 1.0),
                    colour,
                    Some(tip),
                )?;
                if n > 0 {
                    c.text(
                        &n.to_string(),
                        (x0 + (CELL - 1.0) / 2.0, mid),
                        Txt::new(SMALL_PX).color(text_on(colour)).center(),
                    )?;
                }
            }
        }
        draw_scale(c, (MARGIN, scale_y), vmax as usize, &fill, lang)
    })
}

/// The colour scale: a caption and a gradient bar from 1 to the largest count.
fn draw_scale(
    c: &mut Canvas,
    (x, y): (f64, f64),
    vmax: usize,
    fill: &dyn Fn(usize) -> plotters::style::RGBColor,
    lang: Lang,
) -> Result<()> {
    c.text(
        lang.pick("复制的举措对数", "copied measure pairs"),
        (x, y),
        Txt::new(NOTE_PX).color(MUTED).top(),
    )?;
    let bar_y = y + NOTE_PX * 1.6;
    const STEPS: usize = 48;
    let step = SCALE_W / STEPS as f64;
    for i in 0..STEPS {
        let n = ((vmax as f64 * (i as f64 + 0.5) / STEPS as f64).ceil() as usize).max(1);
        let x0 = x + i as f64 * step;
        c.rect((x0, bar_y), (x0 + step, bar_y + 12.0), fill(n), None)?;
    }
    for (tx, label) in [(x, "1".to_string()), (x + SCALE_W, vmax.to_string())] {
        c.text(
            &label,
            (tx, bar_y + 16.0),
            Txt::new(SMALL_PX).color(MUTED).center().top(),
        )?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::chart::style::tests::assert_well_formed;
    use crate::config::GroupBy;

    fn data() -> CopiesData {
        let mut links = BTreeMap::new();
        let link = |pairs| Link {
            pairs,
            best: ("r000-001".into(), "r001-001".into(), 0.91),
        };
        links.insert((0, 1), link(12));
        links.insert((1, 1), link(2));
        links.insert((1, 3), link(5));
        CopiesData {
            noun: GroupNoun::of(GroupBy::Township),
            groups: ["江湾镇", "濮院镇", "覃斗镇", "新塍镇"]
                .map(String::from)
                .to_vec(),
            links,
            lang: Lang::En,
        }
    }

    #[test]
    fn linked_groups_only_with_tooltips_in_every_cell() {
        let d = data();
        assert_eq!(d.shown(), (vec![0, 1, 3], 3));
        let svg = render(&d).unwrap();
        assert_well_formed(&svg);
        assert_eq!(crate::chart::elements(&svg, "title"), 9);
        assert!(svg.contains("江湾镇 ↔ 濮院镇\n12 copied measure pairs"));
        assert!(!svg.contains("覃斗镇"));
        assert_eq!(svg, render(&d).unwrap());
    }

    #[test]
    fn no_copies_still_draws() {
        let mut d = data();
        d.links.clear();
        let svg = render(&d).unwrap();
        assert_well_formed(&svg);
        assert!(svg.contains("no copied text found"));
    }

    #[test]
    fn chinese_only_in_zh() {
        let svg = render(&CopiesData {
            lang: Lang::Zh,
            ..data()
        })
        .unwrap();
        assert!(
            svg.contains("乡镇间的文本复制") && svg.contains("江湾镇 ↔ 濮院镇\n12 对复制的举措")
        );
        assert!(!svg.contains("copied") && !svg.contains("township"));
    }
}
