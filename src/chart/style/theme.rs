//! Colours: ink and greys, viridis for amounts, and the qualitative palette and map markers
//! that tell themes apart.

use plotters::prelude::*;

/// Body text.
pub(crate) const INK: RGBColor = RGBColor(0x22, 0x22, 0x22);
/// Secondary text: subtitles, counts, tick labels.
pub(crate) const MUTED: RGBColor = RGBColor(0x66, 0x66, 0x66);
/// Warnings written in a chart (e.g. rows left out).
pub(crate) const NOTE: RGBColor = RGBColor(0xA6, 0x3C, 0x00);
/// Axis lines.
pub(crate) const AXIS: RGBColor = RGBColor(0x88, 0x88, 0x88);
/// Grid lines behind bars.
pub(crate) const GRID: RGBColor = RGBColor(0xE2, 0xE2, 0xE2);
/// Empty cells (a share of exactly zero).
pub(crate) const EMPTY: RGBColor = RGBColor(0xF2, 0xF2, 0xF2);
/// Units without a theme.
pub(crate) const UNASSIGNED: RGBColor = RGBColor(0xB4, 0xB4, 0xB4);

/// Viridis (matplotlib's colour-blind-safe sequential map) at `v` in [0, 1], interpolated
/// between 11 stops: 0 is dark purple, 1 is yellow.
pub(crate) fn viridis(v: f64) -> RGBColor {
    const STOPS: [(u8, u8, u8); 11] = [
        (0x44, 0x01, 0x54),
        (0x48, 0x24, 0x75),
        (0x41, 0x44, 0x87),
        (0x35, 0x5F, 0x8D),
        (0x2A, 0x78, 0x8E),
        (0x21, 0x91, 0x8C),
        (0x22, 0xA8, 0x84),
        (0x44, 0xBF, 0x70),
        (0x7A, 0xD1, 0x51),
        (0xBD, 0xDF, 0x26),
        (0xFD, 0xE7, 0x25),
    ];
    let v = if v.is_finite() {
        v.clamp(0.0, 1.0)
    } else {
        0.0
    } * 10.0;
    let i = (v.floor() as usize).min(9);
    let f = v - i as f64;
    let (a, b) = (STOPS[i], STOPS[i + 1]);
    let mix = |x: u8, y: u8| (x as f64 + (y as f64 - x as f64) * f).round() as u8;
    RGBColor(mix(a.0, b.0), mix(a.1, b.1), mix(a.2, b.2))
}

/// The shape of a theme's points on the map.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Shape {
    /// A disc.
    Circle,
    /// An upward triangle.
    Triangle,
    /// A square.
    Square,
}

/// The qualitative palette for themes, 36 colours that stay apart at 30 themes: Tableau 10 (its
/// grey swapped for navy, as grey means unassigned or 其他), then each next colour the sRGB
/// colour farthest in CIEDE2000 from every one before it, from white and from the greys, among
/// colours of lightness 32–85 and chroma 22–70 (no neon). The smallest CIEDE2000 distance
/// between two of them is 16.4 among the first 20, 15.7 among the first 30 and 14.3 among all
/// 36; tested in [`tests::the_palette_stays_apart`].
const PALETTE: [RGBColor; 36] = [
    RGBColor(0x4E, 0x79, 0xA7),
    RGBColor(0xF2, 0x8E, 0x2B),
    RGBColor(0xE1, 0x57, 0x59),
    RGBColor(0x76, 0xB7, 0xB2),
    RGBColor(0x59, 0xA1, 0x4F),
    RGBColor(0xED, 0xC9, 0x48),
    RGBColor(0xB0, 0x7A, 0xA1),
    RGBColor(0xFF, 0x9D, 0xA7),
    RGBColor(0x9C, 0x75, 0x5F),
    RGBColor(0x2F, 0x4B, 0x7C),
    RGBColor(0x00, 0x5A, 0x4B),
    RGBColor(0x96, 0x00, 0x5A),
    RGBColor(0x5A, 0x5A, 0x00),
    RGBColor(0x96, 0x1E, 0x00),
    RGBColor(0xB4, 0xB4, 0xFF),
    RGBColor(0x00, 0xF0, 0xA5),
    RGBColor(0x00, 0xB4, 0xFF),
    RGBColor(0x87, 0x4B, 0xB4),
    RGBColor(0x96, 0x87, 0x00),
    RGBColor(0xB4, 0xE1, 0x5A),
    RGBColor(0xFF, 0x96, 0xFF),
    RGBColor(0xF0, 0xC3, 0xA5),
    RGBColor(0x78, 0x4B, 0x0F),
    RGBColor(0x00, 0x69, 0x0F),
    RGBColor(0x0F, 0x87, 0x87),
    RGBColor(0x87, 0x4B, 0x4B),
    RGBColor(0xA5, 0xA5, 0x78),
    RGBColor(0x96, 0x78, 0xF0),
    RGBColor(0x00, 0xE1, 0xFF),
    RGBColor(0x69, 0x4B, 0x69),
    RGBColor(0xC3, 0x5A, 0x0F),
    RGBColor(0xD2, 0x3C, 0x78),
    RGBColor(0xF0, 0xC3, 0xE1),
    RGBColor(0x69, 0x78, 0x4B),
    RGBColor(0xA5, 0xD2, 0xA5),
    RGBColor(0x00, 0x5A, 0x69),
];

/// How many themes get a colour of their own: stacked bars draw the themes past it together as
/// one 其他 segment in [`OTHER`], so no two themes in one bar share a fill.
pub(crate) const THEME_COLOURS: usize = PALETTE.len();

/// The segment of the themes past [`THEME_COLOURS`] in stacked bars (其他, others).
pub(crate) const OTHER: RGBColor = RGBColor(0x8C, 0x8C, 0x8C);

/// How many themes the map tells apart: every colour of the palette with each of the 3 shapes.
/// Themes past it are drawn in [`OTHER`] grey.
pub(crate) const MAP_STYLES: usize = 3 * PALETTE.len();

/// Theme `t`'s colour: its own for the first [`THEME_COLOURS`] themes, then the palette again
/// (the map tells those apart by [`theme_shape`]; stacked bars draw them as 其他).
pub(crate) fn theme_color(t: usize) -> RGBColor {
    PALETTE[t % PALETTE.len()]
}

/// Theme `t`'s marker on the map: discs for the first [`THEME_COLOURS`] themes, then triangles,
/// then squares, so colour and marker together tell [`MAP_STYLES`] themes apart.
pub(crate) fn theme_shape(t: usize) -> Shape {
    match (t / PALETTE.len()) % 3 {
        0 => Shape::Circle,
        1 => Shape::Triangle,
        _ => Shape::Square,
    }
}

/// Dark or white text, whichever reads on `fill`.
pub(crate) fn text_on(fill: RGBColor) -> RGBColor {
    let RGBColor(r, g, b) = fill;
    let luma = (0.299 * r as f64 + 0.587 * g as f64 + 0.114 * b as f64) / 255.0;
    if luma < 0.55 { WHITE } else { INK }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn colours_are_distinct_and_readable() {
        assert_eq!(viridis(0.0), RGBColor(0x44, 0x01, 0x54));
        assert_eq!(viridis(1.0), RGBColor(0xFD, 0xE7, 0x25));
        assert_eq!(text_on(viridis(0.0)), WHITE);
        assert_eq!(text_on(viridis(1.0)), INK);
        let styles: Vec<_> = (0..MAP_STYLES)
            .map(|t| (theme_color(t), theme_shape(t)))
            .collect();
        for (i, a) in styles.iter().enumerate() {
            assert!(styles[i + 1..].iter().all(|b| b != a), "theme {i} repeats");
        }
        assert!(PALETTE.iter().all(|&c| c != OTHER && c != UNASSIGNED));
    }

    /// CIELAB of an sRGB colour (D65).
    fn lab(RGBColor(r, g, b): RGBColor) -> (f64, f64, f64) {
        let lin = |c: u8| {
            let c = c as f64 / 255.0;
            if c <= 0.04045 {
                c / 12.92
            } else {
                ((c + 0.055) / 1.055).powf(2.4)
            }
        };
        let (r, g, b) = (lin(r), lin(g), lin(b));
        let x = (0.4124 * r + 0.3576 * g + 0.1805 * b) / 0.95047;
        let y = 0.2126 * r + 0.7152 * g + 0.0722 * b;
        let z = (0.0193 * r + 0.1192 * g + 0.9505 * b) / 1.08883;
        let f = |t: f64| {
            if t > 0.008856 {
                t.cbrt()
            } else {
                7.787 * t + 16.0 / 116.0
            }
        };
        let (fx, fy, fz) = (f(x), f(y), f(z));
        (116.0 * fy - 16.0, 500.0 * (fx - fy), 200.0 * (fy - fz))
    }

    /// The CIEDE2000 colour difference (Sharma, Wu and Dalal's formulas).
    fn ciede2000(p: RGBColor, q: RGBColor) -> f64 {
        let ((l1, a1, b1), (l2, a2, b2)) = (lab(p), lab(q));
        let c_bar = (a1.hypot(b1) + a2.hypot(b2)) / 2.0;
        let g = 0.5 * (1.0 - (c_bar.powi(7) / (c_bar.powi(7) + 25f64.powi(7))).sqrt());
        let (a1, a2) = ((1.0 + g) * a1, (1.0 + g) * a2);
        let (c1, c2) = (a1.hypot(b1), a2.hypot(b2));
        let hue = |b: f64, a: f64| b.atan2(a).to_degrees().rem_euclid(360.0);
        let (h1, h2) = (hue(b1, a1), hue(b2, a2));
        let mut dh = h2 - h1;
        if dh > 180.0 {
            dh -= 360.0;
        } else if dh < -180.0 {
            dh += 360.0;
        }
        if c1 * c2 == 0.0 {
            dh = 0.0;
        }
        let big_dh = 2.0 * (c1 * c2).sqrt() * (dh / 2.0).to_radians().sin();
        let l_bar = (l1 + l2) / 2.0;
        let c_bar = (c1 + c2) / 2.0;
        let h_bar = if c1 * c2 == 0.0 {
            h1 + h2
        } else if (h1 - h2).abs() > 180.0 {
            (h1 + h2 + if h1 + h2 < 360.0 { 360.0 } else { -360.0 }) / 2.0
        } else {
            (h1 + h2) / 2.0
        };
        let cos = |d: f64| d.to_radians().cos();
        let t = 1.0 - 0.17 * cos(h_bar - 30.0)
            + 0.24 * cos(2.0 * h_bar)
            + 0.32 * cos(3.0 * h_bar + 6.0)
            - 0.20 * cos(4.0 * h_bar - 63.0);
        let d_theta = 30.0 * (-((h_bar - 275.0) / 25.0).powi(2)).exp();
        let rc = 2.0 * (c_bar.powi(7) / (c_bar.powi(7) + 25f64.powi(7))).sqrt();
        let sl = 1.0 + 0.015 * (l_bar - 50.0).powi(2) / (20.0 + (l_bar - 50.0).powi(2)).sqrt();
        let sc = 1.0 + 0.045 * c_bar;
        let sh = 1.0 + 0.015 * c_bar * t;
        let rt = -(2.0 * d_theta).to_radians().sin() * rc;
        let (dl, dc, dh) = ((l2 - l1) / sl, (c2 - c1) / sc, big_dh / sh);
        (dl * dl + dc * dc + dh * dh + rt * dc * dh).sqrt()
    }

    #[test]
    fn the_palette_stays_apart() {
        // Black and white are 100 apart; a colour is 0 from itself.
        assert!(ciede2000(RGBColor(0, 0, 0), RGBColor(255, 255, 255)) > 99.0);
        assert_eq!(ciede2000(PALETTE[3], PALETTE[3]), 0.0);
        let closest = |n: usize| {
            let colours = &PALETTE[..n];
            colours
                .iter()
                .enumerate()
                .flat_map(|(i, &a)| colours[i + 1..].iter().map(move |&b| ciede2000(a, b)))
                .fold(f64::INFINITY, f64::min)
        };
        assert!(closest(30) >= 15.5, "{}", closest(30));
        assert!(closest(PALETTE.len()) >= 14.0, "{}", closest(PALETTE.len()));
        for grey in [OTHER, UNASSIGNED, EMPTY, WHITE] {
            let near = PALETTE
                .iter()
                .map(|&c| ciede2000(c, grey))
                .fold(f64::INFINITY, f64::min);
            assert!(
                near >= 14.0,
                "a theme colour is near the grey {grey:?}: {near}"
            );
        }
    }
}
