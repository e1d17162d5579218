//! `zisctl auth login`: the OAuth authorization-code flow with PKCE for a public client, the
//! documented path for a local tool.
//!
//! 1. [`PendingLogin::start`] binds a listener on 127.0.0.1 only (port 8765 unless told;
//!    0 picks a free one), makes a PKCE verifier (32 random bytes, its S256 challenge) and a
//!    `state` of 256 random bits, and builds the authorization URL
//!    `{base}/oauth/authorizations/new?response_type=code&client_id&redirect_uri&scope&state
//!    &code_challenge&code_challenge_method=S256` (`redirect_uri` =
//!    `http://127.0.0.1:{port}/callback`; spaces in the scope as `%20`).
//! 2. The caller shows the URL (the CLI prints it on stderr on a line of its own, and opens the
//!    browser unless `--no-browser` or there is no display) and [`PendingLogin::wait`]s for
//!    the browser's return, at most [`WAIT`]; dropping the wait (Ctrl-C) cancels it.
//!    Every request is answered with a short page (`no-store`, `no-referrer`). The `state` is
//!    compared in constant time: a mismatch (or none) is refused and ends the login with
//!    nothing exchanged (a forged return means someone else is at work); `error=access_denied`
//!    ends it as denied; a request without a code (a favicon, a probe) is answered and waited
//!    past.
//! 3. [`complete`] exchanges the code (`grant_type=authorization_code` with the verifier;
//!    `client_secret` only for a confidential client), stores the tokens, asks `users/me` who
//!    signed in and records it, and revokes the sign-in it replaced (best effort).
//!
//! The TUI can drive the same three steps (show the URL, wait, complete).
use std::net::{Ipv4Addr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;

use base64::Engine;
use secrecy::{ExposeSecret, SecretString};
use sha2::{Digest, Sha256};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::mpsc;

use super::store::{Slot, Store};
use crate::zis::{
    AdminCredentials, Client, ClientOptions, Error, ErrorKind, OAuthApp, Result, TokenStore, User,
};

/// How long the browser has to come back.
pub const WAIT: Duration = Duration::from_secs(300);

/// The callback's path on the loopback listener.
pub const CALLBACK_PATH: &str = "/callback";

const B64: base64::engine::GeneralPurpose = base64::engine::general_purpose::URL_SAFE_NO_PAD;

/// A PKCE pair: the verifier stays here, the challenge goes in the URL.
pub struct Pkce {
    pub verifier: SecretString,
    pub challenge: String,
}

impl Pkce {
    /// 32 random bytes (a 43-character verifier) and their S256 challenge.
    pub fn new() -> Result<Pkce> {
        let bytes = zeroize::Zeroizing::new(random_bytes::<32>()?);
        let verifier = SecretString::from(B64.encode(*bytes));
        let challenge = s256(&verifier);
        Ok(Pkce {
            verifier,
            challenge,
        })
    }
}

/// `BASE64URL(SHA256(verifier))` without padding (RFC 7636, S256).
pub fn s256(verifier: &SecretString) -> String {
    B64.encode(Sha256::digest(verifier.expose_secret().as_bytes()))
}

/// A `state` of 256 random bits.
pub fn new_state() -> Result<String> {
    Ok(B64.encode(random_bytes::<32>()?))
}

fn random_bytes<const N: usize>() -> Result<[u8; N]> {
    use rand::TryRngCore;
    let mut b = [0u8; N];
    rand::rngs::OsRng
        .try_fill_bytes(&mut b)
        .map_err(|_| Error::config("the OS random source failed"))?;
    Ok(b)
}

/// Equal, in time that does not depend on where they differ.
fn same_state(a: &str, b: &str) -> bool {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// A query component, spaces as `%20` (the documented form of `scope=read%20write`).
fn enc(s: &str) -> String {
    url::form_urlencoded::byte_serialize(s.as_bytes())
        .collect::<String>()
        .replace('+', "%20")
}

/// The authorization URL of issue 10, item 1.
pub fn authorization_url(
    base_url: &str,
    client_id: &str,
    redirect_uri: &str,
    scopes: &str,
    state: &str,
    challenge: &str,
) -> String {
    format!(
        "{}/oauth/authorizations/new?response_type=code&client_id={}&redirect_uri={}&scope={}\
         &state={}&code_challenge={}&code_challenge_method=S256",
        base_url.trim_end_matches('/'),
        enc(client_id),
        enc(redirect_uri),
        enc(scopes),
        enc(state),
        enc(challenge),
    )
}

/// What the browser brought back.
pub struct Authorized {
    pub code: SecretString,
}

/// A login under way: the URL to open and the listener waiting for the browser.
pub struct PendingLogin {
    pub url: String,
    pub redirect_uri: String,
    pub port: u16,
    pub pkce: Pkce,
    state: String,
    listener: TcpListener,
}

impl PendingLogin {
    /// Bind 127.0.0.1:`port` (0: any free port) and build the URL.
    pub async fn start(
        base_url: &str,
        client_id: &str,
        scopes: &str,
        port: u16,
    ) -> Result<PendingLogin> {
        let listener = TcpListener::bind(SocketAddr::from((Ipv4Addr::LOCALHOST, port)))
            .await
            .map_err(|e| {
                Error::config(format!(
                    "cannot listen on 127.0.0.1:{port} for the browser's return ({e}); \
                     choose another with --port (the OAuth client's redirect URL must name it)"
                ))
            })?;
        let port = listener
            .local_addr()
            .map_err(|e| Error::config(format!("the listener has no address: {e}")))?
            .port();
        let redirect_uri = format!("http://127.0.0.1:{port}{CALLBACK_PATH}");
        let pkce = Pkce::new()?;
        let state = new_state()?;
        let url = authorization_url(
            base_url,
            client_id,
            &redirect_uri,
            scopes,
            &state,
            &pkce.challenge,
        );
        Ok(PendingLogin {
            url,
            redirect_uri,
            port,
            pkce,
            state,
            listener,
        })
    }

    /// Wait for the browser's return (at most `limit`). Cancel by dropping the future.
    pub async fn wait(&self, limit: Duration) -> Result<Authorized> {
        let (tx, mut rx) = mpsc::channel::<Result<Authorized>>(4);
        let state = Arc::new(self.state.clone());
        let deadline = tokio::time::sleep(limit);
        tokio::pin!(deadline);
        loop {
            tokio::select! {
                accepted = self.listener.accept() => {
                    let Ok((stream, _)) = accepted else { continue };
                    let (tx, state) = (tx.clone(), state.clone());
                    tokio::spawn(async move {
                        if let Some(outcome) = answer(stream, &state).await {
                            let _ = tx.send(outcome).await;
                        }
                    });
                }
                Some(outcome) = rx.recv() => return outcome,
                _ = &mut deadline => {
                    return Err(Error::new(
                        ErrorKind::Unauthorized,
                        format!(
                            "the browser did not come back within {} minutes: not signed in",
                            limit.as_secs() / 60
                        ),
                    ))
                }
            }
        }
    }
}

/// Read one request from the browser, answer it, and say what it brought (None: nothing
/// for the login; keep waiting).
async fn answer(mut stream: TcpStream, state: &str) -> Option<Result<Authorized>> {
    let head = match tokio::time::timeout(Duration::from_secs(10), read_head(&mut stream)).await {
        Ok(Some(h)) => h,
        _ => return None,
    };
    let target = head
        .lines()
        .next()
        .and_then(|l| {
            let mut parts = l.split(' ');
            match (parts.next(), parts.next()) {
                (Some("GET"), Some(t)) => Some(t.to_string()),
                _ => None,
            }
        })
        .unwrap_or_default();
    let (outcome, status, page) = judge(&target, state);
    let body = format!(
        "<!doctype html><html><head><meta charset=\"utf-8\"><title>zisctl</title></head>\
         <body style=\"font-family:sans-serif;margin:3em\"><h2>zisctl</h2><p>{page}</p></body></html>"
    );
    let reply = format!(
        "HTTP/1.1 {status}\r\nContent-Type: text/html; charset=utf-8\r\nContent-Length: {}\r\n\
         Cache-Control: no-store\r\nReferrer-Policy: no-referrer\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    let _ = stream.write_all(reply.as_bytes()).await;
    let _ = stream.shutdown().await;
    outcome
}

async fn read_head(stream: &mut TcpStream) -> Option<String> {
    let mut buf = Vec::with_capacity(1024);
    let mut chunk = [0u8; 1024];
    while !buf.windows(4).any(|w| w == b"\r\n\r\n") {
        if buf.len() > 16 * 1024 {
            return None;
        }
        let n = stream.read(&mut chunk).await.ok()?;
        if n == 0 {
            break;
        }
        buf.extend_from_slice(&chunk[..n]);
    }
    String::from_utf8(buf).ok()
}

/// What a request target means for the login: the outcome (None: not the callback, or a
/// callback without an answer), the status line and the page's sentence.
fn judge(target: &str, state: &str) -> (Option<Result<Authorized>>, &'static str, &'static str) {
    let (path, query) = target.split_once('?').unwrap_or((target, ""));
    if path != CALLBACK_PATH {
        return (None, "404 Not Found", "Nothing here.");
    }
    let mut code = None;
    let mut got_state = None;
    let mut error = None;
    let mut description = None;
    for (k, v) in url::form_urlencoded::parse(query.as_bytes()) {
        match k.as_ref() {
            "code" => code = Some(SecretString::from(v.into_owned())),
            "state" => got_state = Some(v.into_owned()),
            "error" => error = Some(v.into_owned()),
            "error_description" => description = Some(v.into_owned()),
            _ => {}
        }
    }
    if code.is_none() && error.is_none() {
        return (
            None,
            "400 Bad Request",
            "This is not an answer to a sign-in: zisctl is still waiting.",
        );
    }
    if !got_state.as_deref().is_some_and(|s| same_state(s, state)) {
        return (
            Some(Err(Error::new(
                ErrorKind::Unauthorized,
                "the browser's answer did not carry the state this login sent: refused, nothing \
                 was exchanged (start `zisctl auth login` again)",
            ))),
            "400 Bad Request",
            "Refused: this answer does not belong to the sign-in zisctl started. Nothing was \
             exchanged.",
        );
    }
    if let Some(err) = error {
        let text = if err == "access_denied" {
            "the sign-in request was denied (access_denied): not signed in".to_string()
        } else {
            format!(
                "the sign-in failed: {}{}",
                crate::sanitize::clean(&err),
                description
                    .map(|d| format!(" ({})", crate::sanitize::clean(&d)))
                    .unwrap_or_default()
            )
        };
        let mut e = Error::new(ErrorKind::Unauthorized, text);
        e.code = Some(crate::sanitize::clean(&err));
        return (
            Some(Err(e)),
            "200 OK",
            "The sign-in was not completed. You can close this tab.",
        );
    }
    match code {
        Some(code) => (
            Some(Ok(Authorized { code })),
            "200 OK",
            "Signed in: you can close this tab and return to zisctl.",
        ),
        None => (None, "400 Bad Request", "No code in this answer."),
    }
}

/// Can a browser be opened here? (Linux: only with a display.)
pub fn can_open_browser() -> bool {
    if cfg!(any(target_os = "macos", target_os = "windows")) {
        return true;
    }
    ["DISPLAY", "WAYLAND_DISPLAY"]
        .iter()
        .any(|v| std::env::var_os(v).is_some_and(|s| !s.is_empty()))
}

/// Open `url` in the browser (xdg-open, open, or the Windows URL handler), without waiting.
pub fn open_browser(url: &str) -> std::io::Result<()> {
    let mut c = if cfg!(target_os = "macos") {
        tokio::process::Command::new("open")
    } else if cfg!(target_os = "windows") {
        let mut c = tokio::process::Command::new("rundll32");
        c.arg("url.dll,FileProtocolHandler");
        c
    } else {
        tokio::process::Command::new("xdg-open")
    };
    c.arg(url)
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null());
    let mut child = c.spawn()?;
    tokio::spawn(async move {
        let _ = child.wait().await;
    });
    Ok(())
}

/// Who signed in, and where the tokens went.
#[derive(Debug, Clone)]
pub struct SignedIn {
    pub account: String,
    pub user: User,
    /// "the kernel keyring (keyutils)", a file's path...
    pub stored_in: String,
    /// Said once: the tokens went to a file because no keyring answered.
    pub note: Option<String>,
}

/// Exchange the code, store the tokens, ask who signed in. `store` is the profile's store.
pub async fn complete(
    base_url: &str,
    store: &Store,
    app: &OAuthApp,
    pending: &PendingLogin,
    authorized: Authorized,
) -> Result<SignedIn> {
    let plain = Client::new(ClientOptions::new(base_url))?;
    let tokens = plain
        .exchange_code(
            app,
            &authorized.code,
            &pending.redirect_uri,
            &pending.pkce.verifier,
        )
        .await?;
    let store = Arc::new(store.with_slot(Some(Slot::Login {
        client_id: app.client_id.clone(),
    })));
    // The sign-in this one replaces, to revoke once the new one is stored.
    let replaced = {
        let s = store.clone();
        super::blocking(move || Ok(s.admin_tokens().ok().flatten())).await?
    };
    {
        let s = store.clone();
        let t = tokens.clone();
        super::blocking(move || {
            let lock = s.lock()?;
            // A new sign-in starts its record afresh (who, since when).
            s.forget_admin_tokens(&lock)?;
            s.save_admin_tokens(&lock, &t)
        })
        .await?;
    }
    let mut o = ClientOptions::new(base_url);
    o.admin = Some(AdminCredentials::OAuth {
        client_id: app.client_id.clone(),
        client_secret: app.client_secret.clone(),
    });
    o.store = Some(store.clone() as Arc<dyn TokenStore>);
    let signed_in = Client::new(o)?;
    let user = signed_in.me().await?;
    {
        let s = store.clone();
        let u = user.clone();
        super::blocking(move || {
            let lock = s.lock()?;
            s.set_user(&lock, &u)
        })
        .await?;
    }
    if let Some(old) = replaced {
        if old.access_token.expose_secret() != tokens.access_token.expose_secret() {
            revoke_replaced(base_url, old.access_token).await;
        }
    }
    let index = store.index()?;
    Ok(SignedIn {
        account: store.account().to_string(),
        user,
        stored_in: index
            .store
            .map(|b| store.describe(b))
            .unwrap_or_else(|| "nowhere".into()),
        note: store.take_note(),
    })
}

/// Revoke the admin token a new sign-in replaced, best effort (it may have expired).
async fn revoke_replaced(base_url: &str, access: SecretString) {
    let mut o = ClientOptions::new(base_url);
    o.admin = Some(AdminCredentials::Bearer(access));
    let Ok(c) = Client::new(o) else { return };
    match c.current_token().await {
        Ok(info) => {
            if let Err(e) = c.revoke_token(info.id).await {
                tracing::info!(error = %e, "the replaced sign-in was not revoked");
            }
        }
        Err(e) => tracing::info!(error = %e, "the replaced sign-in is no longer valid"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// RFC 7636, appendix B.
    #[test]
    fn s256_matches_the_rfc() {
        let v = SecretString::from("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk".to_string());
        assert_eq!(s256(&v), "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM");
    }

    #[test]
    fn pkce_and_state_are_random_and_well_formed() {
        let a = Pkce::new().unwrap();
        let b = Pkce::new().unwrap();
        assert_eq!(a.verifier.expose_secret().len(), 43);
        assert!(a
            .verifier
            .expose_secret()
            .bytes()
            .all(|c| c.is_ascii_alphanumeric() || c == b'-' || c == b'_'));
        assert!(a.verifier.expose_secret() != b.verifier.expose_secret());
        assert_eq!(a.challenge, s256(&a.verifier));
        let s = new_state().unwrap();
        // 256 bits in base64url: 43 characters; never the same twice.
        assert_eq!(s.len(), 43);
        assert!(s != new_state().unwrap());
    }

    #[test]
    fn the_url_has_every_parameter() {
        let u = authorization_url(
            "https://acme.zendesk.com/",
            "zisctl_cli",
            "http://127.0.0.1:8765/callback",
            "read write",
            "st/ate+1",
            "chal",
        );
        assert!(u.starts_with("https://acme.zendesk.com/oauth/authorizations/new?"));
        let q = url::Url::parse(&u).unwrap();
        let get = |k: &str| {
            q.query_pairs()
                .find(|(n, _)| n == k)
                .map(|(_, v)| v.into_owned())
        };
        assert_eq!(get("response_type").as_deref(), Some("code"));
        assert_eq!(get("client_id").as_deref(), Some("zisctl_cli"));
        assert_eq!(
            get("redirect_uri").as_deref(),
            Some("http://127.0.0.1:8765/callback")
        );
        assert_eq!(get("scope").as_deref(), Some("read write"));
        assert_eq!(get("state").as_deref(), Some("st/ate+1"));
        assert_eq!(get("code_challenge").as_deref(), Some("chal"));
        assert_eq!(get("code_challenge_method").as_deref(), Some("S256"));
        assert!(u.contains("scope=read%20write"));
    }

    #[test]
    fn the_callback_is_judged() {
        let st = "s3cret-state";
        let (o, status, _) = judge("/callback?code=abc&state=s3cret-state", st);
        assert_eq!(status, "200 OK");
        assert_eq!(
            o.unwrap().ok().map(|a| a.code.expose_secret().to_string()),
            Some("abc".into())
        );
        // Forged or missing state: refused, the login ends.
        for t in ["/callback?code=abc&state=other", "/callback?code=abc"] {
            let (o, status, _) = judge(t, st);
            assert_eq!(status, "400 Bad Request");
            let e = o.unwrap().err().unwrap();
            assert_eq!(e.kind, ErrorKind::Unauthorized);
            assert!(e.message.contains("state"));
        }
        // Denied.
        let (o, _, _) = judge("/callback?error=access_denied&state=s3cret-state", st);
        let e = o.unwrap().err().unwrap();
        assert!(e.message.contains("denied"));
        assert_eq!(e.code.as_deref(), Some("access_denied"));
        // Not an answer: wait on.
        assert!(judge("/favicon.ico", st).0.is_none());
        assert!(judge("/callback", st).0.is_none());
    }

    #[test]
    fn states_compare_whole() {
        assert!(same_state("abc", "abc"));
        assert!(!same_state("abc", "abd"));
        assert!(!same_state("abc", "abcd"));
        assert!(!same_state("", "a"));
    }

    /// The listener answers a probe and a favicon, and hands over the code of the callback.
    #[tokio::test]
    async fn the_listener_waits_for_the_callback() {
        let p = PendingLogin::start("http://127.0.0.1:1", "cid", "read write", 0)
            .await
            .unwrap();
        assert!(p.redirect_uri.starts_with("http://127.0.0.1:"));
        assert!(p.url.contains(&enc(&p.redirect_uri)));
        let port = p.port;
        let state = p.state.clone();
        let browser = tokio::spawn(async move {
            let get = |path: String| async move {
                let mut s = TcpStream::connect(("127.0.0.1", port)).await.unwrap();
                s.write_all(format!("GET {path} HTTP/1.1\r\nHost: x\r\n\r\n").as_bytes())
                    .await
                    .unwrap();
                let mut out = String::new();
                s.read_to_string(&mut out).await.unwrap();
                out
            };
            // A connection that never speaks does not hold the others back.
            let _idle = TcpStream::connect(("127.0.0.1", port)).await.unwrap();
            assert!(get("/favicon.ico".into()).await.starts_with("HTTP/1.1 404"));
            get(format!("/callback?code=the-code&state={state}")).await
        });
        let got = p.wait(Duration::from_secs(20)).await.unwrap();
        assert_eq!(got.code.expose_secret(), "the-code");
        let page = browser.await.unwrap();
        assert!(page.starts_with("HTTP/1.1 200 OK"));
        assert!(page.contains("Cache-Control: no-store"));
    }
}
