//! `synaptogen report` and `run --report` (issue 8): every expected figure exists as a valid,
//! non-blank PNG and a valid SVG; `report.html` embeds everything it shows; the page loads in
//! headless Chromium (installed by `.ci/run`; this test fails without it).

use std::path::Path;
use std::process::Command;

use crate::support::{SMALL_NETWORK, run_ok, synaptogen, text};

/// Width, height and RGB(A) samples of a PNG file; panics if it is not a valid PNG.
fn decode_png(path: &Path) -> (u32, u32, Vec<u8>) {
    let file = std::fs::File::open(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let mut reader = png::Decoder::new(std::io::BufReader::new(file))
        .read_info()
        .unwrap_or_else(|e| panic!("{} is not a PNG: {e}", path.display()));
    let mut pixels = vec![0; reader.output_buffer_size()];
    let info = reader
        .next_frame(&mut pixels)
        .unwrap_or_else(|e| panic!("{} does not decode: {e}", path.display()));
    pixels.truncate(info.buffer_size());
    (info.width, info.height, pixels)
}

/// Variance of the samples: a blank (one-colour) image has 0.
fn variance(samples: &[u8]) -> f64 {
    let n = samples.len() as f64;
    let mean = samples.iter().map(|&v| f64::from(v)).sum::<f64>() / n;
    samples
        .iter()
        .map(|&v| (f64::from(v) - mean).powi(2))
        .sum::<f64>()
        / n
}

/// Checks figure `name` of the run in `dir`: PNG valid, sized and not blank; SVG complete.
fn assert_figure(dir: &Path, name: &str) {
    let png = dir.join("report").join(format!("{name}.png"));
    let (width, height, pixels) = decode_png(&png);
    assert!(width >= 800 && height >= 300, "{name}: {width}×{height}");
    // White background with axes, text and lines: well above the variance of a blank or
    // near-blank image (a lone axis frame on white measured ≈ 100).
    let v = variance(&pixels);
    assert!(v > 300.0, "{name}.png looks blank (pixel variance {v:.1})");
    let svg = std::fs::read_to_string(dir.join("report").join(format!("{name}.svg")))
        .unwrap_or_else(|e| panic!("{name}.svg: {e}"));
    assert!(
        svg.trim_start().starts_with("<svg") && svg.trim_end().ends_with("</svg>"),
        "{name}.svg is not a complete SVG document"
    );
    let drawn = svg.matches("<polyline").count()
        + svg.matches("<circle").count()
        + svg.matches("<rect").count();
    assert!(
        drawn > 10,
        "{name}.svg draws only {drawn} lines, dots and cells"
    );
}

/// Checks that `report.html` shows `figures` and embeds everything: no address outside the page.
fn assert_self_contained(dir: &Path, figures: &[&str]) -> String {
    let html = std::fs::read_to_string(dir.join("report.html")).expect("report.html");
    for name in figures {
        assert!(
            html.contains(&format!("<figure id=\"{name}\">")),
            "{name} missing"
        );
    }
    assert_eq!(html.matches("<img ").count(), figures.len());
    assert_eq!(
        html.matches("src=\"data:image/png;base64,").count(),
        figures.len(),
        "every image is an embedded PNG"
    );
    for outside in [
        "http://", "https://", "file:", "<link", "<iframe", " src=\"/", "url(",
    ] {
        assert!(
            !html.contains(outside),
            "report.html refers outside itself: {outside}"
        );
    }
    html
}

/// Figures of every run with spikes and spines.
const NETWORK_FIGURES: [&str; 6] = [
    "raster",
    "rates",
    "spine_density",
    "spine_turnover",
    "spine_sizes",
    "mepsc",
];

#[test]
fn the_default_scenario_reports_its_figures() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("default");
    let out_str = out.to_str().unwrap();
    run_ok(&[
        "run",
        "--out",
        out_str,
        "--quiet",
        "--report",
        "--set",
        "simulation.duration_ms=1000",
    ]);
    for name in NETWORK_FIGURES {
        assert_figure(&out, name);
    }
    let html = assert_self_contained(&out, &NETWORK_FIGURES);
    assert!(html.contains("<h1>pfc_baseline</h1>"), "{}", &html[..400]);
    // Without drugs there is no drug figure.
    assert!(!out.join("report").join("drugs.png").exists());

    // `synaptogen report` on the same folder replaces the report whole.
    let again = synaptogen(&["report", out_str]);
    assert!(again.status.success(), "{}", text(&again));
    assert_self_contained(&out, &NETWORK_FIGURES);
    let leftovers: Vec<_> = std::fs::read_dir(&out)
        .unwrap()
        .filter_map(|e| e.ok())
        .filter(|e| e.file_name().to_string_lossy().contains("partial"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
}

/// A 30-min ketamine protocol on the small network, spikes recorded, reported.
fn ketamine_report(dir: &Path) -> std::path::PathBuf {
    let out = dir.join("ketamine");
    let mut args = vec![
        "run",
        "ketamine_rat_10mgkg",
        "--out",
        out.to_str().unwrap(),
        "--quiet",
        "--report",
        "--set",
        "simulation.duration_ms=1800000",
        "--set",
        "recording.spikes=[\"pfc_pyr\",\"pfc_pv\"]",
    ];
    args.extend_from_slice(&SMALL_NETWORK);
    run_ok(&args);
    out
}

const KETAMINE_FIGURES: [&str; 10] = [
    "raster",
    "rates",
    "drugs",
    "block",
    "glutamate",
    "signalling",
    "spine_density",
    "spine_turnover",
    "spine_sizes",
    "mepsc",
];

#[test]
fn a_ketamine_run_reports_drugs_block_glutamate_and_signalling_and_loads_in_a_browser() {
    let dir = tempfile::tempdir().unwrap();
    let out = ketamine_report(dir.path());
    for name in KETAMINE_FIGURES {
        assert_figure(&out, name);
    }
    let html = assert_self_contained(&out, &KETAMINE_FIGURES);
    assert!(html.contains("ketamine 10 mg/kg intraperitoneal at 10.0000 min"));
    // The scenario's [[targets]] against this run's values: all five listed; those whose
    // readout lies after the end of this 30-min run say so instead of showing a value.
    assert!(
        html.contains("<h2>Validation targets</h2>"),
        "no targets table"
    );
    for id in ["C-01", "S-01", "C-05", "ST-01"] {
        assert!(
            html.contains(&format!("<td>{id}</td>")),
            "target {id} missing"
        );
    }
    assert_eq!(html.matches("<td>C-01</td>").count(), 2);
    assert_eq!(
        html.matches("? not read").count(),
        html.matches("the run ends at 1800000 ms, before the readout")
            .count(),
        "a target within the run could not be read"
    );
    assert!(
        html.contains("? not read"),
        "S-01 (40-70 min) lies after this run"
    );

    // Headless Chromium: the page loads and every figure decodes.
    let page = out.join("report.html");
    let url = format!("file://{}", page.canonicalize().unwrap().display());
    let chromium = |extra: &[&str]| {
        let mut command = Command::new("chromium");
        command.args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--virtual-time-budget=10000",
        ]);
        command.args(extra).arg(&url);
        command.output().unwrap_or_else(|e| {
            panic!("cannot start chromium ({e}); .ci/run installs Debian's `chromium` package")
        })
    };
    let dom = chromium(&["--dump-dom"]);
    let dom_text = String::from_utf8_lossy(&dom.stdout);
    assert!(
        dom.status.success(),
        "chromium failed: {}",
        String::from_utf8_lossy(&dom.stderr)
    );
    assert!(
        dom_text.contains("data-figures-loaded=\"10/10\""),
        "not every figure loaded: {}",
        &dom_text[..dom_text.len().min(600)]
    );
    let shot = dir.path().join("page.png");
    let screenshot = chromium(&[
        &format!("--screenshot={}", shot.display()),
        "--window-size=1200,1600",
    ]);
    assert!(
        screenshot.status.success() && shot.exists(),
        "no screenshot: {}",
        String::from_utf8_lossy(&screenshot.stderr)
    );
    let (_, _, pixels) = decode_png(&shot);
    assert!(variance(&pixels) > 300.0, "the page renders blank");
}

/// A study folder's report: a dose–response figure (with a Hill fit) and a heat map from a
/// two-parameter grid, Morris bars from a Morris study; every figure valid and not blank.
#[test]
fn a_study_reports_dose_response_sensitivity_and_heat_maps() {
    let dir = tempfile::tempdir().unwrap();
    let dose_study = crate::study::STUDY
        .replace("kind = \"latin_hypercube\"\npoints = 8", "kind = \"grid\"")
        .replace("replicates = 2", "replicates = 1")
        .replace(
            "distribution = \"uniform\"\nmin = 1.5\nmax = 3.0",
            "values = [0.0, 0.5, 1.0, 2.0, 4.0]",
        )
        .replace(
            "distribution = \"log_uniform\"\nmin = 0.5\nmax = 2.0",
            "values = [0.9, 1.8]",
        )
        + "\n[analysis]\ndose = \"bg_pyr_hz\"\n";
    let morris_study = crate::study::STUDY
        .replace(
            "kind = \"latin_hypercube\"\npoints = 8",
            "kind = \"morris\"\ntrajectories = 4",
        )
        .replace("replicates = 2", "replicates = 1");
    for (name, study, figures) in [
        ("dose", dose_study, &["dose_response", "heatmap"][..]),
        ("morris", morris_study, &["morris"][..]),
    ] {
        let file = dir.path().join(format!("{name}.toml"));
        std::fs::write(&file, study).unwrap();
        let out = dir.path().join(name);
        run_ok(&[
            "sweep",
            file.to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
            "--quiet",
        ]);
        let output = synaptogen(&["report", out.to_str().unwrap()]);
        assert!(output.status.success(), "{}", text(&output));
        for figure in figures {
            assert_figure(&out, figure);
        }
        let html = assert_self_contained(&out, figures);
        if name == "dose" {
            assert!(html.contains("<h2>Hill fits</h2>"), "the fits are tabled");
            let fits = std::fs::read_to_string(out.join("analysis/dose_response.csv")).unwrap();
            assert!(fits.contains("pyr_rate_hz,"), "{fits}");
        }
    }
}

#[test]
fn reporting_a_folder_that_is_not_a_finished_run_is_an_input_error() {
    let dir = tempfile::tempdir().unwrap();
    let out = synaptogen(&["report", dir.path().to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("summary.json") && err.contains("finished run"),
        "{err}"
    );
    assert_eq!(
        std::fs::read_dir(dir.path()).unwrap().count(),
        0,
        "nothing written"
    );
}
