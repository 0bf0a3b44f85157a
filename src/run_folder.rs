//! A run folder that appears complete or not at all.
//!
//! Everything is written into a hidden sibling `.NAME.partial-PID`; only when the run has
//! finished is it renamed to `NAME` (one atomic rename on the same file system). A run that
//! fails removes its partial folder unless it holds checkpoints (it can then be resumed); one
//! that is killed leaves a folder whose name says it is incomplete.

use anyhow::Context;
use std::fs;
use std::path::{Path, PathBuf};

use crate::failure::{Failure, Internal};

/// A run folder being written.
pub struct RunFolder {
    target: PathBuf,
    partial: PathBuf,
    replace: bool,
    committed: bool,
}

impl RunFolder {
    /// Prepares to write `target`. Refuses an existing non-empty folder unless `replace`.
    pub fn create(target: &Path, replace: bool) -> Result<Self, Failure> {
        let occupied =
            target.exists() && fs::read_dir(target).map_or(true, |mut d| d.next().is_some());
        if occupied && !replace {
            return Err(Failure::input(format!(
                "the output folder {} exists and is not empty; choose another --out or add --force to replace it",
                target.display()
            )));
        }
        let name = target
            .file_name()
            .ok_or_else(|| {
                Failure::input(format!("--out {}: not a folder name", target.display()))
            })?
            .to_string_lossy()
            .into_owned();
        let parent = target
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
            .unwrap_or(Path::new("."));
        fs::create_dir_all(parent).internal(format!("cannot create {}", parent.display()))?;
        let partial = parent.join(format!("{}{}", partial_prefix(&name), std::process::id()));
        if partial.exists() {
            fs::remove_dir_all(&partial).internal(format!("cannot clear {}", partial.display()))?;
        }
        fs::create_dir(&partial).internal(format!("cannot create {}", partial.display()))?;
        Ok(Self {
            target: target.to_owned(),
            partial,
            replace: occupied && replace,
            committed: false,
        })
    }

    /// Takes over the partial folder `partial` of an interrupted run, to finish it into
    /// `target` (refused if `target` is occupied, unless `replace`).
    pub fn adopt(partial: &Path, target: &Path, replace: bool) -> Result<Self, Failure> {
        let occupied =
            target.exists() && fs::read_dir(target).map_or(true, |mut d| d.next().is_some());
        if occupied && !replace {
            return Err(Failure::input(format!(
                "{} exists and is not empty, so the resumed run cannot be moved there; move it \
                 away or add --force to replace it",
                target.display()
            )));
        }
        Ok(Self {
            target: target.to_owned(),
            partial: partial.to_owned(),
            replace: occupied && replace,
            committed: false,
        })
    }

    /// Leaves the partial folder in place (a run stopped on purpose, to be resumed).
    pub fn keep(mut self) -> PathBuf {
        self.committed = true;
        self.partial.clone()
    }

    /// Where the finished run will be.
    pub fn target(&self) -> &Path {
        &self.target
    }

    /// The folder being written.
    pub fn dir(&self) -> &Path {
        &self.partial
    }

    /// Path of file `name` inside the folder being written.
    pub fn file(&self, name: &str) -> PathBuf {
        self.partial.join(name)
    }

    /// Moves the finished folder into place (replacing the old one if asked).
    pub fn commit(mut self) -> Result<PathBuf, Failure> {
        let old = self.partial.with_file_name(format!(
            "{}.replaced",
            self.partial
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default()
        ));
        if self.replace {
            fs::rename(&self.target, &old)
                .with_context(|| format!("cannot move the old {} aside", self.target.display()))
                .map_err(Failure::Internal)?;
        }
        fs::rename(&self.partial, &self.target)
            .with_context(|| format!("cannot move the finished run to {}", self.target.display()))
            .map_err(Failure::Internal)?;
        self.committed = true;
        if self.replace {
            fs::remove_dir_all(&old).internal(format!("cannot remove {}", old.display()))?;
        }
        Ok(self.target.clone())
    }
}

impl Drop for RunFolder {
    /// A run that failed removes its partial folder — unless the folder holds checkpoints:
    /// then it is an interrupted run that `synaptogen resume` can finish.
    fn drop(&mut self) {
        if !self.committed && !self.partial.join(crate::checkpoint::FOLDER).exists() {
            let _ = fs::remove_dir_all(&self.partial);
        }
    }
}

/// The start of the name of the partial folders of a run folder called `name`
/// (`.NAME.partial-`, then the writing process's id).
pub fn partial_prefix(name: &str) -> String {
    format!(".{name}.partial-")
}

/// Writes `contents` to `path` through a temporary file and a rename.
pub fn write_atomic(path: &Path, contents: &[u8]) -> Result<(), Failure> {
    let tmp = path.with_extension("tmp");
    fs::write(&tmp, contents).internal(format!("cannot write {}", tmp.display()))?;
    fs::rename(&tmp, path).internal(format!("cannot write {}", path.display()))
}

/// `runs/NAME-NNN` with the first number not yet taken.
pub fn default_target(name: &str) -> PathBuf {
    let name = if name.is_empty() { "run" } else { name };
    (1..)
        .map(|n| PathBuf::from("runs").join(format!("{name}-{n:03}")))
        .find(|p| !p.exists())
        .expect("a free name exists")
}
