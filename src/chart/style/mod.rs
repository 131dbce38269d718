//! Shared drawing helpers for every chart, by concern: [`text`] (fonts, widths, truncation and
//! wrapping, number formats), [`theme`] (colours and markers), [`canvas`] (drawing into SVG text
//! with tooltips and drill keys) and [`widgets`] (legends, axes, bar charts and the stacked bar
//! shared by the sections and years charts). Everything is re-exported here.

pub(crate) mod canvas;
pub(crate) mod text;
pub(crate) mod theme;
pub(crate) mod widgets;

pub(crate) use canvas::*;
pub(crate) use text::*;
pub(crate) use theme::*;
pub(crate) use widgets::*;

#[cfg(test)]
pub(crate) mod tests {

    /// Checks that `svg` is well-formed enough for an XML parser: tags balance, attributes are
    /// quoted, and no `&` starts anything but an entity.
    pub(crate) fn assert_well_formed(svg: &str) {
        let mut stack: Vec<String> = Vec::new();
        let mut rest = svg;
        while let Some(lt) = rest.find('<') {
            check_text(&rest[..lt]);
            let gt = rest[lt..].find('>').expect("unclosed tag") + lt;
            let tag = &rest[lt + 1..gt];
            assert!(!tag.contains('<'), "< inside a tag: {tag}");
            if let Some(name) = tag.strip_prefix('/') {
                assert_eq!(stack.pop().as_deref(), Some(name), "mismatched </{name}>");
            } else if !tag.ends_with('/') {
                stack.push(tag.split_whitespace().next().expect("tag name").to_string());
            }
            assert_eq!(
                tag.matches('"').count() % 2,
                0,
                "unbalanced quotes in <{tag}>"
            );
            rest = &rest[gt + 1..];
        }
        check_text(rest);
        assert!(stack.is_empty(), "unclosed: {stack:?}");
        assert!(svg.starts_with("<svg "));
    }

    /// What a reader of `svg` sees: its text and tooltips, without tags and attributes.
    pub(crate) fn visible_text(svg: &str) -> String {
        svg.split('<')
            .map(|part| part.split_once('>').map_or(part, |(_, text)| text))
            .collect::<Vec<_>>()
            .join(" ")
    }

    /// The fill of every theme's segments or markers in `svg`, read from the `data-drill`
    /// keys (`…:T` at the end): fails if one theme is drawn in two fills or two themes in one
    /// fill.
    pub(crate) fn fills_by_theme(svg: &str) -> std::collections::BTreeMap<usize, String> {
        let mut by_theme = std::collections::BTreeMap::new();
        for tag in svg.split('<').filter(|t| t.contains("data-drill=\"")) {
            let attr = |name: &str| {
                let at = tag.find(&format!(" {name}=\"")).expect(name) + name.len() + 3;
                tag[at..at + tag[at..].find('"').unwrap()].to_string()
            };
            let key = attr("data-drill");
            let theme: usize = key
                .rsplit(':')
                .next()
                .unwrap()
                .parse()
                .expect("theme index");
            let fill = attr("fill");
            let before = by_theme.insert(theme, fill.clone());
            assert!(
                before.is_none() || before.as_ref() == Some(&fill),
                "theme {theme} drawn in {before:?} and {fill}"
            );
        }
        let mut seen = std::collections::BTreeMap::new();
        for (t, fill) in &by_theme {
            if let Some(u) = seen.insert(fill.clone(), *t) {
                panic!("themes {u} and {t} share the fill {fill}");
            }
        }
        by_theme
    }

    fn check_text(text: &str) {
        for (i, _) in text.match_indices('&') {
            let entity = &text[i..text[i..].find(';').map_or(text.len(), |e| i + e + 1)];
            assert!(
                ["&lt;", "&gt;", "&amp;", "&quot;", "&apos;"].contains(&entity),
                "bare & in {text:?}"
            );
        }
    }
}
