//! `report.html`: one self-contained page — styles inline and every figure embedded as a PNG
//! data URI, so it opens from a laptop, a mail attachment or an air-gapped cluster alike.

use std::fmt::Write;

use base64::Engine;
use serde_json::Value;

use crate::chart::Figure;
use crate::run::RunData;

const STYLE: &str = "body{font-family:sans-serif;max-width:1160px;margin:2em auto;padding:0 1em;\
color:#222}h1{margin-bottom:0.2em}.meta{color:#555}table{border-collapse:collapse;margin:0.5em 0 \
1.5em}th,td{border:1px solid #ccc;padding:0.25em 0.6em;text-align:right}th{background:#f2f2f2}\
td:first-child,th:first-child{text-align:left}figure{margin:1.5em 0}img{max-width:100%;\
border:1px solid #ddd}figcaption{color:#444;font-size:0.92em;margin-top:0.4em}";

/// Escapes text for HTML.
pub fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

fn number(value: &Value) -> String {
    match value {
        Value::Number(n) => match n.as_f64() {
            Some(x) if x.fract() == 0.0 && x.abs() < 1e15 => format!("{x:.0}"),
            Some(x) if x != 0.0 && (x.abs() < 1e-3 || x.abs() >= 1e6) => format!("{x:.4e}"),
            Some(x) => format!("{x:.4}"),
            None => n.to_string(),
        },
        Value::String(s) => escape(s),
        Value::Null => "–".into(),
        other => escape(&other.to_string()),
    }
}

/// A table of the objects in `rows`, one column per `(title, JSON pointer)`.
fn object_table(out: &mut String, rows: &[Value], columns: &[(&str, &str)]) {
    if rows.is_empty() {
        return;
    }
    out.push_str("<table><tr>");
    for (title, _) in columns {
        let _ = write!(out, "<th>{}</th>", escape(title));
    }
    out.push_str("</tr>");
    for row in rows {
        out.push_str("<tr>");
        for (_, pointer) in columns {
            let _ = write!(
                out,
                "<td>{}</td>",
                row.pointer(pointer).map_or("–".into(), number)
            );
        }
        out.push_str("</tr>");
    }
    out.push_str("</table>");
}

fn array<'a>(summary: &'a Value, pointer: &str) -> &'a [Value] {
    summary
        .pointer(pointer)
        .and_then(Value::as_array)
        .map_or(&[], Vec::as_slice)
}

/// The page for `run`, embedding `figures` (`(figure, PNG bytes)`).
pub fn page(run: &RunData, figures: &[(Figure, Vec<u8>)]) -> String {
    let s = run.summary();
    let text = |p: &str| s.pointer(p).map_or("–".into(), number);
    let name = s
        .pointer("/scenario")
        .and_then(Value::as_str)
        .unwrap_or("run");
    let axis = run.axis();
    let mut out = String::new();
    head(&mut out, name);
    let _ = write!(
        out,
        "<p class=\"meta\">{} · seed {} · synaptogen {} · {} mode</p>",
        text("/source"),
        text("/seed"),
        text("/synaptogen_version"),
        text("/schedule/mode"),
    );
    out.push_str("<h2>Run</h2><table>");
    let duration = s
        .pointer("/duration_ms")
        .and_then(Value::as_f64)
        .unwrap_or(0.0);
    let rows = [
        (
            "model time".to_owned(),
            format!("{:.4} {}", axis.at(duration), axis.unit.name),
        ),
        ("time step (ms)".into(), text("/dt_ms")),
        ("steps".into(), text("/steps")),
        ("spiking windows".into(), text("/schedule/windows")),
        ("spiking time (ms)".into(), text("/schedule/spiking_ms")),
        ("neurons".into(), text("/network/neurons")),
        ("synapses".into(), text("/network/synapses")),
        ("spikes".into(), text("/activity/spikes")),
        ("threads".into(), text("/execution/threads")),
        (
            "simulation wall time (s)".into(),
            text("/execution/simulation_wall_s"),
        ),
        ("machine".into(), text("/execution/machine")),
    ];
    for (key, value) in rows {
        let _ = write!(out, "<tr><th>{}</th><td>{value}</td></tr>", escape(&key));
    }
    out.push_str("</table>");

    if !run.marks().is_empty() {
        out.push_str("<h2>Interventions</h2><ul>");
        for mark in run.marks() {
            let end = mark
                .end_ms
                .map(|e| format!(" to {:.4} {}", axis.at(e), axis.unit.name))
                .unwrap_or_default();
            let _ = write!(
                out,
                "<li>{} at {:.4} {}{end}</li>",
                escape(&mark.label),
                axis.at(mark.start_ms),
                axis.unit.name
            );
        }
        out.push_str("</ul>");
    }

    out.push_str("<h2>Key results</h2>");
    object_table(
        &mut out,
        array(s, "/activity/populations"),
        &[
            ("population", "/name"),
            ("neurons", "/neurons"),
            ("rate (Hz)", "/rate_hz"),
            ("CV of ISI", "/cv_isi"),
            ("fraction active", "/fraction_active"),
        ],
    );
    object_table(
        &mut out,
        array(s, "/spines"),
        &[
            ("spiny population", "/population"),
            ("initial spines", "/initial"),
            ("spines at end", "/spines"),
            ("born", "/born"),
            ("eliminated", "/eliminated"),
            ("density (1/µm)", "/density_per_um"),
            ("mean volume (µm³)", "/mean_volume_um3"),
        ],
    );
    object_table(
        &mut out,
        array(s, "/pharmacology/drugs"),
        &[
            ("drug", "/drug"),
            ("peak plasma (ng/mL)", "/peak_plasma_ng_per_ml"),
            ("peak brain free (µM)", "/peak_brain_free_um"),
            ("time of brain peak (ms)", "/peak_brain_time_ms"),
        ],
    );
    object_table(
        &mut out,
        array(s, "/pharmacology/populations"),
        &[
            ("population", "/population"),
            ("peak NMDA block", "/peak_nmda_block"),
            ("BDNF at end", "/signalling_at_end/bdnf"),
            ("p-mTOR at end", "/signalling_at_end/p_mtor"),
            ("protein at end", "/signalling_at_end/protein"),
        ],
    );

    targets_section(&mut out, run);
    figures_section(
        &mut out,
        figures,
        "The run wrote no table a figure is drawn from.",
    );
    out
}

/// The scenario's validation targets against the run's values (nothing without targets).
fn targets_section(out: &mut String, run: &RunData) {
    let results = match crate::run::targets(run.dir()) {
        Ok(r) if r.is_empty() => return,
        Ok(r) => r,
        Err(e) => {
            let _ = write!(
                out,
                "<h2>Validation targets</h2><p>{}</p>",
                escape(&e.to_string())
            );
            return;
        }
    };
    let met = results
        .iter()
        .filter(|r| r.value.as_ref().is_ok_and(|&v| r.target.met_by(v)))
        .count();
    let _ = write!(
        out,
        "<h2>Validation targets</h2><p>{met} of {} met by this run.</p><table><tr><th>id</th>\
         <th>claim</th><th>source</th><th>allowed</th><th>this run</th><th>met</th></tr>",
        results.len()
    );
    for r in &results {
        let (value, verdict) = match &r.value {
            Ok(v) => (
                format!("{v:.4}"),
                if r.target.met_by(*v) {
                    "✔ yes"
                } else {
                    "✘ no"
                },
            ),
            Err(e) => (e.clone(), "? not read"),
        };
        let _ = write!(
            out,
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{verdict}</td></tr>",
            escape(&r.target.id),
            escape(&r.target.claim),
            escape(&r.target.source),
            escape(&r.target.range()),
            escape(&value)
        );
    }
    out.push_str("</table>");
}

/// The start of a page: head with the styles, and the title.
pub fn head(out: &mut String, title: &str) {
    let _ = write!(
        out,
        "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width\">\
         <title>Synaptogen report: {title}</title><style>{STYLE}</style></head><body>\
         <h1>{title}</h1>",
        title = escape(title)
    );
}

/// The figures, embedded as PNG data URIs with their captions, and the end of the page.
pub fn figures_section(out: &mut String, figures: &[(Figure, Vec<u8>)], none: &str) {
    out.push_str("<h2>Figures</h2>");
    if figures.is_empty() {
        let _ = write!(out, "<p>{}</p>", escape(none));
    }
    let encoder = base64::engine::general_purpose::STANDARD;
    for (figure, png) in figures {
        let _ = write!(
            out,
            "<figure id=\"{id}\"><img alt=\"{alt}\" src=\"data:image/png;base64,{data}\">\
             <figcaption><b>{alt}.</b> {caption} (Vector version: <code>report/{id}.svg</code>.)\
             </figcaption></figure>",
            id = figure.name,
            alt = escape(&figure.title),
            data = encoder.encode(png),
            caption = escape(&figure.caption),
        );
    }
    // Tells a headless browser (and the test that drives one) how many figures decoded.
    out.push_str(
        "<script>window.addEventListener('load',function(){var n=0,i=document.images;\
         for(var k=0;k<i.length;k++){if(i[k].complete&&i[k].naturalWidth>0)n++;}\
         document.body.setAttribute('data-figures-loaded',n+'/'+i.length);});</script>",
    );
    out.push_str("</body></html>\n");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_is_escaped_and_numbers_are_readable() {
        assert_eq!(escape("a<b & \"c\">"), "a&lt;b &amp; &quot;c&quot;&gt;");
        assert_eq!(number(&serde_json::json!(3.0)), "3");
        assert_eq!(number(&serde_json::json!(0.123456)), "0.1235");
        assert_eq!(number(&serde_json::json!(1.5e-5)), "1.5000e-5");
        assert_eq!(number(&Value::Null), "–");
    }
}
