//! The report as one self-contained HTML page: score tables and a plot per
//! column as inline SVG (no script, no external file), viewable offline.

use std::fmt::Write as _;

use super::{ColumnPlot, QualityReport};

const REAL: &str = "#3b6fb6";
const SYNTHETIC: &str = "#e8843c";
const W: f64 = 560.0;
const H: f64 = 240.0;
const LEFT: f64 = 44.0;
const BOTTOM: f64 = 66.0;
const TOP: f64 = 12.0;

/// The report as an HTML page titled `title`.
pub fn to_html(report: &QualityReport, title: &str) -> String {
    let pct = |x: f64| format!("{:.1}%", x * 100.0);
    let mut out = String::new();
    let _ = write!(
        out,
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>{t}</title>\n<style>\
         body{{font-family:system-ui,sans-serif;margin:2em;color:#222;max-width:1200px}}\
         table{{border-collapse:collapse;margin:1em 0}}td,th{{padding:3px 10px;border-bottom:1px solid #ddd;text-align:left}}\
         td.n{{text-align:right}}.score{{font-size:2em;font-weight:bold}}\
         .plots{{display:flex;flex-wrap:wrap;gap:16px}}figure{{margin:0;border:1px solid #eee;padding:6px}}\
         .key span{{display:inline-block;width:12px;height:12px;margin:0 4px 0 12px;vertical-align:middle}}\
         </style></head><body>\n<h1>{t}</h1>\n",
        t = escape(title)
    );
    let _ = writeln!(
        out,
        "<p><span class=\"score\">{}</span> overall quality &nbsp; (column shapes {}, column-pair trends {}; \
         {} real rows, {} synthetic rows)</p>",
        pct(report.overall),
        pct(report.column_shapes),
        pct(report.pair_trends),
        report.real_rows,
        report.synthetic_rows
    );
    let p = &report.privacy;
    let _ = write!(
        out,
        "<h2>Privacy</h2>\n<table><tr><th></th><th>synthetic → real</th><th>real holdout → real</th></tr>\
         <tr><td>exact copies of real rows</td><td class=n>{}</td><td class=n>{}</td></tr>\
         <tr><td>distance to closest record, median</td><td class=n>{:.4}</td><td class=n>{:.4}</td></tr>\
         <tr><td>distance to closest record, 5th percentile</td><td class=n>{:.4}</td><td class=n>{:.4}</td></tr></table>\n",
        pct(p.exact_copies),
        pct(p.holdout_exact_copies),
        p.dcr_median,
        p.holdout_dcr_median,
        p.dcr_p5,
        p.holdout_dcr_p5
    );
    if !report.relations.is_empty() {
        out.push_str(
            "<h2>Relations</h2>\n<table><tr><th>learnt from the real data</th><th>real rows</th><th>synthetic rows</th></tr>\n",
        );
        for r in &report.relations {
            let _ = writeln!(
                out,
                "<tr><td>{}</td><td class=n>{}</td><td class=n>{}</td></tr>",
                escape(&r.rule),
                pct(r.real),
                pct(r.synthetic)
            );
        }
        out.push_str("</table>\n");
    }
    if let Some((real, synthetic)) = &report.locale {
        let show = |l: &Option<String>| escape(l.as_deref().unwrap_or("en (none guessed)"));
        let _ = writeln!(
            out,
            "<p>Locale of the personal text: real {}, synthetic {}</p>",
            show(real),
            show(synthetic)
        );
    }
    out.push_str(
        "<h2>Column shapes</h2>\n<table><tr><th>column</th><th>kind</th><th>metric</th><th>score</th></tr>\n",
    );
    for c in &report.columns {
        let _ = writeln!(
            out,
            "<tr><td>{}</td><td>{}</td><td>{}</td><td class=n>{}</td></tr>",
            escape(&c.column),
            c.kind.name(),
            c.metric,
            pct(c.score)
        );
    }
    out.push_str("</table>\n");
    let _ = write!(
        out,
        "<p class=\"key\"><span style=\"background:{REAL}\"></span>real<span style=\"background:{SYNTHETIC}\"></span>synthetic</p>\n<div class=\"plots\">\n"
    );
    for plot in &report.plots {
        out.push_str(&svg(plot));
    }
    out.push_str("</div>\n");
    if !report.pairs.is_empty() {
        out.push_str(
            "<h2>Column-pair trends</h2>\n<table><tr><th>columns</th><th>metric</th><th>score</th><th>real correlation</th><th>synthetic correlation</th></tr>\n",
        );
        for pair in &report.pairs {
            let (r, s) = pair
                .correlations
                .map_or((String::new(), String::new()), |(r, s)| {
                    (format!("{r:.3}"), format!("{s:.3}"))
                });
            let _ = writeln!(
                out,
                "<tr><td>{} × {}</td><td>{}</td><td class=n>{}</td><td class=n>{r}</td><td class=n>{s}</td></tr>",
                escape(&pair.a),
                escape(&pair.b),
                pair.metric,
                pct(pair.score)
            );
        }
        out.push_str("</table>\n");
    }
    out.push_str("</body></html>\n");
    out
}

/// Real and synthetic frequencies side by side: bars per label.
fn svg(plot: &ColumnPlot) -> String {
    let n = plot.labels.len().max(1);
    let top = plot
        .real
        .iter()
        .chain(&plot.synthetic)
        .copied()
        .fold(0.0f64, f64::max)
        .max(1e-9);
    let plot_w = W - LEFT - 8.0;
    let plot_h = H - TOP - BOTTOM;
    let slot = plot_w / n as f64;
    let bar = slot * 0.4;
    let y = |v: f64| TOP + plot_h * (1.0 - v / top);
    let mut s = String::new();
    let _ = write!(
        s,
        "<figure><figcaption>{}</figcaption><svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{W}\" height=\"{H}\" viewBox=\"0 0 {W} {H}\" font-size=\"10\">",
        escape(&plot.column)
    );
    let _ = write!(
        s,
        "<line x1=\"{LEFT}\" y1=\"{TOP}\" x2=\"{LEFT}\" y2=\"{b}\" stroke=\"#999\"/><line x1=\"{LEFT}\" y1=\"{b}\" x2=\"{r}\" y2=\"{b}\" stroke=\"#999\"/>",
        b = TOP + plot_h,
        r = LEFT + plot_w
    );
    for frac in [0.0, 0.5, 1.0] {
        let _ = write!(
            s,
            "<text x=\"{x}\" y=\"{y:.1}\" text-anchor=\"end\">{v:.0}%</text>",
            x = LEFT - 4.0,
            y = y(top * frac) + 3.0,
            v = top * frac * 100.0
        );
    }
    for (i, label) in plot.labels.iter().enumerate() {
        let x0 = LEFT + slot * i as f64 + slot * 0.1;
        for (k, (values, color)) in [(&plot.real, REAL), (&plot.synthetic, SYNTHETIC)]
            .into_iter()
            .enumerate()
        {
            let v = values.get(i).copied().unwrap_or(0.0);
            let _ = write!(
                s,
                "<rect x=\"{:.1}\" y=\"{:.1}\" width=\"{bar:.1}\" height=\"{:.1}\" fill=\"{color}\"><title>{}: {:.1}%</title></rect>",
                x0 + bar * k as f64,
                y(v),
                TOP + plot_h - y(v),
                escape(label),
                v * 100.0
            );
        }
        // Every label for categories; every fourth bin edge for numbers.
        if !plot.numeric || i % 4 == 0 {
            let short: String = label.chars().take(14).collect();
            let _ = write!(
                s,
                "<text transform=\"translate({:.1},{:.1}) rotate(40)\">{}</text>",
                x0,
                TOP + plot_h + 10.0,
                escape(&short)
            );
        }
    }
    s.push_str("</svg></figure>\n");
    s
}

fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}
