//! Checkpoint files: a versioned, self-describing snapshot of a run.
//!
//! A checkpoint is one file, `checkpoints/step-NNNNNNNNNNNN.ckpt` in the run folder:
//!
//! 1. the line `synaptogen-checkpoint`;
//! 2. one line of JSON, the [`Header`]: format version, program version, scenario name and
//!    seed, the step and model time, the byte length of every output file at that moment,
//!    the run's checkpoint settings and its target folder, and the resolved scenario itself;
//! 3. the state of the simulation (`Built::save_state`, bincode), `state_bytes` long.
//!
//! Checkpoints are written to a temporary file and renamed, so a run killed at any moment
//! leaves only whole ones.

use std::collections::BTreeMap;
use std::fs;
use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::failure::{Failure, Internal};

/// Version of the checkpoint format this program reads and writes. Raised whenever the
/// header or the state changes shape; another version is refused with a clear error.
pub const CHECKPOINT_VERSION: u32 = 2;

const MAGIC: &str = "synaptogen-checkpoint";

/// The folder of a run's checkpoints.
pub const FOLDER: &str = "checkpoints";

/// When a run writes checkpoints, and where it ends up (kept so `resume` can go on).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct CheckpointPlan {
    /// Period of the rolling checkpoint (only the newest is kept), ms.
    pub every_ms: Option<f64>,
    /// Times of checkpoints that are all kept (e.g. the state to fork arms from), ms.
    pub at_ms: Vec<f64>,
    /// The run folder the finished run is moved to.
    pub target: PathBuf,
}

impl CheckpointPlan {
    /// The first checkpoint step after `step` (`u64::MAX` when none), with the step length.
    pub fn next_after(&self, step: u64, dt_ms: f64) -> u64 {
        let to_step = |ms: f64| (ms / dt_ms).round() as u64;
        let periodic = self.every_ms.map_or(u64::MAX, |every| {
            let every = to_step(every).max(1);
            (step / every + 1) * every
        });
        self.at_ms
            .iter()
            .map(|&t| to_step(t))
            .filter(|&s| s > step)
            .fold(periodic, u64::min)
    }

    /// True when the checkpoint at `step` is one of the kept ones.
    pub fn keeps(&self, step: u64, dt_ms: f64) -> bool {
        self.at_ms
            .iter()
            .any(|&t| (t / dt_ms).round() as u64 == step)
    }
}

/// What a checkpoint says about itself (the JSON line).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Header {
    /// [`CHECKPOINT_VERSION`] of the program that wrote it.
    pub checkpoint_version: u32,
    /// Version of that program.
    pub synaptogen_version: String,
    /// `schema_version` of the scenario.
    pub scenario_schema_version: u32,
    /// Scenario name.
    pub scenario: String,
    /// Where the scenario was read from (a path, or `<built-in NAME>`).
    pub source: String,
    /// Master seed.
    pub seed: u64,
    /// Step at which the run stood (every step before it is done).
    pub step: u64,
    /// Model time, ms.
    pub model_time_ms: f64,
    /// Byte length of every output file at this moment.
    pub outputs: BTreeMap<String, u64>,
    /// The run's checkpoint settings and target.
    pub plan: CheckpointPlan,
    /// Length of the state that follows, bytes.
    pub state_bytes: u64,
    /// The resolved scenario (TOML), every default filled in.
    pub scenario_toml: String,
}

/// A checkpoint read back.
pub struct Checkpoint {
    /// The file.
    pub path: PathBuf,
    /// Its header.
    pub header: Header,
    /// The simulation state.
    pub state: Vec<u8>,
}

/// Writes a checkpoint into `run_dir/checkpoints/` (temporary file, then rename); returns
/// its path.
pub fn write(run_dir: &Path, header: &Header, state: &[u8]) -> Result<PathBuf, Failure> {
    let dir = run_dir.join(FOLDER);
    fs::create_dir_all(&dir).internal(format!("cannot create {}", dir.display()))?;
    let path = dir.join(format!("step-{:012}.ckpt", header.step));
    let json = serde_json::to_string(header).internal("cannot encode a checkpoint header")?;
    let mut bytes = Vec::with_capacity(MAGIC.len() + json.len() + state.len() + 2);
    bytes.extend_from_slice(MAGIC.as_bytes());
    bytes.push(b'\n');
    bytes.extend_from_slice(json.as_bytes());
    bytes.push(b'\n');
    bytes.extend_from_slice(state);
    crate::run_folder::write_atomic(&path, &bytes)?;
    Ok(path)
}

/// Reads the checkpoint at `path`, refusing other formats and versions with an error that
/// names the file and what was found.
pub fn read(path: &Path) -> Result<Checkpoint, Failure> {
    let bad = |why: String| Failure::input(format!("{}: {why}", path.display()));
    let file = fs::File::open(path).map_err(|e| bad(format!("cannot open it ({e})")))?;
    let mut reader = BufReader::new(file);
    let mut line = String::new();
    reader
        .read_line(&mut line)
        .map_err(|e| bad(format!("cannot read it ({e})")))?;
    if line.trim_end() != MAGIC {
        return Err(bad(format!(
            "not a synaptogen checkpoint (its first line should be `{MAGIC}`)"
        )));
    }
    line.clear();
    reader
        .read_line(&mut line)
        .map_err(|e| bad(format!("cannot read its header ({e})")))?;
    let value: serde_json::Value = serde_json::from_str(&line)
        .map_err(|e| bad(format!("its header is not valid JSON ({e})")))?;
    let version = value.get("checkpoint_version").and_then(|v| v.as_u64());
    if version != Some(u64::from(CHECKPOINT_VERSION)) {
        let found = version.map_or("none".to_owned(), |v| v.to_string());
        let by = value
            .get("synaptogen_version")
            .and_then(|v| v.as_str())
            .unwrap_or("an unknown version");
        return Err(bad(format!(
            "checkpoint_version {found} (written by synaptogen {by}); this synaptogen ({}) \
             reads checkpoint_version {CHECKPOINT_VERSION} only — resume or fork it with the \
             version that wrote it",
            env!("CARGO_PKG_VERSION")
        )));
    }
    let header: Header = serde_json::from_value(value)
        .map_err(|e| bad(format!("its header is incomplete ({e})")))?;
    let mut state = Vec::new();
    reader
        .read_to_end(&mut state)
        .map_err(|e| bad(format!("cannot read its state ({e})")))?;
    if state.len() as u64 != header.state_bytes {
        return Err(bad(format!(
            "its state is {} bytes, its header says {}: the file is truncated or damaged",
            state.len(),
            header.state_bytes
        )));
    }
    Ok(Checkpoint {
        path: path.to_owned(),
        header,
        state,
    })
}

/// The checkpoint files in `run_dir`, oldest first.
pub fn list(run_dir: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = fs::read_dir(run_dir.join(FOLDER))
        .map(|d| {
            d.filter_map(Result::ok)
                .map(|e| e.path())
                .filter(|p| p.extension().is_some_and(|x| x == "ckpt"))
                .collect()
        })
        .unwrap_or_default();
    files.sort();
    files
}

/// The step a checkpoint file is named after.
fn step_of(path: &Path) -> Option<u64> {
    path.file_stem()?
        .to_str()?
        .strip_prefix("step-")?
        .parse()
        .ok()
}

/// Removes every checkpoint but `newest` whose step `keep` does not keep.
pub fn prune(run_dir: &Path, newest: &Path, keep: impl Fn(u64) -> bool) {
    for path in list(run_dir) {
        if path != newest && step_of(&path).is_some_and(|s| !keep(s)) {
            let _ = fs::remove_file(&path);
        }
    }
}
