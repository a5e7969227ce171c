//! Passwords: argon2id PHC strings with the crate's default parameters (19 MiB, two
//! passes), hashed and checked in working memory that goes back to the system as
//! soon as the check is done.
//!
//! Why not `argon2`'s own `hash_password`/`verify_password`: each allocates its 19
//! MiB with the system allocator. glibc serves the first such block from a fresh
//! mapping, and on freeing it raises its threshold for mappings to that size, so every
//! later one comes from a heap arena, which keeps it: a server that had signed people
//! in sat 19 MiB higher per arena for good (measured in BENCHMARKS.md, "Memory").
//! Asking for more than glibc's largest threshold (32 MiB) always gets a mapping of
//! its own, returned when freed; only the 19 MiB the hash writes is ever touched, so
//! no more memory is used while it runs.

use super::{AppError, AppResult};
use argon2::password_hash::phc::{Output, ParamsString, PasswordHash, Salt};
use argon2::{Algorithm, Argon2, Block, Params, Version};

/// Blocks asked for, whatever the parameters need: above glibc's largest threshold
/// for serving an allocation from its own mapping (32 MiB; a block is 1 KiB).
const RESERVED_BLOCKS: usize = 33 * 1024;

/// Hashes `password` with `argon` and `salt` into `out`, in memory of its own.
fn hash_into(argon: &Argon2<'_>, params: &Params, password: &[u8], salt: &[u8], out: &mut [u8]) -> bool {
    let mut blocks: Vec<Block> = Vec::with_capacity(RESERVED_BLOCKS.max(params.block_count()));
    blocks.resize(params.block_count(), Block::default());
    argon.hash_password_into_with_memory(password, salt, out, &mut blocks).is_ok()
}

/// An argon2id PHC string for `password`, with a fresh random salt.
pub fn hash(password: &str) -> AppResult<String> {
    let fail = |e: &dyn std::fmt::Display| AppError::internal(format_args!("password cannot be hashed: {e}"));
    let params = Params::default();
    let argon = Argon2::new(Algorithm::Argon2id, Version::V0x13, params.clone());
    let salt = Salt::generate();
    let mut out = [0u8; Params::DEFAULT_OUTPUT_LEN];
    if !hash_into(&argon, &params, password.as_bytes(), &salt, &mut out) {
        return Err(fail(&"argon2"));
    }
    let phc = PasswordHash {
        algorithm: Algorithm::Argon2id.ident(),
        version: Some(Version::V0x13.into()),
        params: ParamsString::try_from(&params).map_err(|e| fail(&e))?,
        salt: Some(salt),
        hash: Some(Output::new(&out).map_err(|e| fail(&e))?),
    };
    Ok(phc.to_string())
}

/// Whether `password` is the one `phc` (an argon2 PHC string, any of its variants
/// and parameters) was made from. The comparison takes the same time whatever differs.
pub fn verify(password: &str, phc: &str) -> bool {
    let Ok(h) = PasswordHash::new(phc) else { return false };
    let (Some(salt), Some(expected)) = (h.salt, h.hash) else { return false };
    let (Ok(algorithm), Ok(params)) = (Algorithm::try_from(h.algorithm.as_str()), Params::try_from(&h)) else {
        return false;
    };
    let version = match h.version.map(Version::try_from).transpose() {
        Ok(v) => v.unwrap_or_default(),
        Err(_) => return false,
    };
    let argon = Argon2::new(algorithm, version, params.clone());
    let mut out = vec![0u8; expected.len()];
    hash_into(&argon, &params, password.as_bytes(), &salt, &mut out) && Output::new(&out).is_ok_and(|o| o == expected)
}

#[cfg(test)]
mod tests {
    use super::*;
    use argon2::PasswordHasher;

    #[test]
    fn hashes_verify_here_and_with_the_crate_and_the_other_way_round() {
        let ours = hash("正确的密码 correct").unwrap();
        assert!(ours.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"), "{ours}");
        assert!(verify("正确的密码 correct", &ours));
        assert!(!verify("正确的密码 correcT", &ours));
        let crates = Argon2::default().hash_password(b"hunter42").unwrap().to_string();
        assert!(verify("hunter42", &crates) && !verify("hunter43", &crates));
        use argon2::PasswordVerifier;
        assert!(Argon2::default().verify_password("正确的密码 correct".as_bytes(), ours.as_str()).is_ok());
        // Other variants and parameters, as a hash written elsewhere may have.
        let params = Params::new(8 * 1024, 3, 1, Some(32)).unwrap();
        let argon2i = Argon2::new(Algorithm::Argon2i, Version::V0x10, params).hash_password(b"x1").unwrap();
        assert!(verify("x1", &argon2i.to_string()) && !verify("x2", &argon2i.to_string()));
        for bad in [
            "",
            "plain",
            "$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHQ",
            "$scrypt$ln=16,r=8,p=1$aM15713r3Xsvxbi31lqr1Q$nFNh2CVHVjNldFVKDHDlm4CbdRSCdEBsjjJxD+iCs5E",
        ] {
            assert!(!verify("x", bad), "{bad}");
        }
    }
}
