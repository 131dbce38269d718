//! The output folder, written atomically (DESIGN.md §3): a run writes its whole result into a
//! new folder beside `--out` (same parent, `.OUT.policy-themes-tmp-<pid>`) and switches it in
//! at the end by rename, so a reader sees the old result or the new one, never a mix, and the
//! old one stays until the new one is complete.
//!
//! - **Marker.** Every output folder holds [`MARKER`], naming the program and version and
//!   listing the files the run wrote. A folder that exists, is not empty and is neither marked
//!   nor recognisable as an earlier output ([`KNOWN`] files and a policy-themes `run.json`) is
//!   refused: the program writes only where it wrote before.
//! - **User files.** When a run replaces its own folder, every entry of the old folder that the
//!   program did not write is carried over untouched into the new one (hard-linked, or copied
//!   where the file system cannot link; links are recreated, never followed). Stale outputs of
//!   earlier runs disappear because the new folder simply does not have them.
//! - **Links.** Nothing is ever written through a link: the new folder is created fresh, the
//!   marker and lock are opened with `O_NOFOLLOW`, and an `--out` that is itself a link is
//!   refused.
//! - **Lock.** `.OUT.policy-themes-lock` beside the folder is locked (`flock`) for the whole
//!   run; a second run exits with [`Error::OutInUse`], or waits for the first with `--wait`.
//! - **Leftovers.** A run killed before its switch leaves its new folder behind; the next run
//!   into the same `--out` removes it (it holds the lock, so no live run owns it).
//!
//! On Linux the switch is one `renameat2(RENAME_EXCHANGE)`, so `--out` never stops existing;
//! elsewhere (or on a file system without it) the old folder is renamed aside first.

use crate::error::{Error, Result};
use std::collections::BTreeSet;
use std::ffi::OsString;
use std::fs::{self, File, OpenOptions};
use std::io::{ErrorKind, Read, Write};
use std::os::unix::fs::{MetadataExt, OpenOptionsExt};
use std::path::{Path, PathBuf};

/// The marker file of an output folder.
pub const MARKER: &str = ".policy-themes-output";

/// What the marker's first line starts with.
const MARKER_HEAD: &str = "policy-themes ";

/// Files and folders (relative paths) that policy-themes writes or has written into an output
/// folder (DESIGN.md §4 and §5): recognised as its own in folders written before the marker
/// existed, and never carried over as user files.
pub const KNOWN: [&str; 27] = [
    MARKER,
    "measures.csv",
    "reports.csv",
    "themes.csv",
    "themes.json",
    "group_theme.csv",
    "plans_followed.csv",
    "copies.csv",
    "workbook.xlsx",
    "run.json",
    "index.html",
    "heatmap.svg",
    "recurrence.svg",
    "terms.svg",
    "map.svg",
    "sections.svg",
    "k.svg",
    "years.svg",
    "stability.svg",
    "tokens.json",
    "tfidf.json",
    "reduced.csv",
    "centroids.csv",
    "model",
    "model/model.json",
    "model/components.npy",
    "model/kmeans.json",
];

/// Whether a folder name (the last component of a path) is a new or set-aside folder of a
/// policy-themes run, which an input walk never enters.
pub fn is_work_folder_name(name: &str) -> bool {
    name.starts_with('.')
        && (name.contains(".policy-themes-tmp-") || name.contains(".policy-themes-old-"))
}

/// Whether `dir` is a policy-themes output folder (it holds the marker), which an input walk
/// never enters: an output inside an input folder is never read back.
pub fn is_output_folder(dir: &Path) -> bool {
    read_marker(dir).is_some()
}

/// The output folder of a run: locked, checked, with a new folder to write into.
#[derive(Debug)]
pub struct OutputDir {
    /// The folder the result is switched into (`--out`).
    out: PathBuf,
    /// The new folder being written.
    staging: PathBuf,
    /// Held until the run ends.
    _lock: Lock,
    /// Set once the new folder is switched in (or handed back).
    done: bool,
    /// Things worth telling the user (leftovers kept, …).
    warnings: Vec<String>,
}

impl OutputDir {
    /// Locks `out` (waiting for another run if `wait`, else failing with
    /// [`Error::OutInUse`]), checks that it is new, empty or a policy-themes output
    /// ([`Error::NotAnOutput`] otherwise), removes what killed runs left beside it, and
    /// creates the new folder to write into.
    pub fn prepare(out: &Path, wait: bool) -> Result<OutputDir> {
        let (out, parent, name) = split_out(out)?;
        fs::create_dir_all(&parent).map_err(|e| Error::io(&parent, e))?;
        let sibling = |what: &str| parent.join(sibling_name(&name, what));
        let lock = Lock::acquire(&sibling("lock"), &out, wait)?;
        let mut warnings = Vec::new();
        check_out(&out)?;
        for leftover in leftovers(&parent, &name)? {
            if !out.exists() && leftover.is_old {
                // Killed between the two renames of a switch: put the old result back.
                fs::rename(&leftover.path, &out).map_err(|e| Error::io(&leftover.path, e))?;
                continue;
            }
            if !remove_ours(&leftover.path, &out)? {
                warnings.push(format!(
                    "kept {}: it holds files that are not in {}",
                    leftover.path.display(),
                    out.display()
                ));
            }
        }
        let staging = sibling(&format!("tmp-{}", std::process::id()));
        fs::create_dir(&staging).map_err(|e| Error::io(&staging, e))?;
        Ok(OutputDir {
            out,
            staging,
            _lock: lock,
            done: false,
            warnings,
        })
    }

    /// The folder to write the outputs into.
    pub fn staging(&self) -> &Path {
        &self.staging
    }

    /// The folder the result goes to.
    pub fn path(&self) -> &Path {
        &self.out
    }

    /// Writes the marker, carries the user's files over from the old folder, switches the new
    /// folder in and removes the old one. Returns warnings for the user (e.g. an old folder kept
    /// because files appeared in it during the run).
    pub fn commit(mut self) -> Result<Vec<String>> {
        let written = relative_files(&self.staging)?;
        write_marker(&self.staging, &written)?;
        let old = match fs::symlink_metadata(&self.out) {
            Ok(_) => true,
            Err(e) if e.kind() == ErrorKind::NotFound => false,
            Err(e) => return Err(Error::io(&self.out, e)),
        };
        if old {
            carry_over(&self.out, &self.staging)?;
            let set_aside = switch(&self.staging, &self.out)?;
            self.done = true;
            // The new result is in place: what is left of the old one is only worth a warning.
            match remove_ours(&set_aside, &self.out) {
                Ok(true) => {}
                Ok(false) => self.warnings.push(format!(
                    "kept the previous result in {}: files were added to it during the run",
                    set_aside.display()
                )),
                Err(e) => self.warnings.push(format!(
                    "could not remove the previous result in {}: {e}",
                    set_aside.display()
                )),
            }
        } else {
            fs::rename(&self.staging, &self.out).map_err(|e| Error::io(&self.out, e))?;
            self.done = true;
        }
        Ok(std::mem::take(&mut self.warnings))
    }
}

impl Drop for OutputDir {
    /// A run that fails (or panics) before its switch removes its new folder: the old result
    /// stays as it was.
    fn drop(&mut self) {
        if !self.done {
            let _ = fs::remove_dir_all(&self.staging);
        }
    }
}

/// `out` with a last component (`.` and `..` resolved), its parent folder and its name.
fn split_out(out: &Path) -> Result<(PathBuf, PathBuf, OsString)> {
    let out = if out.file_name().is_some() {
        out.to_path_buf()
    } else {
        fs::canonicalize(out).map_err(|e| Error::io(out, e))?
    };
    let Some(name) = out.file_name().map(|n| n.to_os_string()) else {
        return Err(Error::NotAnOutput {
            path: out.to_path_buf(),
            reason: "the root folder cannot be an output folder".to_string(),
        });
    };
    let parent = match out.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    Ok((out, parent, name))
}

/// `.NAME.policy-themes-WHAT`.
fn sibling_name(name: &std::ffi::OsStr, what: &str) -> OsString {
    let mut s = OsString::from(".");
    s.push(name);
    s.push(".policy-themes-");
    s.push(what);
    s
}

/// Refuses an `--out` that is a link, not a folder, or a folder of someone else's files.
fn check_out(out: &Path) -> Result<()> {
    let refuse = |reason: &str| {
        Err(Error::NotAnOutput {
            path: out.to_path_buf(),
            reason: reason.to_string(),
        })
    };
    let meta = match fs::symlink_metadata(out) {
        Ok(m) => m,
        Err(e) if e.kind() == ErrorKind::NotFound => return Ok(()),
        Err(e) => return Err(Error::io(out, e)),
    };
    if meta.file_type().is_symlink() {
        return refuse("is a symbolic link (give the folder it points to)");
    }
    if !meta.is_dir() {
        return refuse("exists and is not a folder");
    }
    if read_marker(out).is_some() || is_earlier_output(out) {
        return Ok(());
    }
    let empty = fs::read_dir(out)
        .map_err(|e| Error::io(out, e))?
        .next()
        .is_none();
    if empty {
        Ok(())
    } else {
        refuse("is not empty and not a policy-themes output folder (no .policy-themes-output)")
    }
}

/// An output folder written before the marker existed: its `run.json` names the program.
fn is_earlier_output(dir: &Path) -> bool {
    let Ok(bytes) = read_nofollow(&dir.join("run.json"), 1 << 20) else {
        return false;
    };
    serde_json::from_slice::<serde_json::Value>(&bytes)
        .is_ok_and(|v| v["program"] == "policy-themes" && dir.join("measures.csv").is_file())
}

/// Reads at most `limit` bytes of a regular file, never through a link.
fn read_nofollow(path: &Path, limit: u64) -> std::io::Result<Vec<u8>> {
    let file = OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NOFOLLOW | libc::O_NONBLOCK)
        .open(path)?;
    if !file.metadata()?.is_file() {
        return Err(std::io::Error::other("not a regular file"));
    }
    let mut bytes = Vec::new();
    file.take(limit).read_to_end(&mut bytes)?;
    Ok(bytes)
}

/// The files a marked folder lists as written by the program, or `None` if `dir` holds no
/// marker.
fn read_marker(dir: &Path) -> Option<BTreeSet<String>> {
    let bytes = read_nofollow(&dir.join(MARKER), 1 << 20).ok()?;
    let text = String::from_utf8(bytes).ok()?;
    let mut lines = text.lines();
    if !lines.next()?.starts_with(MARKER_HEAD) {
        return None;
    }
    Some(
        lines
            .filter(|l| !l.is_empty() && !l.starts_with('#'))
            .map(str::to_string)
            .collect(),
    )
}

/// Writes the marker into `dir`, listing `written`.
fn write_marker(dir: &Path, written: &[String]) -> Result<()> {
    let mut text = format!(
        "{MARKER_HEAD}{} output folder\n# Written whole by policy-themes and replaced whole by its next run into this folder.\n# Files you add are carried over; the files it wrote:\n",
        crate::VERSION
    );
    for name in written {
        text.push_str(name);
        text.push('\n');
    }
    let path = dir.join(MARKER);
    let mut file = OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(&path)
        .map_err(|e| Error::io(&path, e))?;
    file.write_all(text.as_bytes())
        .map_err(|e| Error::io(&path, e))
}

/// The files under `dir`, as sorted relative paths with `/` separators.
fn relative_files(dir: &Path) -> Result<Vec<String>> {
    let mut files = Vec::new();
    for entry in walkdir::WalkDir::new(dir).sort_by_file_name() {
        let entry = entry.map_err(|e| walk_error(dir, e))?;
        if !entry.file_type().is_dir() {
            files.push(relative(dir, entry.path()));
        }
    }
    Ok(files)
}

/// `path` relative to `dir`, with `/` separators.
fn relative(dir: &Path, path: &Path) -> String {
    path.strip_prefix(dir)
        .expect("walked under dir")
        .components()
        .map(|c| c.as_os_str().to_string_lossy())
        .collect::<Vec<_>>()
        .join("/")
}

fn walk_error(dir: &Path, e: walkdir::Error) -> Error {
    let path = e.path().unwrap_or(dir).to_path_buf();
    Error::io(path, e.into())
}

/// Whether the program wrote `rel` in a folder whose marker lists `listed`.
fn is_ours(rel: &str, listed: Option<&BTreeSet<String>>) -> bool {
    KNOWN.contains(&rel) || listed.is_some_and(|l| l.contains(rel))
}

/// Carries every entry of `old` that the program did not write into `new`, untouched: files
/// hard-linked (copied where linking fails), links recreated, folders created. An entry of
/// another kind (a FIFO, a socket) cannot be carried and fails the run before the switch.
fn carry_over(old: &Path, new: &Path) -> Result<()> {
    let listed = read_marker(old);
    // Links are carried as links, never followed (walkdir's default).
    for entry in walkdir::WalkDir::new(old).min_depth(1).sort_by_file_name() {
        let entry = entry.map_err(|e| walk_error(old, e))?;
        let rel = relative(old, entry.path());
        let kind = entry.file_type();
        if kind.is_dir() || is_ours(&rel, listed.as_ref()) {
            continue;
        }
        let from = entry.path();
        let to = new.join(&rel);
        if fs::symlink_metadata(&to).is_ok() {
            // Carrying it would replace a new output, and removing the old folder would then
            // lose the user's file: stop before the switch, with the old result intact.
            return Err(Error::io(
                from,
                std::io::Error::other(
                    "cannot carry it over: the new result has a file of that name (move it away)",
                ),
            ));
        }
        if let Some(dir) = to.parent() {
            fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
        }
        let done = if kind.is_symlink() {
            fs::read_link(from).and_then(|target| std::os::unix::fs::symlink(target, &to))
        } else if kind.is_file() {
            fs::hard_link(from, &to).or_else(|_| fs::copy(from, &to).map(|_| ()))
        } else {
            Err(std::io::Error::other(
                "cannot carry it over: not a file, folder or link",
            ))
        };
        done.map_err(|e| Error::io(from, e))?;
    }
    // Empty folders of the user's come along too.
    for entry in walkdir::WalkDir::new(old).min_depth(1) {
        let entry = entry.map_err(|e| walk_error(old, e))?;
        let rel = relative(old, entry.path());
        if entry.file_type().is_dir() && !is_ours(&rel, listed.as_ref()) {
            let to = new.join(&rel);
            fs::create_dir_all(&to).map_err(|e| Error::io(&to, e))?;
        }
    }
    Ok(())
}

/// Switches the complete new folder `staging` in as `out`; returns where the old one now is.
fn switch(staging: &Path, out: &Path) -> Result<PathBuf> {
    #[cfg(target_os = "linux")]
    match exchange(staging, out) {
        Ok(()) => return Ok(staging.to_path_buf()),
        // File systems without the exchange (and old kernels) take the two renames.
        Err(e) if matches!(e.raw_os_error(), Some(libc::EINVAL | libc::ENOSYS)) => {}
        Err(e) => return Err(Error::io(out, e)),
    }
    switch_by_renames(staging, out)
}

/// Swaps two paths in one step (`renameat2` with `RENAME_EXCHANGE`, by rustix).
#[cfg(target_os = "linux")]
fn exchange(a: &Path, b: &Path) -> std::io::Result<()> {
    use rustix::fs::{CWD, RenameFlags, renameat_with};
    renameat_with(CWD, a, CWD, b, RenameFlags::EXCHANGE).map_err(std::io::Error::from)
}

/// The switch in two renames: `out` → `.OUT.policy-themes-old-<pid>`, then `staging` → `out`
/// (renamed back if the second fails). Returns the set-aside old folder.
fn switch_by_renames(staging: &Path, out: &Path) -> Result<PathBuf> {
    let name = out.file_name().expect("an output folder has a name");
    let old = out.with_file_name(sibling_name(name, &format!("old-{}", std::process::id())));
    fs::rename(out, &old).map_err(|e| Error::io(out, e))?;
    if let Err(e) = fs::rename(staging, out) {
        let _ = fs::rename(&old, out);
        return Err(Error::io(out, e));
    }
    Ok(old)
}

/// A new or set-aside folder that a killed run left beside `--out`.
struct Leftover {
    path: PathBuf,
    /// A set-aside old result (rather than an unfinished new one).
    is_old: bool,
}

/// The leftovers of killed runs into `parent/name`, oldest first by name.
fn leftovers(parent: &Path, name: &std::ffi::OsStr) -> Result<Vec<Leftover>> {
    let tmp = sibling_name(name, "tmp-").to_string_lossy().into_owned();
    let old = sibling_name(name, "old-").to_string_lossy().into_owned();
    let mut found = Vec::new();
    for entry in fs::read_dir(parent).map_err(|e| Error::io(parent, e))? {
        let entry = entry.map_err(|e| Error::io(parent, e))?;
        let file_name = entry.file_name().to_string_lossy().into_owned();
        let is_old = file_name.starts_with(&old);
        let ours = is_old || file_name.starts_with(&tmp);
        let is_dir = entry.file_type().is_ok_and(|t| t.is_dir());
        if ours && is_dir {
            found.push(Leftover {
                path: entry.path(),
                is_old,
            });
        }
    }
    found.sort_by(|a, b| a.path.cmp(&b.path));
    Ok(found)
}

/// Removes from `dir` what the program wrote (its marker's list and [`KNOWN`]) and what is
/// also in `keep` at the same relative path (carried over there), then the folders left
/// empty. Returns whether `dir` is gone; anything else stays where it is.
fn remove_ours(dir: &Path, keep: &Path) -> Result<bool> {
    let listed = read_marker(dir);
    let walk = walkdir::WalkDir::new(dir)
        .min_depth(1)
        .contents_first(true)
        .follow_links(false);
    for entry in walk {
        let entry = entry.map_err(|e| walk_error(dir, e))?;
        let rel = relative(dir, entry.path());
        if entry.file_type().is_dir() {
            // Not empty: something of the user's is inside.
            let _ = fs::remove_dir(entry.path());
        } else if rel != MARKER
            && (is_ours(&rel, listed.as_ref()) || fs::symlink_metadata(keep.join(&rel)).is_ok())
        {
            fs::remove_file(entry.path()).map_err(|e| Error::io(entry.path(), e))?;
        }
    }
    // The marker goes last, so an interrupted removal still knows which files were ours.
    let marker = dir.join(MARKER);
    if fs::symlink_metadata(&marker).is_ok() {
        fs::remove_file(&marker).map_err(|e| Error::io(&marker, e))?;
    }
    Ok(fs::remove_dir(dir).is_ok())
}

/// The lock file beside an output folder, locked for the life of the value and removed after.
#[derive(Debug)]
struct Lock {
    file: File,
    path: PathBuf,
}

impl Lock {
    /// Locks `path`, creating it (never through a link). The file may be removed by the run
    /// that held it just before: a lock taken on a file no longer at `path` is dropped and
    /// taken again.
    fn acquire(path: &Path, out: &Path, wait: bool) -> Result<Lock> {
        loop {
            let file = OpenOptions::new()
                .read(true)
                .write(true)
                .create(true)
                .truncate(false)
                .custom_flags(libc::O_NOFOLLOW)
                .open(path)
                .map_err(|e| Error::io(path, e))?;
            match file.try_lock() {
                Ok(()) => {}
                Err(std::fs::TryLockError::WouldBlock) if wait => {
                    file.lock().map_err(|e| Error::io(path, e))?
                }
                Err(std::fs::TryLockError::WouldBlock) => {
                    return Err(Error::OutInUse(out.to_path_buf()));
                }
                Err(std::fs::TryLockError::Error(e)) => return Err(Error::io(path, e)),
            }
            let held = file.metadata().map_err(|e| Error::io(path, e))?;
            let now = fs::symlink_metadata(path);
            if now.is_ok_and(|m| m.dev() == held.dev() && m.ino() == held.ino()) {
                return Ok(Lock {
                    file,
                    path: path.to_path_buf(),
                });
            }
        }
    }
}

impl Drop for Lock {
    /// Removes the lock file while still holding it; the lock goes with the file handle.
    fn drop(&mut self) {
        let _ = fs::remove_file(&self.path);
        let _ = self.file.unlock();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write(path: &Path, text: &str) {
        fs::create_dir_all(path.parent().unwrap()).unwrap();
        fs::write(path, text).unwrap();
    }

    #[test]
    fn a_new_result_replaces_the_old_and_keeps_the_user_s_files() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("out");
        let first = OutputDir::prepare(&out, false).unwrap();
        write(&first.staging().join("measures.csv"), "old");
        write(&first.staging().join("k.svg"), "old chart");
        assert!(first.commit().unwrap().is_empty());
        write(&out.join("notes/mine.txt"), "user");
        fs::create_dir(out.join("empty")).unwrap();
        std::os::unix::fs::symlink("/etc/passwd", out.join("link")).unwrap();

        let second = OutputDir::prepare(&out, false).unwrap();
        write(&second.staging().join("measures.csv"), "new");
        second.commit().unwrap();
        assert_eq!(fs::read_to_string(out.join("measures.csv")).unwrap(), "new");
        assert!(!out.join("k.svg").exists(), "a stale output disappears");
        assert_eq!(
            fs::read_to_string(out.join("notes/mine.txt")).unwrap(),
            "user"
        );
        assert!(out.join("empty").is_dir());
        assert_eq!(
            fs::read_link(out.join("link")).unwrap(),
            Path::new("/etc/passwd")
        );
        let marker = read_marker(&out).unwrap();
        assert!(marker.contains("measures.csv") && !marker.contains("notes/mine.txt"));
        // Nothing is left beside the folder: no lock, no new or old folder.
        let beside: Vec<_> = fs::read_dir(dir.path()).unwrap().collect();
        assert_eq!(beside.len(), 1);
    }

    #[test]
    fn the_two_rename_switch_gives_the_same_result() {
        let dir = tempfile::tempdir().unwrap();
        let (staging, out) = (dir.path().join("new"), dir.path().join("out"));
        write(&staging.join("a"), "new");
        write(&out.join("a"), "old");
        let old = switch_by_renames(&staging, &out).unwrap();
        assert_eq!(fs::read_to_string(out.join("a")).unwrap(), "new");
        assert_eq!(fs::read_to_string(old.join("a")).unwrap(), "old");
        assert!(!staging.exists());
    }

    #[test]
    fn a_failed_run_leaves_the_old_result_and_no_new_folder() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("out");
        let first = OutputDir::prepare(&out, false).unwrap();
        write(&first.staging().join("measures.csv"), "old");
        first.commit().unwrap();
        let second = OutputDir::prepare(&out, false).unwrap();
        let staging = second.staging().to_path_buf();
        write(&staging.join("measures.csv"), "half");
        drop(second);
        assert!(!staging.exists());
        assert_eq!(fs::read_to_string(out.join("measures.csv")).unwrap(), "old");
    }

    #[test]
    fn leftovers_of_killed_runs_are_cleared_and_an_old_result_restored() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("out");
        // Killed while writing: an unfinished new folder.
        write(
            &dir.path().join(".out.policy-themes-tmp-1/measures.csv"),
            "x",
        );
        // Killed between the renames of a switch: only the set-aside old result.
        write(
            &dir.path().join(".out.policy-themes-old-2/measures.csv"),
            "old",
        );
        write(
            &dir.path().join(".out.policy-themes-old-2/MINE.txt"),
            "user",
        );
        let run = OutputDir::prepare(&out, false).unwrap();
        assert_eq!(fs::read_to_string(out.join("MINE.txt")).unwrap(), "user");
        assert!(!dir.path().join(".out.policy-themes-tmp-1").exists());
        drop(run);
    }

    #[test]
    fn a_folder_of_other_files_a_link_and_a_file_are_refused() {
        let dir = tempfile::tempdir().unwrap();
        let theirs = dir.path().join("theirs");
        write(&theirs.join("thesis.docx"), "years of work");
        let link = dir.path().join("link");
        std::os::unix::fs::symlink(&theirs, &link).unwrap();
        let file = dir.path().join("file");
        write(&file, "x");
        for path in [&theirs, &link, &file] {
            let err = OutputDir::prepare(path, false).unwrap_err();
            assert!(matches!(err, Error::NotAnOutput { .. }), "{err}");
            assert_eq!(err.exit_code(), 2);
        }
        assert!(theirs.join("thesis.docx").is_file());
        // An empty folder is fine.
        let empty = dir.path().join("empty");
        fs::create_dir(&empty).unwrap();
        OutputDir::prepare(&empty, false).unwrap().commit().unwrap();
        assert!(read_marker(&empty).is_some());
    }

    #[test]
    fn a_second_run_into_the_same_folder_is_refused_while_the_first_holds_it() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("out");
        let first = OutputDir::prepare(&out, false).unwrap();
        let err = OutputDir::prepare(&out, false).unwrap_err();
        assert!(matches!(err, Error::OutInUse(_)), "{err}");
        assert_eq!(err.exit_code(), 1);
        first.commit().unwrap();
        OutputDir::prepare(&out, false).unwrap();
    }

    #[test]
    fn work_folder_names_are_recognised() {
        assert!(is_work_folder_name(".out.policy-themes-tmp-12"));
        assert!(is_work_folder_name(".sample.policy-themes-old-3"));
        assert!(!is_work_folder_name("policy-themes-out"));
    }
}
