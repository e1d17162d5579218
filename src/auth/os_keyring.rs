//! The OS keyrings behind the token store: one entry per secret, service `zisctl`.
use zeroize::Zeroizing;

use super::store::{Backend, SERVICE};

fn keyring_entry(b: Backend, name: &str) -> std::result::Result<keyring::Entry, String> {
    match b {
        #[cfg(target_os = "linux")]
        Backend::SecretService => {
            // A Secret Service call blocks on zbus's own runtime: never on an async thread
            // (it would panic there); the client calls the store through spawn_blocking.
            let c = keyring::secret_service::SsCredential::new_with_target(None, SERVICE, name)
                .map_err(|e| e.to_string())?;
            Ok(keyring::Entry::new_with_credential(Box::new(c)))
        }
        #[cfg(target_os = "linux")]
        Backend::Keyutils => {
            use linux_keyutils::{KeyRing, KeyRingIdentifier};
            let session = KeyRing::from_special_id(KeyRingIdentifier::Session, false)
                .map_err(|e| format!("no session keyring: {e:?}"))?;
            let c = keyring::keyutils::KeyutilsCredential {
                session,
                persistent: None,
                description: keyutils_description(name),
            };
            Ok(keyring::Entry::new_with_credential(Box::new(c)))
        }
        #[cfg(any(target_os = "macos", target_os = "windows"))]
        Backend::MacosKeychain | Backend::WindowsCredentialManager => {
            keyring::Entry::new(SERVICE, name).map_err(|e| e.to_string())
        }
        _ => Err("not on this platform".to_string()),
    }
}

fn keyutils_description(name: &str) -> String {
    format!("{SERVICE}:{name}")
}

pub(super) fn keyring_put(
    b: Backend,
    name: &str,
    value: &str,
    ttl: u64,
) -> std::result::Result<(), String> {
    let entry = keyring_entry(b, name)?;
    entry.set_password(value).map_err(|e| e.to_string())?;
    #[cfg(target_os = "linux")]
    if b == Backend::Keyutils {
        use linux_keyutils::{KeyRing, KeyRingIdentifier};
        let key = KeyRing::from_special_id(KeyRingIdentifier::Session, false)
            .and_then(|k| k.search(&keyutils_description(name)))
            .map_err(|e| format!("{e:?}"))?;
        key.set_timeout(ttl as usize)
            .map_err(|e| format!("{e:?}"))?;
    }
    let _ = ttl;
    Ok(())
}

pub(super) fn keyring_get(
    b: Backend,
    name: &str,
) -> std::result::Result<Option<Zeroizing<String>>, String> {
    let entry = keyring_entry(b, name)?;
    match entry.get_password() {
        Ok(v) => Ok(Some(Zeroizing::new(v))),
        Err(keyring::Error::NoEntry) => Ok(None),
        Err(e) => Err(e.to_string()),
    }
}

pub(super) fn keyring_delete(b: Backend, name: &str) -> std::result::Result<(), String> {
    let entry = keyring_entry(b, name)?;
    match entry.delete_credential() {
        Ok(()) | Err(keyring::Error::NoEntry) => Ok(()),
        Err(e) => Err(e.to_string()),
    }
}
