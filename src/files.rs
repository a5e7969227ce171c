//! Files that only their owner may read: the SQLite database (and SQLite's WAL and
//! shared-memory files, which take the database file's mode), mail written as files,
//! and a generated demo password. Whoever can read them could read what staff wrote
//! or sign in as someone, so they are created owner-only (0600, folders 0700)
//! whatever the process's umask.

use std::io::Write;
use std::path::Path;

#[cfg(unix)]
const FILE_MODE: u32 = 0o600;
#[cfg(unix)]
const DIR_MODE: u32 = 0o700;

/// Creates `dir` (and its parents) if needed and makes it owner-only.
pub fn private_dir(dir: &Path) -> std::io::Result<()> {
    std::fs::create_dir_all(dir)?;
    restrict(dir, true)
}

/// Creates `path` empty and owner-only if it does not exist; narrows an existing
/// file to owner-only by its path, without opening it. Opening and closing an
/// SQLite file (or its `-shm`) would drop every POSIX lock this process holds on it,
/// SQLite's own included, and let another process reset the shared memory under
/// the connections still using it.
pub fn private_file(path: &Path) -> std::io::Result<()> {
    if !path.exists() {
        let mut open = std::fs::OpenOptions::new();
        open.write(true).create_new(true);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut open, FILE_MODE);
        match open.open(path) {
            Ok(f) => drop(f),
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {}
            Err(e) => return Err(e),
        }
    }
    restrict(path, false)
}

/// Writes `bytes` to `path` through a temporary file in the same folder, owner-only
/// from the first byte, so a reader sees the whole file or none.
pub fn write_private(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let tmp = path.with_file_name(format!(".{name}.tmp"));
    let mut open = std::fs::OpenOptions::new();
    open.write(true).create(true).truncate(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut open, FILE_MODE);
    let mut f = open.open(&tmp)?;
    restrict(&tmp, false)?;
    f.write_all(bytes)?;
    f.sync_all()?;
    std::fs::rename(&tmp, path)
}

#[cfg(unix)]
fn restrict(path: &Path, dir: bool) -> std::io::Result<()> {
    use std::os::unix::fs::PermissionsExt;
    let mode = if dir { DIR_MODE } else { FILE_MODE };
    if std::fs::metadata(path)?.permissions().mode() & 0o777 != mode {
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode))?;
    }
    Ok(())
}

#[cfg(not(unix))]
fn restrict(_: &Path, _: bool) -> std::io::Result<()> {
    Ok(())
}

#[cfg(all(test, unix))]
mod tests {
    use std::os::unix::fs::PermissionsExt;

    fn mode(p: &std::path::Path) -> u32 {
        std::fs::metadata(p).map(|m| m.permissions().mode() & 0o777).unwrap_or(0)
    }

    #[test]
    fn files_and_folders_are_owner_only_even_when_they_existed() -> std::io::Result<()> {
        let dir = tempfile::tempdir()?;
        let sub = dir.path().join("mail-out");
        super::private_dir(&sub)?;
        assert_eq!(mode(&sub), 0o700);
        let db = dir.path().join("x.db");
        std::fs::write(&db, b"kept")?;
        std::fs::set_permissions(&db, std::fs::Permissions::from_mode(0o644))?;
        super::private_file(&db)?;
        assert_eq!((mode(&db), std::fs::read(&db)?), (0o600, b"kept".to_vec()));
        let eml = sub.join("1.eml");
        super::write_private(&eml, b"hello")?;
        assert_eq!((mode(&eml), std::fs::read(&eml)?), (0o600, b"hello".to_vec()));
        Ok(())
    }
}
